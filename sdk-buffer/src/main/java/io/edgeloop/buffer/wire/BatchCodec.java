package io.edgeloop.buffer.wire;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;

/**
 * Encodes a {@link Batch} into the Edgeloop batch wire format and decodes it back, validating everything.
 * The format is specified in {@code docs/formats/batch-wire.md}; in short (big-endian):
 * <pre>
 * header (24 bytes): "ELBT" | u8 major=1 | u8 minor=0 | u8 compression | u8 flags=0
 *                    | u32 envelopeCount | u32 rawLength | u32 bodyLength | u32 crc32c(header[0..20) + body)
 * body (bodyLength bytes): the raw body, compressed as the header says
 * raw body: envelopeCount x (u16 len + UTF-8 deviceId | u16 len + UTF-8 stream | i64 epoch | i64 sequence
 *                            | i64 timestampMillis | u8 priority | u32 payloadLength | payload)
 * </pre>
 *
 * <p>Decoding rejects, with a {@link BatchFormatException} naming the fault: a wrong magic, an unknown major
 * version, unknown compression or flags, a checksum mismatch, truncated or trailing bytes, a raw or body length
 * over {@link #maxBatchBytes()} (so a small compressed body cannot expand without bound), a decompressed body
 * whose length differs from the declared one, and envelopes that break the {@link Envelope} or
 * {@link IdempotencyKey} rules. A higher minor version of the same major is accepted: minor versions only
 * append data after the last envelope, which older readers skip.
 *
 * <p>Thread-safe: immutable.
 */
public final class BatchCodec {
    /** The major format version written and the only one read. */
    public static final int MAJOR_VERSION = 1;
    /** The minor format version written. */
    public static final int MINOR_VERSION = 0;
    /** Size of the fixed header in bytes. */
    public static final int HEADER_BYTES = 24;
    /** Default limit on raw and encoded body sizes: 64 MiB. */
    public static final int DEFAULT_MAX_BATCH_BYTES = 64 << 20;
    /** The magic bytes that start every encoded batch: ASCII {@code ELBT}. */
    public static final int MAGIC = 0x454C4254;

    /** Smallest possible encoded envelope: two one-byte names, three longs, priority, payload length. */
    private static final int MIN_ENVELOPE_BYTES = 2 + 1 + 2 + 1 + 8 + 8 + 8 + 1 + 4;

    private final Compression compression;
    private final int maxBatchBytes;

    private BatchCodec(Compression compression, int maxBatchBytes) {
        this.compression = compression;
        this.maxBatchBytes = maxBatchBytes;
    }

    /**
     * Returns a codec that writes with the given compression and the default size limit.
     *
     * @param compression the compression to write with (any is read)
     * @return the codec
     */
    public static BatchCodec of(Compression compression) {
        return new BatchCodec(Objects.requireNonNull(compression, "compression"), DEFAULT_MAX_BATCH_BYTES);
    }

    /**
     * Returns a codec that writes with the given compression and enforces the given size limit.
     *
     * @param compression   the compression to write with (any is read)
     * @param maxBatchBytes the largest raw or encoded body accepted and produced, at least 1024
     * @return the codec
     */
    public static BatchCodec of(Compression compression, int maxBatchBytes) {
        if (maxBatchBytes < 1024) {
            throw new IllegalArgumentException("maxBatchBytes must be at least 1024, got " + maxBatchBytes);
        }
        return new BatchCodec(Objects.requireNonNull(compression, "compression"), maxBatchBytes);
    }

    /** @return the compression this codec writes */
    public Compression compression() {
        return compression;
    }

    /** @return the largest raw or encoded body size this codec produces or accepts */
    public int maxBatchBytes() {
        return maxBatchBytes;
    }

    /**
     * Encodes a batch.
     *
     * @param batch the batch
     * @return the encoded bytes
     * @throws IllegalArgumentException when the batch's raw body exceeds {@link #maxBatchBytes()} or a name is
     *                                  longer than 65535 UTF-8 bytes
     */
    public byte[] encode(Batch batch) {
        Objects.requireNonNull(batch, "batch");
        byte[] raw = rawBody(batch);
        byte[] body = compress(raw);
        if (body.length > maxBatchBytes) {
            throw new IllegalArgumentException("Encoded batch body of " + body.length + " bytes exceeds the limit of "
                    + maxBatchBytes + " bytes; send smaller batches");
        }
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + body.length);
        out.putInt(MAGIC).put((byte) MAJOR_VERSION).put((byte) MINOR_VERSION).put((byte) compression.code())
                .put((byte) 0).putInt(batch.size()).putInt(raw.length).putInt(body.length);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, 20);
        crc.update(body);
        out.putInt((int) crc.getValue()).put(body);
        return out.array();
    }

    /**
     * Encodes a batch onto a stream.
     *
     * @param batch the batch
     * @param out   the stream (not closed)
     * @throws IOException when writing fails
     */
    public void encode(Batch batch, OutputStream out) throws IOException {
        out.write(encode(batch));
    }

    /**
     * Decodes exactly one batch that fills {@code bytes}.
     *
     * @param bytes the encoded batch
     * @return the batch
     * @throws BatchFormatException when the bytes are not a valid batch (see the class description)
     */
    public Batch decode(byte[] bytes) throws BatchFormatException {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < HEADER_BYTES) {
            throw new BatchFormatException("Truncated batch: " + bytes.length + " bytes, the header alone is "
                    + HEADER_BYTES);
        }
        Header h = readHeader(bytes);
        long expected = (long) HEADER_BYTES + h.bodyLength;
        if (bytes.length < expected) {
            throw new BatchFormatException("Truncated batch: header declares " + h.bodyLength + " body bytes, only "
                    + (bytes.length - HEADER_BYTES) + " present");
        }
        if (bytes.length > expected) {
            throw new BatchFormatException("Trailing garbage: " + (bytes.length - expected)
                    + " bytes after the batch body");
        }
        return decodeBody(h, bytes, HEADER_BYTES);
    }

    /**
     * Reads one encoded batch from a stream: exactly its header and body, nothing more.
     *
     * @param in the stream
     * @return the batch
     * @throws BatchFormatException when the bytes are not a valid batch or the stream ends inside it
     * @throws IOException          when reading fails
     */
    public Batch read(InputStream in) throws IOException {
        byte[] header = in.readNBytes(HEADER_BYTES);
        if (header.length < HEADER_BYTES) {
            throw new BatchFormatException("Truncated batch: stream ended after " + header.length
                    + " header bytes");
        }
        Header h = readHeader(header);
        byte[] all = new byte[HEADER_BYTES + h.bodyLength];
        System.arraycopy(header, 0, all, 0, HEADER_BYTES);
        int n = in.readNBytes(all, HEADER_BYTES, h.bodyLength);
        if (n < h.bodyLength) {
            throw new BatchFormatException("Truncated batch: header declares " + h.bodyLength
                    + " body bytes, stream ended after " + n);
        }
        return decodeBody(h, all, HEADER_BYTES);
    }

    private static final class Header {
        final int minor;
        final Compression compression;
        final int count;
        final int rawLength;
        final int bodyLength;
        final int crc;

        Header(int minor, Compression compression, int count, int rawLength, int bodyLength, int crc) {
            this.minor = minor;
            this.compression = compression;
            this.count = count;
            this.rawLength = rawLength;
            this.bodyLength = bodyLength;
            this.crc = crc;
        }
    }

    private Header readHeader(byte[] bytes) throws BatchFormatException {
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, HEADER_BYTES);
        int magic = in.getInt();
        if (magic != MAGIC) {
            throw new BatchFormatException(String.format("Not an Edgeloop batch: magic 0x%08x, expected 0x%08x (\"ELBT\")",
                    magic, MAGIC));
        }
        int major = in.get() & 0xFF;
        int minor = in.get() & 0xFF;
        if (major != MAJOR_VERSION) {
            throw new UnsupportedBatchFormatException("Unsupported batch format version " + major + "." + minor
                    + "; this reader understands major version " + MAJOR_VERSION + " only (upgrade the receiver)");
        }
        int code = in.get() & 0xFF;
        Compression c;
        try {
            c = Compression.fromCode(code);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedBatchFormatException("Unsupported batch compression: " + e.getMessage(), e);
        }
        int flags = in.get() & 0xFF;
        if (flags != 0) {
            throw new UnsupportedBatchFormatException("Unsupported batch flags 0x" + Integer.toHexString(flags)
                    + "; version 1." + MINOR_VERSION + " defines none");
        }
        long count = in.getInt() & 0xFFFF_FFFFL;
        long raw = in.getInt() & 0xFFFF_FFFFL;
        long body = in.getInt() & 0xFFFF_FFFFL;
        int crc = in.getInt();
        if (raw > maxBatchBytes || body > maxBatchBytes) {
            throw new BatchFormatException("Batch too large: raw body " + raw + " bytes, encoded body " + body
                    + " bytes, limit " + maxBatchBytes + " bytes");
        }
        if (count < 1 || count > raw / MIN_ENVELOPE_BYTES) {
            throw new BatchFormatException("Invalid envelope count " + count + " for a raw body of " + raw
                    + " bytes");
        }
        return new Header(minor, c, (int) count, (int) raw, (int) body, crc);
    }

    private Batch decodeBody(Header h, byte[] bytes, int offset) throws BatchFormatException {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 20);
        crc.update(bytes, offset, h.bodyLength);
        if ((int) crc.getValue() != h.crc) {
            throw new BatchFormatException(String.format("Batch checksum mismatch: stored 0x%08x, computed 0x%08x"
                    + " (corrupted in transit or storage)", h.crc, (int) crc.getValue()));
        }
        byte[] raw = decompress(h, bytes, offset);
        ByteBuffer in = ByteBuffer.wrap(raw);
        List<Envelope> envelopes = new ArrayList<>(h.count);
        for (int i = 0; i < h.count; i++) {
            try {
                String device = readName(in, "deviceId");
                String stream = readName(in, "stream");
                long epoch = in.getLong();
                long sequence = in.getLong();
                long timestamp = in.getLong();
                int priority = in.get() & 0xFF;
                long length = in.getInt() & 0xFFFF_FFFFL;
                if (length > in.remaining()) {
                    throw new BatchFormatException("Envelope " + i + " declares a " + length + "-byte payload, only "
                            + in.remaining() + " bytes remain");
                }
                byte[] payload = new byte[(int) length];
                in.get(payload);
                envelopes.add(new Envelope(new IdempotencyKey(device, stream, epoch, sequence), timestamp, priority,
                        payload));
            } catch (BufferUnderflowException e) {
                throw new BatchFormatException("Envelope " + i + " of " + h.count + " is truncated", e);
            } catch (IllegalArgumentException e) {
                throw new BatchFormatException("Envelope " + i + " is invalid: " + e.getMessage(), e);
            }
        }
        if (in.hasRemaining() && h.minor <= MINOR_VERSION) {
            throw new BatchFormatException("Trailing garbage: " + in.remaining() + " bytes after envelope "
                    + (h.count - 1) + " in a version 1." + h.minor + " body");
        }
        return Batch.of(envelopes);
    }

    private static String readName(ByteBuffer in, String what) throws BatchFormatException {
        int len = in.getShort() & 0xFFFF;
        if (len > in.remaining()) {
            throw new BatchFormatException(what + " declares " + len + " bytes, only " + in.remaining() + " remain");
        }
        ByteBuffer slice = in.slice();
        slice.limit(len);
        in.position(in.position() + len);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new BatchFormatException(what + " is not valid UTF-8", e);
        }
    }

    private byte[] rawBody(Batch batch) {
        long total = 0;
        List<byte[][]> names = new ArrayList<>(batch.size());
        for (Envelope e : batch.envelopes()) {
            byte[] d = e.key().deviceId().getBytes(StandardCharsets.UTF_8);
            byte[] s = e.key().stream().getBytes(StandardCharsets.UTF_8);
            if (d.length > 0xFFFF || s.length > 0xFFFF) {
                throw new IllegalArgumentException("deviceId and stream must be at most 65535 UTF-8 bytes: " + e.key());
            }
            names.add(new byte[][] {d, s});
            total += 4 + d.length + s.length + 8 + 8 + 8 + 1 + 4 + e.payloadSize();
        }
        if (total > maxBatchBytes) {
            throw new IllegalArgumentException("Batch of " + batch.size() + " envelopes encodes to " + total
                    + " bytes, over the limit of " + maxBatchBytes + " bytes; send smaller batches");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total);
        int i = 0;
        for (Envelope e : batch.envelopes()) {
            byte[][] n = names.get(i++);
            out.putShort((short) n[0].length).put(n[0]).putShort((short) n[1].length).put(n[1])
                    .putLong(e.key().epoch()).putLong(e.key().sequence()).putLong(e.timestampMillis())
                    .put((byte) e.priority()).putInt(e.payloadSize()).put(e.payload());
        }
        return out.array();
    }

    private byte[] compress(byte[] raw) {
        if (compression == Compression.NONE) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length / 2 + 64);
        try (OutputStream out = compression == Compression.GZIP ? new GzipCompressorOutputStream(bytes)
                : new FramedLZ4CompressorOutputStream(bytes)) {
            out.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory compression failed", e);
        }
        return bytes.toByteArray();
    }

    private static byte[] decompress(Header h, byte[] bytes, int offset) throws BatchFormatException {
        if (h.compression == Compression.NONE) {
            if (h.rawLength != h.bodyLength) {
                throw new BatchFormatException("Uncompressed batch declares raw length " + h.rawLength
                        + " but body length " + h.bodyLength);
            }
            byte[] raw = new byte[h.rawLength];
            System.arraycopy(bytes, offset, raw, 0, h.rawLength);
            return raw;
        }
        ByteArrayInputStream source = new ByteArrayInputStream(bytes, offset, h.bodyLength);
        try (InputStream in = h.compression == Compression.GZIP ? new GzipCompressorInputStream(source)
                : new FramedLZ4CompressorInputStream(source)) {
            byte[] raw = new byte[h.rawLength];
            int n = in.readNBytes(raw, 0, raw.length);
            if (n < raw.length) {
                throw new BatchFormatException("Decompressed body is " + n + " bytes, header declares "
                        + h.rawLength);
            }
            // Never inflate past the declared length: that is where a decompression bomb would go.
            if (in.read() != -1) {
                throw new BatchFormatException("Decompressed body is longer than the declared " + h.rawLength
                        + " bytes");
            }
            return raw;
        } catch (BatchFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BatchFormatException("Cannot decompress " + h.compression.configName() + " batch body: "
                    + e.getMessage(), e);
        }
    }
}
