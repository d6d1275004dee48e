package io.edgeloop.buffer.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The byte layout of segment headers, frames and segment trailers (format 1.0, see {@code docs/formats/buffer.md}).
 * All integers are big-endian.
 *
 * <pre>
 * frame:   magic u32 | type u8 | priority u8 | streamLen u8 | flags u8 | payloadLen u32 | sequence u64
 *          | timestamp u64 | stream bytes | payloadCrc32c u32 | headerCrc32c u32 | payload
 * </pre>
 * The header CRC covers every header byte before it, so a scan can re-find frames after damage by looking for the
 * magic and checking the header CRC; the payload CRC covers the payload.
 *
 * <p>Thread-safe: stateless; callers pass their own {@link CRC32C}.
 */
public final class FrameFormat {
    /** Major version of the on-disk format written by this code; readers reject other majors. */
    public static final int FORMAT_MAJOR = 1;
    /** Minor version of the on-disk format written by this code. */
    public static final int FORMAT_MINOR = 2;
    /** Marks the start of every frame. */
    public static final int FRAME_MAGIC = 0xE1B0F5A7;
    /** Frame type of a record. */
    public static final int TYPE_RECORD = 1;
    /** Frame type of a sealed segment's footer (its payload is a {@link SegmentSummary}). */
    public static final int TYPE_FOOTER = 2;
    /** Header bytes before the stream name. */
    public static final int FIXED_HEADER = 28;
    /** Frame bytes besides the stream name and the payload. */
    public static final int FRAME_OVERHEAD = FIXED_HEADER + 8;
    /** The largest payload a frame may carry. */
    public static final int MAX_PAYLOAD = 16 << 20;
    /** The longest stream name in UTF-8 bytes. */
    public static final int MAX_STREAM_BYTES = 255;
    /** Segment file header size. */
    public static final int SEGMENT_HEADER = 40;
    /** Segment trailer size (after the footer frame). */
    public static final int TRAILER = 24;

    static final byte[] SEGMENT_MAGIC = "ELBUFSEG".getBytes(StandardCharsets.US_ASCII);
    static final byte[] TRAILER_MAGIC = "ELBUFEND".getBytes(StandardCharsets.US_ASCII);

    private FrameFormat() {
    }

    /**
     * Returns the size of a frame.
     *
     * @param streamBytes the stream name's UTF-8 length
     * @param payloadLen  the payload length
     * @return the frame size in bytes
     */
    public static int frameSize(int streamBytes, int payloadLen) {
        return FRAME_OVERHEAD + streamBytes + payloadLen;
    }

    /**
     * Writes one frame at the buffer's position.
     *
     * @param dst        the destination with enough room
     * @param type       {@link #TYPE_RECORD} or {@link #TYPE_FOOTER}
     * @param priority   0 to 9
     * @param stream     the stream name in UTF-8
     * @param sequence   the sequence
     * @param timestamp  the timestamp in milliseconds
     * @param payload    the payload array
     * @param off        the payload offset
     * @param len        the payload length
     * @param crc        a scratch checksum
     */
    public static void writeFrame(ByteBuffer dst, int type, int priority, byte[] stream, long sequence, long timestamp,
            byte[] payload, int off, int len, CRC32C crc) {
        int start = dst.position();
        dst.putInt(FRAME_MAGIC);
        dst.put((byte) type);
        dst.put((byte) priority);
        dst.put((byte) stream.length);
        dst.put((byte) 0);
        dst.putInt(len);
        dst.putLong(sequence);
        dst.putLong(timestamp);
        dst.put(stream);
        crc.reset();
        crc.update(payload, off, len);
        dst.putInt((int) crc.getValue());
        crc.reset();
        ByteBuffer header = dst.duplicate();
        header.position(start).limit(dst.position());
        crc.update(header);
        dst.putInt((int) crc.getValue());
        dst.put(payload, off, len);
    }

    /**
     * Writes a segment header.
     *
     * @param dst   the destination with {@link #SEGMENT_HEADER} bytes of room
     * @param base  the segment's base log position
     * @param epoch the buffer epoch
     * @param crc   a scratch checksum
     */
    public static void writeSegmentHeader(ByteBuffer dst, long base, long epoch, CRC32C crc) {
        int start = dst.position();
        dst.put(SEGMENT_MAGIC);
        dst.putShort((short) FORMAT_MAJOR);
        dst.putShort((short) FORMAT_MINOR);
        dst.putInt(0);
        dst.putLong(base);
        dst.putLong(epoch);
        crc.reset();
        ByteBuffer h = dst.duplicate();
        h.position(start).limit(dst.position());
        crc.update(h);
        dst.putInt((int) crc.getValue());
        dst.putInt(0);
    }

    /**
     * Writes a segment trailer pointing at the footer frame.
     *
     * @param dst          the destination
     * @param footerOffset the footer frame's offset in the file
     * @param crc          a scratch checksum
     */
    public static void writeTrailer(ByteBuffer dst, long footerOffset, CRC32C crc) {
        int start = dst.position();
        dst.put(TRAILER_MAGIC);
        dst.putLong(footerOffset);
        crc.reset();
        ByteBuffer h = dst.duplicate();
        h.position(start).limit(dst.position());
        crc.update(h);
        dst.putInt((int) crc.getValue());
        dst.putInt(0);
    }
}
