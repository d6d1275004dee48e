package io.edgeloop.buffer.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Reads frames from one segment file between a start offset and a limit, classifying what it finds so callers can
 * skip damage: a valid record, a valid footer, a frame whose payload is corrupt, bytes that are no frame (the
 * scanner finds where the next valid header starts) or a frame cut off by the limit.
 *
 * <p>Not thread-safe: one scanner per reading thread. Reads use positional I/O, so several scanners may share a
 * channel.
 */
public final class FrameScanner {
    /**
     * What {@link #next(long, boolean)} found.
     *
     * <p>Thread-safe: an enum (immutable).
     */
    public enum Kind {
        /** The offset is the limit: nothing more to read. */
        END,
        /** A valid record frame. */
        RECORD,
        /** A valid footer frame: the segment is sealed and ends here. */
        FOOTER,
        /**
         * A frame with a valid header and a corrupt payload; {@link #nextOffset()} is its end, {@link #stream()} and
         * {@link #sequence()} name its record.
         */
        CORRUPT_FRAME,
        /** No valid frame starts here; {@link #nextOffset()} is the next offset where one does (or the limit). */
        GARBAGE,
        /**
         * A valid header whose frame runs past the limit; {@link #nextOffset()} is the limit, {@link #type()},
         * {@link #stream()} and {@link #sequence()} name the frame whose end is missing.
         */
        TORN
    }

    private static final int WINDOW = 256 * 1024;

    private final FileChannel channel;
    private final CRC32C crc = new CRC32C();
    private final int window;
    private long limit;
    private ByteBuffer buf;
    private long bufStart = -1;
    private int bufLen;

    private long next;
    private int type;
    private int priority;
    private long sequence;
    private long timestamp;
    private String stream;
    private byte[] streamBytes = new byte[0];
    private byte[] payload;
    private int payloadLength;

    /**
     * @param channel the segment file
     * @param limit   the offset up to which the file may be read
     */
    public FrameScanner(FileChannel channel, long limit) {
        this(channel, limit, WINDOW);
    }

    /**
     * @param channel the segment file
     * @param limit   the offset up to which the file may be read
     * @param window  bytes read ahead at a time (small for reading one footer, large for scanning)
     */
    public FrameScanner(FileChannel channel, long limit, int window) {
        this.channel = channel;
        this.limit = limit;
        this.window = Math.max(window, FrameFormat.FIXED_HEADER + FrameFormat.MAX_STREAM_BYTES + 8);
        // allocated on first read, no larger than what there is to read: a gateway opening ten thousand small
        // buffers would otherwise allocate (and zero) a 256 KiB window per scan
        this.buf = ByteBuffer.allocate(0);
    }

    /**
     * Moves the readable limit (the file grew or became durable further).
     *
     * @param limit the new limit
     */
    public void limit(long limit) {
        this.limit = limit;
    }

    /** @return the readable limit */
    public long limit() {
        return limit;
    }

    /**
     * Classifies what starts at {@code off}.
     *
     * @param off         the file offset
     * @param wantPayload whether to copy the payload of a record into a fresh array ({@link #payload()})
     * @return what was found; details through the accessors
     * @throws IOException when the file cannot be read
     */
    public Kind next(long off, boolean wantPayload) throws IOException {
        if (off >= limit) {
            next = limit;
            return Kind.END;
        }
        Kind k = headerAt(off);
        if (k == null) {
            next = resync(off + 1);
            return Kind.GARBAGE;
        }
        if (k == Kind.TORN) {
            next = limit;
            stream = new String(streamBytes, StandardCharsets.UTF_8);
            return k;
        }
        int hdr = FrameFormat.FIXED_HEADER + streamBytes.length + 8;
        long end = off + hdr + payloadLength;
        // Ensure the whole frame from its start: refilling from the payload alone would move the window past the
        // header, whose checksum is read below.
        if (!ensure(off, hdr + payloadLength)) {
            next = limit;
            stream = new String(streamBytes, StandardCharsets.UTF_8);
            return Kind.TORN;
        }
        int p = (int) (off + hdr - bufStart);
        crc.reset();
        crc.update(buf.array(), p, payloadLength);
        int storedCrc = buf.getInt((int) (off - bufStart) + FrameFormat.FIXED_HEADER + streamBytes.length);
        next = end;
        if ((int) crc.getValue() != storedCrc) {
            // the header's CRC matched: its stream and sequence name the record lost
            stream = new String(streamBytes, StandardCharsets.UTF_8);
            return Kind.CORRUPT_FRAME;
        }
        if (type == FrameFormat.TYPE_FOOTER || wantPayload) {
            payload = new byte[payloadLength];
            System.arraycopy(buf.array(), p, payload, 0, payloadLength);
        } else {
            payload = null;
        }
        if (type == FrameFormat.TYPE_FOOTER) {
            return Kind.FOOTER;
        }
        stream = new String(streamBytes, StandardCharsets.UTF_8);
        return Kind.RECORD;
    }

    /**
     * Checks whether a valid frame header starts at {@code off}, filling the header fields.
     *
     * @return RECORD for a valid header whose frame fits before the limit, TORN for a valid header whose frame
     *     does not, null for no valid header
     */
    private Kind headerAt(long off) throws IOException {
        if (!ensure(off, FrameFormat.FIXED_HEADER)) {
            return null;
        }
        int p = (int) (off - bufStart);
        if (buf.getInt(p) != FrameFormat.FRAME_MAGIC) {
            return null;
        }
        int t = buf.get(p + 4);
        int prio = buf.get(p + 5);
        int sl = buf.get(p + 6) & 0xff;
        int len = buf.getInt(p + 8);
        if ((t != FrameFormat.TYPE_RECORD && t != FrameFormat.TYPE_FOOTER) || prio < 0 || prio > 9 || len < 0
                || len > FrameFormat.MAX_PAYLOAD) {
            return null;
        }
        int hdr = FrameFormat.FIXED_HEADER + sl + 8;
        if (!ensure(off, hdr)) {
            return null;
        }
        p = (int) (off - bufStart);
        crc.reset();
        crc.update(buf.array(), p, hdr - 4);
        if ((int) crc.getValue() != buf.getInt(p + hdr - 4)) {
            return null;
        }
        type = t;
        priority = prio;
        payloadLength = len;
        sequence = buf.getLong(p + 12);
        timestamp = buf.getLong(p + 20);
        if (streamBytes.length != sl) {
            streamBytes = new byte[sl];
        }
        System.arraycopy(buf.array(), p + FrameFormat.FIXED_HEADER, streamBytes, 0, sl);
        if (off + hdr + len > limit) {
            return Kind.TORN;
        }
        return Kind.RECORD;
    }

    /** Finds the next offset at or after {@code from} where a valid frame header starts, or the limit. */
    private long resync(long from) throws IOException {
        long off = from;
        while (off + FrameFormat.FIXED_HEADER <= limit) {
            if (!ensure(off, FrameFormat.FIXED_HEADER)) {
                break;
            }
            byte[] a = buf.array();
            int p = (int) (off - bufStart);
            int end = bufLen - FrameFormat.FIXED_HEADER;
            boolean found = false;
            while (p <= end) {
                if (a[p] == (byte) 0xE1 && a[p + 1] == (byte) 0xB0 && a[p + 2] == (byte) 0xF5
                        && a[p + 3] == (byte) 0xA7) {
                    found = true;
                    break;
                }
                p++;
            }
            off = bufStart + p;
            if (!found) {
                continue;
            }
            long candidate = off;
            Kind k = headerAt(candidate);
            if (k != null) {
                return candidate;
            }
            off = candidate + 1;
        }
        return limit;
    }

    /** Makes bytes [off, off+len) available in the window; false when they run past the limit or the file. */
    private boolean ensure(long off, int len) throws IOException {
        if (off + len > limit) {
            return false;
        }
        if (bufStart >= 0 && off >= bufStart && off + len <= bufStart + bufLen) {
            return true;
        }
        int want = (int) Math.min(Math.max(len, window), limit - off);
        if (buf.capacity() < want) {
            buf = ByteBuffer.allocate(Math.max(want, Math.min(window, buf.capacity() * 2)));
        }
        buf.clear();
        buf.limit(want);
        long pos = off;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                break;
            }
            pos += n;
        }
        bufStart = off;
        bufLen = buf.position();
        return bufLen >= len;
    }

    /** Drops cached bytes (the file was truncated or rewritten). */
    public void invalidate() {
        bufStart = -1;
        bufLen = 0;
    }

    /** @return the offset after what the last {@link #next} found */
    public long nextOffset() {
        return next;
    }

    /** @return the frame type of the last valid header (a record's, a footer's, a corrupt or torn frame's) */
    public int type() {
        return type;
    }

    /** @return the last record's priority */
    public int priority() {
        return priority;
    }

    /** @return the last record's sequence (also a corrupt or torn frame's) */
    public long sequence() {
        return sequence;
    }

    /** @return the last record's timestamp */
    public long timestamp() {
        return timestamp;
    }

    /** @return the last record's stream (also a corrupt or torn frame's) */
    public String stream() {
        return stream;
    }

    /** @return the last record's payload length */
    public int payloadLength() {
        return payloadLength;
    }

    /** @return the last payload copied (a record's when requested, always a footer's), or null */
    public byte[] payload() {
        return payload;
    }
}
