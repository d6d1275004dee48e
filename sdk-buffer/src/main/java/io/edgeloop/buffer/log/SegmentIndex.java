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
     * What {@link #read} found.
     *
     * <p>Thread-safe: immutable.
     *
     * @param entries the intact entries by base (the last one wins for a base)
     * @param damaged whether bytes were skipped (a torn or corrupt entry, a torn tail): a writable open rewrites
     *                the index from the live segments so the damage is not read again
     */
    public record Contents(Map<Long, Entry> entries, boolean damaged) {
        /** Makes the map unmodifiable. */
        public Contents {
            entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }
    }

    /**
     * Reads every intact entry. A damaged entry (bad magic, length or checksum, a summary that does not decode, a
     * tail cut short) is skipped: reading resumes at the next intact entry after it, so one entry torn by a crash
     * mid-append costs only its own segment a footer read, not every segment indexed after it.
     *
     * @param dir the buffer directory
     * @return the intact entries and whether anything was skipped
     * @throws IOException when the file exists but cannot be read
     */
    public static Contents read(Path dir) throws IOException {
        byte[] bytes;
        try {
            bytes = AtomicFile.read(dir.resolve(FILE));
        } catch (NoSuchFileException e) {
            return new Contents(Map.of(), false);
        }
        Map<Long, Entry> out = new LinkedHashMap<>();
        boolean damaged = false;
        ByteBuffer b = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        int at = 0;
        while (at < bytes.length) {
            if (bytes.length - at < 12) {
                damaged = true; // a torn tail
                break;
            }
            int magic = b.getInt(at);
            int len = b.getInt(at + 4);
            int stored = b.getInt(at + 8);
            boolean intact = magic == MAGIC && len >= 25 && len <= bytes.length - at - 12;
            if (intact) {
                crc.reset();
                crc.update(bytes, at + 12, len);
                intact = (int) crc.getValue() == stored;
            }
            if (!intact) {
                damaged = true;
                int next = nextMagic(bytes, at + 1);
                if (next < 0) {
                    break;
                }
                at = next;
                continue;
            }
            int p = at + 12;
            at = p + len;
            if (bytes[p] != 1) {
                continue; // an entry of a later version: not damage, this reader cannot use it
            }
            ByteBuffer e = ByteBuffer.wrap(bytes, p + 1, 24);
            long base = e.getLong();
            long fileLength = e.getLong();
            long footerOffset = e.getLong();
            Optional<SegmentSummary> s = SegmentSummary.decode(Arrays.copyOfRange(bytes, p + 25, p + len));
            if (s.isPresent() && footerOffset < fileLength) {
                out.put(base, new Entry(base, fileLength, footerOffset, s.get()));
            } else {
                damaged = true;
            }
        }
        return new Contents(out, damaged);
    }

    /** The offset of the next entry magic at or after {@code from}, or -1. */
    private static int nextMagic(byte[] bytes, int from) {
        byte m0 = (byte) (MAGIC >>> 24);
        byte m1 = (byte) (MAGIC >>> 16);
        byte m2 = (byte) (MAGIC >>> 8);
        byte m3 = (byte) MAGIC;
        for (int i = from; i + 4 <= bytes.length; i++) {
            if (bytes[i] == m0 && bytes[i + 1] == m1 && bytes[i + 2] == m2 && bytes[i + 3] == m3) {
                return i;
            }
        }
        return -1;
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
