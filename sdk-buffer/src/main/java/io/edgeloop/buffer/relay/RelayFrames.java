package io.edgeloop.buffer.relay;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Frames of the relay protocol, version 1 (big-endian; see {@code docs/formats/relay.md}):
 * <pre>
 * frame := u8 type | u32 length | body (length bytes) | u32 crc32c(type, length, body)
 * HELLO (1) := "ELRY" | u8 major=1 | u8 minor=0           -- first frame each way
 * BATCH (2) := u64 batchId | encoded batch (batch wire format)
 * ACK   (3) := u64 batchId | u32 envelopes stored          -- only once durable at the gateway
 * ERROR (4) := u64 batchId (0: the connection) | u8 retryable | u32 retryAfterMillis | u16 len + UTF-8 message
 * </pre>
 * Works over any byte stream, so a serial link can carry it as well as TCP.
 *
 * <p>Thread-safe: stateless.
 */
public final class RelayFrames {
    /** HELLO frame type. */
    public static final int HELLO = 1;
    /** BATCH frame type. */
    public static final int BATCH = 2;
    /** ACK frame type. */
    public static final int ACK = 3;
    /** ERROR frame type. */
    public static final int ERROR = 4;
    /** Magic at the start of a HELLO body: ASCII {@code ELRY}. */
    public static final int MAGIC = 0x454C5259;
    /** The protocol major version spoken and the only one accepted. */
    public static final int MAJOR_VERSION = 1;
    /** The protocol minor version spoken. */
    public static final int MINOR_VERSION = 0;

    private RelayFrames() {
    }

    /**
     * One frame. The body array is not copied: do not change it after construction.
     *
     * <p>Thread-safe as long as nobody changes the body array (it is not copied).
     *
     * @param type the frame type
     * @param body the body
     */
    public record Frame(int type, byte[] body) {
        /**
         * Validates the frame.
         *
         * @param type the type
         * @param body the body
         */
        public Frame {
            Objects.requireNonNull(body, "body");
            if (type < 1 || type > 255) {
                throw new IllegalArgumentException("frame type must be in [1, 255], got " + type);
            }
        }
    }

    /**
     * Writes one frame and flushes.
     *
     * @param out   the stream
     * @param frame the frame
     * @throws IOException when writing fails
     */
    public static void write(OutputStream out, Frame frame) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5).put((byte) frame.type()).putInt(frame.body().length);
        CRC32C crc = new CRC32C();
        crc.update(head.array());
        crc.update(frame.body());
        out.write(head.array());
        out.write(frame.body());
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        out.flush();
    }

    /**
     * Reads one frame, checking its length against {@code maxBody} before allocating and its checksum after.
     *
     * @param in      the stream
     * @param maxBody the largest body accepted
     * @return the frame
     * @throws EOFException          when the stream ends before or inside a frame
     * @throws RelayProtocolException when the frame is oversize or its checksum does not match
     * @throws IOException           when reading fails
     */
    public static Frame read(DataInputStream in, int maxBody) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("relay peer closed the stream");
        }
        int length = in.readInt();
        if (length < 0 || length > maxBody) {
            throw new RelayProtocolException("Relay frame of type " + type + " declares " + (length & 0xFFFF_FFFFL)
                    + " bytes, limit " + maxBody);
        }
        byte[] body = new byte[length];
        in.readFully(body);
        int stored = in.readInt();
        CRC32C crc = new CRC32C();
        crc.update(type);
        crc.update(ByteBuffer.allocate(4).putInt(length).array());
        crc.update(body);
        if ((int) crc.getValue() != stored) {
            throw new RelayProtocolException("Relay frame checksum mismatch (type " + type + ", " + length
                    + " bytes): the link corrupted it");
        }
        if (type == 0) {
            throw new RelayProtocolException("Relay frame type 0 is not defined");
        }
        return new Frame(type, body);
    }

    /** @return the HELLO frame of this protocol version */
    public static Frame hello() {
        return new Frame(HELLO, ByteBuffer.allocate(6).putInt(MAGIC).put((byte) MAJOR_VERSION)
                .put((byte) MINOR_VERSION).array());
    }

    /**
     * Checks a peer's HELLO.
     *
     * @param frame the frame received first
     * @throws RelayRefusedException  when the peer answered with an ERROR (it refused the connection); the
     *                                exception carries the ERROR's retryable flag and wait
     * @throws RelayProtocolException when it is not a HELLO or names another major version
     */
    public static void checkHello(Frame frame) throws RelayProtocolException {
        if (frame.type() == ERROR) {
            throw new RelayRefusedException(error(frame));
        }
        ByteBuffer b = ByteBuffer.wrap(frame.body());
        if (frame.type() != HELLO || b.remaining() < 6 || b.getInt() != MAGIC) {
            throw new RelayProtocolException("Relay peer did not start with a HELLO frame: not an Edgeloop relay");
        }
        int major = b.get() & 0xFF;
        int minor = b.get() & 0xFF;
        if (major != MAJOR_VERSION) {
            throw new RelayProtocolException("Relay peer speaks protocol version " + major + "." + minor
                    + "; this side speaks major version " + MAJOR_VERSION + " only");
        }
    }

    /**
     * @param batchId the batch id chosen by the sender
     * @param encoded the batch in the batch wire format
     * @return the BATCH frame
     */
    public static Frame batch(long batchId, byte[] encoded) {
        return new Frame(BATCH, ByteBuffer.allocate(8 + encoded.length).putLong(batchId).put(encoded).array());
    }

    /**
     * @param batchId the acknowledged batch
     * @param stored  the number of envelopes now durable at the gateway
     * @return the ACK frame
     */
    public static Frame ack(long batchId, int stored) {
        return new Frame(ACK, ByteBuffer.allocate(12).putLong(batchId).putInt(stored).array());
    }

    /**
     * A refusal. Immutable.
     *
     * @param batchId          the refused batch, 0 for the connection
     * @param retryable        whether sending again later may succeed
     * @param retryAfterMillis how long to wait first, 0 for no advice
     * @param message          why
     */
    public record Error(long batchId, boolean retryable, long retryAfterMillis, String message) {
    }

    /**
     * @param error the refusal
     * @return the ERROR frame
     */
    public static Frame error(Error error) {
        byte[] m = error.message().getBytes(StandardCharsets.UTF_8);
        int len = Math.min(m.length, 0xFFFF);
        return new Frame(ERROR, ByteBuffer.allocate(8 + 1 + 4 + 2 + len).putLong(error.batchId())
                .put((byte) (error.retryable() ? 1 : 0))
                .putInt((int) Math.min(Integer.MAX_VALUE, Math.max(0, error.retryAfterMillis())))
                .putShort((short) len).put(m, 0, len).array());
    }

    /**
     * Parses an ERROR frame.
     *
     * @param frame the frame
     * @return the refusal
     * @throws RelayProtocolException when the body is malformed
     */
    public static Error error(Frame frame) throws RelayProtocolException {
        ByteBuffer b = ByteBuffer.wrap(frame.body());
        try {
            long id = b.getLong();
            boolean retryable = b.get() != 0;
            long after = b.getInt() & 0xFFFF_FFFFL;
            int len = b.getShort() & 0xFFFF;
            byte[] m = new byte[len];
            b.get(m);
            return new Error(id, retryable, after, new String(m, StandardCharsets.UTF_8));
        } catch (java.nio.BufferUnderflowException e) {
            throw new RelayProtocolException("Malformed relay ERROR frame", e);
        }
    }
}
