package io.edgeloop.buffer.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * One segment file of the log: its base log position, open channel, where its records end, whether it is sealed
 * and what it holds. A frame at file offset {@code o} has log position {@code base + o}; the next segment's base is
 * this one's base plus its file length, so positions grow across segments.
 *
 * <p>Not thread-safe: guarded by the buffer's lock, except that the channel supports concurrent positional reads.
 */
public final class Segment {
    private static final String PREFIX = "seg-";
    private static final String SUFFIX = ".log";

    private final long base;
    private final Path path;
    private final FileChannel channel;
    private final SegmentSummary summary;
    private long fileLength;
    private long recordsEnd;
    private boolean sealed;

    /**
     * @param base       the base log position
     * @param path       the file
     * @param channel    the open channel
     * @param summary    what the segment holds
     * @param fileLength the file's length
     * @param recordsEnd the offset where records end (the footer offset of a sealed segment)
     * @param sealed     whether the segment has a footer
     */
    public Segment(long base, Path path, FileChannel channel, SegmentSummary summary, long fileLength,
            long recordsEnd, boolean sealed) {
        this.base = base;
        this.path = path;
        this.channel = channel;
        this.summary = summary;
        this.fileLength = fileLength;
        this.recordsEnd = recordsEnd;
        this.sealed = sealed;
    }

    /**
     * Returns the file name of the segment with a base position.
     *
     * @param base the base position
     * @return the name
     */
    public static String fileName(long base) {
        return String.format(Locale.ROOT, "%s%020d%s", PREFIX, base, SUFFIX);
    }

    /**
     * Parses a segment file name.
     *
     * @param name the file name
     * @return the base position, or empty when the name is not a segment's
     */
    public static Optional<Long> parseBase(String name) {
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)
                || name.length() != PREFIX.length() + 20 + SUFFIX.length()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(name.substring(PREFIX.length(), PREFIX.length() + 20)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** @return the base log position */
    public long base() {
        return base;
    }

    /** @return the file */
    public Path path() {
        return path;
    }

    /** @return the channel */
    public FileChannel channel() {
        return channel;
    }

    /** @return what the segment holds */
    public SegmentSummary summary() {
        return summary;
    }

    /** @return the file length */
    public long fileLength() {
        return fileLength;
    }

    /** @return the log position just after this segment (the next segment's base) */
    public long endPosition() {
        return base + fileLength;
    }

    /** @return the file offset where records end */
    public long recordsEnd() {
        return recordsEnd;
    }

    /** @return whether the segment has its footer */
    public boolean sealed() {
        return sealed;
    }

    /**
     * Records that frames were appended.
     *
     * @param newLength the new file length (also the new records end)
     */
    public void appended(long newLength) {
        this.fileLength = newLength;
        this.recordsEnd = newLength;
    }

    /**
     * Records that the segment was sealed.
     *
     * @param footerOffset the footer's offset
     * @param newLength    the file length with footer and trailer
     */
    public void sealedAt(long footerOffset, long newLength) {
        this.recordsEnd = footerOffset;
        this.fileLength = newLength;
        this.sealed = true;
    }

    /** Closes the channel, ignoring errors (used when the segment is deleted or the buffer closes). */
    public void closeQuietly() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a channel we only read or already synced cannot lose data
        }
    }

    @Override
    public String toString() {
        return path.getFileName() + "[" + base + ".." + endPosition() + (sealed ? ", sealed" : "") + "]";
    }
}
