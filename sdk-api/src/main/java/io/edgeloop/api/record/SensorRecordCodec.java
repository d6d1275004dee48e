package io.edgeloop.api.record;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The compact binary form of a {@link SensorRecord}, used as the payload of buffered records so that every
 * transport and receiver decodes the same bytes. Format version 1 (big-endian):
 * <pre>
 * u8 version=1 | utf deviceId | utf stream | i64 timestampMillis | i64 sequence | u16 flagsBits
 * | u16 channelCount | channelCount × (utf name | f64 value)
 * </pre>
 * where {@code utf} is a u16 byte length followed by UTF-8 bytes, and bit {@code i} of {@code flagsBits} is the
 * {@link QualityFlag} of ordinal {@code i} (bits 5 to 15 are reserved and written as 0). Decoding rejects unknown
 * versions, malformed input and flag bits it does not know (they may change the meaning of the values) with
 * {@link IllegalArgumentException}. The format is documented in {@code docs/formats/sensor-record.md}.
 *
 * <p>Thread-safe: stateless.
 */
public final class SensorRecordCodec {
    /** The format version written by {@link #encode(SensorRecord)}. */
    public static final int VERSION = 1;

    private SensorRecordCodec() {
    }

    /**
     * Encodes a record.
     *
     * @param record the record
     * @return its bytes
     */
    public static byte[] encode(SensorRecord record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + record.channels().size() * 16);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            writeUtf(out, record.deviceId());
            writeUtf(out, record.stream());
            out.writeLong(record.timestampMillis());
            out.writeLong(record.sequence());
            int bits = 0;
            for (QualityFlag f : record.flags()) {
                bits |= 1 << f.ordinal();
            }
            out.writeShort(bits);
            if (record.channels().size() > 0xFFFF) {
                throw new IllegalArgumentException("A record may hold at most 65535 channels");
            }
            out.writeShort(record.channels().size());
            for (var e : record.channels().entrySet()) {
                writeUtf(out, e.getKey());
                out.writeDouble(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes a record.
     *
     * @param bytes the encoded bytes
     * @return the record
     * @throws IllegalArgumentException when the bytes are not a version-1 record, or set flag bits this SDK does not
     *                                  know (the message names them)
     */
    public static SensorRecord decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            int version = in.get() & 0xFF;
            if (version != VERSION) {
                throw new IllegalArgumentException("Unsupported sensor record format version " + version
                        + " (this SDK reads version " + VERSION + ")");
            }
            String deviceId = readUtf(in);
            String stream = readUtf(in);
            long timestamp = in.getLong();
            long sequence = in.getLong();
            SensorRecord.Builder b = SensorRecord.builder().deviceId(deviceId).stream(stream)
                    .timestampMillis(timestamp).sequence(sequence);
            int bits = in.getShort() & 0xFFFF;
            QualityFlag[] all = QualityFlag.values();
            int unknown = bits & ~((1 << all.length) - 1);
            if (unknown != 0) {
                // A newer writer's flag may change what the values mean (say, "values are deltas"): reading the
                // record without it would silently misread it, so refuse it whole.
                throw new IllegalArgumentException(String.format("Sensor record %s/%s seq %d has unknown flag bits"
                        + " 0x%04X (this SDK knows 0x%04X: %s); a newer writer may give them a meaning that changes"
                        + " how the values read, so the record is refused (docs/formats/sensor-record.md)",
                        deviceId, stream, sequence, unknown, (1 << all.length) - 1, knownFlagNames()));
            }
            for (int i = 0; i < all.length; i++) {
                if ((bits & (1 << i)) != 0) {
                    b.flag(all[i]);
                }
            }
            int n = in.getShort() & 0xFFFF;
            for (int i = 0; i < n; i++) {
                b.channel(readUtf(in), in.getDouble());
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("Trailing " + in.remaining() + " bytes after sensor record");
            }
            return b.build();
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("Truncated sensor record (" + bytes.length + " bytes)", e);
        }
    }

    /**
     * Returns the flags encoded as bits, as the format stores them.
     *
     * @param flags the flags
     * @return the bit set
     */
    public static int flagBits(Set<QualityFlag> flags) {
        int bits = 0;
        for (QualityFlag f : flags) {
            bits |= 1 << f.ordinal();
        }
        return bits;
    }

    private static String knownFlagNames() {
        StringBuilder names = new StringBuilder();
        for (QualityFlag f : QualityFlag.values()) {
            names.append(names.length() == 0 ? "" : ", ").append(f.name()).append('=').append(1 << f.ordinal());
        }
        return names.toString();
    }

    private static void writeUtf(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("String longer than 65535 UTF-8 bytes");
        }
        out.writeShort(b.length);
        out.write(b);
    }

    private static String readUtf(ByteBuffer in) {
        int len = in.getShort() & 0xFFFF;
        byte[] b = new byte[len];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

}
