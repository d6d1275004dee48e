package io.edgeloop.buffer.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;

/**
 * One segment file of the log: its base log position, open channel, where its records end, whether it is sealed
 * and what it holds. A frame at file offset {@code o} has log position {@code base + o}; the next segment's base is
 * this one's base plus its file length, so positions grow across segments.
 *
 * <p>The write channel exists only while the segment is the active one and is used by the writer alone. Readers
 * use a separate read channel opened on demand (and closed again by the buffer to bound open files), so a reader
 * interrupted mid-read, which closes its channel, never breaks appends. Under group commit the sync thread
 * syncs through a sync channel of its own, opened before the first write: Linux reports a write-back error once
 * to every file description open when it happened (a later sync on it succeeds over the lost data), so whichever
 * of the two syncs hears of an error first, the buffer cuts the unsynced tail off and renews both channels
 * ({@link #renewChannels}), and the other never reports that error to records written afterwards.
 *
 * <p>Not thread-safe: guarded by the buffer's lock, except {@link #readChannel} and {@link #closeRead}, which
 * synchronize on a lock of their own.
 */
public final class Segment {
    private static final String PREFIX = "seg-";
    private static final String SUFFIX = ".log";
    private static final String TEMP_SUFFIX = ".tmp";

    private final long base;
    private final Path path;
    private FileChannel channel;
    private FileChannel syncChannel;
    private final Object readLock = new Object();
    private FileChannel readChannel;
    private SegmentSummary summary;
    private long fileLength;
    private long recordsEnd;
    private boolean sealed;

    /**
     * @param base       the base log position
     * @param path       the file
     * @param channel    the write channel of the active segment, or null
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
        // zero-padded to 20 digits; by hand because String.format showed in profiles of opening many buffers
        if (base < 0) {
            return String.format(Locale.ROOT, "%s%020d%s", PREFIX, base, SUFFIX);
        }
        String digits = Long.toString(base);
        return PREFIX + "0".repeat(20 - digits.length()) + digits + SUFFIX;
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

    /**
     * Returns the name a segment is written under while a roll starts it: its header is synced there before it is
     * renamed to {@link #fileName}, after the previous segment was sealed (see {@code docs/formats/buffer.md}).
     *
     * @param base the base position
     * @return the temporary file's name
     */
    public static String tempName(long base) {
        return fileName(base) + TEMP_SUFFIX;
    }

    /**
     * Parses a name written by {@link #tempName}.
     *
     * @param name the file name
     * @return the base position, or empty when the name is not a segment's temporary file
     */
    public static Optional<Long> parseTempBase(String name) {
        if (!name.endsWith(TEMP_SUFFIX)) {
            return Optional.empty();
        }
        return parseBase(name.substring(0, name.length() - TEMP_SUFFIX.length()));
    }

    /** @return the base log position */
    public long base() {
        return base;
    }

    /** @return the file */
    public Path path() {
        return path;
    }

    /** @return the write channel (only while active) */
    public FileChannel channel() {
        if (channel == null) {
            throw new IllegalStateException("segment " + path.getFileName() + " is not open for writing");
        }
        return channel;
    }

    /**
     * Opens the sync channel, if it is not open yet, while the segment is active. Call it before the first write
     * that the sync thread is to sync.
     *
     * @param opener opens the file
     * @throws IOException when the file cannot be opened
     */
    public void openSyncChannel(ChannelOpener opener) throws IOException {
        if (channel != null && syncChannel == null) {
            syncChannel = opener.open(path, EnumSet.of(StandardOpenOption.READ));
        }
    }

    /** @return the channel the sync thread syncs through: the sync channel when open, else the write channel */
    public FileChannel syncTarget() {
        return syncChannel != null ? syncChannel : channel();
    }

    /**
     * Returns the read channel, opening it when needed.
     *
     * @param opener opens the file
     * @return an open read channel
     * @throws IOException when the file cannot be opened
     */
    public FileChannel readChannel(ChannelOpener opener) throws IOException {
        synchronized (readLock) {
            if (readChannel == null || !readChannel.isOpen()) {
                readChannel = opener.open(path, EnumSet.of(StandardOpenOption.READ));
            }
            return readChannel;
        }
    }

    /** Closes the read channel if open; readers using it get a {@code ClosedChannelException} and reopen. */
    public void closeRead() {
        synchronized (readLock) {
            if (readChannel != null) {
                try {
                    readChannel.close();
                } catch (IOException e) {
                    // a read-only channel holds nothing to lose
                }
                readChannel = null;
            }
        }
    }

    /**
     * Replaces a write channel that was closed under the writer: a thread interrupted during I/O on a
     * {@link FileChannel} closes it for every user. Data written through the old channel stays in the file (a
     * sync through the new channel covers it).
     *
     * @param opener opens the file
     * @return true when the channel was closed and has been reopened, false when it was open (or there is none)
     * @throws IOException when the file cannot be opened again
     */
    public boolean reopenWriteIfClosed(ChannelOpener opener) throws IOException {
        if (channel == null || channel.isOpen()) {
            return false;
        }
        channel = opener.open(path, EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
        return true;
    }

    /**
     * Replaces the write channel and the sync channel (when open) with new descriptors, after a sync failed and
     * the unsynced tail was cut off. Linux reports a write-back error once to every file description open when
     * it happened, so a descriptor that has not yet heard of it would report it to its next sync, which would then
     * fail records written after the error. A description opened after the error was reported does not report
     * it. The new channels are opened before the old ones are closed: when opening fails, the old ones stay.
     *
     * @param opener opens the file
     * @throws IOException when the file cannot be opened again (the old channels are kept)
     */
    public void renewChannels(ChannelOpener opener) throws IOException {
        if (channel == null) {
            return;
        }
        FileChannel newWrite = opener.open(path, EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
        FileChannel newSync = null;
        if (syncChannel != null) {
            try {
                newSync = opener.open(path, EnumSet.of(StandardOpenOption.READ));
            } catch (IOException e) {
                closeQuietly(newWrite);
                throw e;
            }
        }
        // a sync running on an old channel fails with ClosedChannelException; the sync thread then syncs again
        closeQuietly(channel);
        channel = newWrite;
        if (newSync != null) {
            closeQuietly(syncChannel);
            syncChannel = newSync;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // what it wrote was cut off or synced before; closing loses nothing
        }
    }

    /**
     * Marks a segment that will never be written again as sealed although it has no footer (recovery left it
     * behind the position cursors already committed): it is read up to its length and reclaimed like any sealed
     * segment; the next open scans it, as it does any segment without a footer.
     */
    public void sealWithoutFooter() {
        closeWrite();
        this.recordsEnd = fileLength;
        this.sealed = true;
    }

    /**
     * Closes the write and sync channels after sealing; the segment is read through its read channel from now on.
     */
    public void closeWrite() {
        if (syncChannel != null) {
            try {
                syncChannel.close();
            } catch (IOException e) {
                // a read-only descriptor holds nothing to lose
            }
            syncChannel = null;
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // the segment was synced when it was sealed
            }
            channel = null;
        }
    }

    /** @return what the segment holds */
    public SegmentSummary summary() {
        return summary;
    }

    /**
     * Replaces what the segment holds, after frames were cut off its tail (a failed write or sync).
     *
     * @param summary the summary of the frames that remain
     */
    public void replaceSummary(SegmentSummary summary) {
        this.summary = summary;
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

    /** Closes both channels, ignoring errors (used when the segment is deleted or the buffer closes). */
    public void closeQuietly() {
        closeWrite();
        closeRead();
    }

    @Override
    public String toString() {
        return path.getFileName() + "[" + base + ".." + endPosition() + (sealed ? ", sealed" : "") + "]";
    }
}
