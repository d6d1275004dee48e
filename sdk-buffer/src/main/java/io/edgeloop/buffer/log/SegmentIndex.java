package io.edgeloop.buffer.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * {@code segments.idx}: one appended entry per sealed segment (base, length, footer offset, summary), so opening a
 * buffer of hundreds of segments reads one file instead of every segment's footer. It is only a cache of the
 * footers: an entry that is missing, torn or damaged makes the buffer read that segment's footer instead.
 *
 * <p>Entry: {@code magic u32 0xE1B01D8E | payloadLen u32 | crc32c(payload) u32 | payload}, payload =
 * {@code version u8 (1) | base u64 | fileLength u64 | footerOffset u64 | summary} (the footer's summary bytes).
 *
 * <p>Thread-safe: stateless; the buffer serializes appends under its lock.
 */
public final class SegmentIndex {
    /** The index file's name. */
    public static final String FILE = "segments.idx";
    private static final int MAGIC = 0xE1B01D8E;

    /**
     * One sealed segment as the index remembers it.
     *
     * <p>Thread-safe: immutable apart from the summary, which callers must not modify.
     *
     * @param base         the segment's base position
     * @param fileLength   its length with footer and trailer
     * @param footerOffset where its footer starts (where its records end)
     * @param summary      what it holds
     */
    public record Entry(long base, long fileLength, long footerOffset, SegmentSummary summary) {
    }

    private SegmentIndex() {
    }

    /**
     * Reads every intact entry; stops at the first damaged one (entries after it fall back to footers).
     *
     * @param dir the buffer directory
     * @return entries by base (the last one wins for a base)
     * @throws IOException when the file exists but cannot be read
     */
    public static Map<Long, Entry> read(Path dir) throws IOException {
        byte[] bytes;
        try {
            bytes = AtomicFile.read(dir.resolve(FILE));
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        Map<Long, Entry> out = new LinkedHashMap<>();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        while (b.remaining() >= 12) {
            int magic = b.getInt();
            int len = b.getInt();
            int stored = b.getInt();
            if (magic != MAGIC || len < 25 || len > b.remaining()) {
                break;
            }
            crc.reset();
            crc.update(bytes, b.position(), len);
            if ((int) crc.getValue() != stored) {
                break;
            }
            ByteBuffer p = b.slice(b.position(), len);
            b.position(b.position() + len);
            if (p.get() != 1) {
                continue;
            }
            long base = p.getLong();
            long fileLength = p.getLong();
            long footerOffset = p.getLong();
            Optional<SegmentSummary> s = SegmentSummary.decode(Arrays.copyOfRange(bytes, p.arrayOffset() + 25,
                    p.arrayOffset() + len));
            if (s.isPresent() && footerOffset < fileLength) {
                out.put(base, new Entry(base, fileLength, footerOffset, s.get()));
            }
        }
        return out;
    }

    private static byte[] encode(Entry e) {
        byte[] summary = e.summary().encode();
        ByteBuffer p = ByteBuffer.allocate(25 + summary.length);
        p.put((byte) 1).putLong(e.base()).putLong(e.fileLength()).putLong(e.footerOffset()).put(summary);
        CRC32C crc = new CRC32C();
        crc.update(p.array());
        ByteBuffer out = ByteBuffer.allocate(12 + p.capacity());
        out.putInt(MAGIC).putInt(p.capacity()).putInt((int) crc.getValue()).put(p.array());
        return out.array();
    }

    /**
     * Appends an entry without syncing: the index is a cache, and an entry lost or torn by a crash only makes the
     * next open read that segment's footer (which was synced when the segment was sealed).
     *
     * @param dir the buffer directory
     * @param e   the entry
     * @throws IOException when writing fails (the segment's footer still serves)
     */
    public static void append(Path dir, Entry e) throws IOException {
        Path f = dir.resolve(FILE);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(encode(e));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    /**
     * Replaces the index with the given entries (drops entries of deleted segments).
     *
     * @param dir     the buffer directory
     * @param entries the live entries
     * @throws IOException when writing fails (the old index stands)
     */
    public static void rewrite(Path dir, Collection<Entry> entries) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Entry e : entries) {
            out.writeBytes(encode(e));
        }
        AtomicFile.write(dir.resolve(FILE), out.toByteArray());
    }
}
