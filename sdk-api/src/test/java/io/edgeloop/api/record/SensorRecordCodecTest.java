package io.edgeloop.api.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Sensor records and idempotency keys")
class SensorRecordCodecTest {
    private final SensorRecord record = SensorRecord.builder().deviceId("dev-ü1").stream("env").timestampMillis(1_423_000_000_000L)
            .sequence(17).channel("temperature", 23.18).channel("co2", Double.NaN).flag(QualityFlag.SATURATED).build();

    @Test
    @DisplayName("round-trip through the binary codec, NaN and flags included")
    void roundTrip() {
        SensorRecord back = SensorRecordCodec.decode(SensorRecordCodec.encode(record));
        assertEquals(record, back);
        assertTrue(back.flags().contains(QualityFlag.MISSING), "NaN marks the record MISSING");
        assertTrue(Double.isNaN(back.value("co2")));
    }

    @Test
    @DisplayName("reject truncated, trailing and unknown-version bytes with a clear error")
    void rejectsBadBytes() {
        byte[] b = SensorRecordCodec.encode(record);
        for (int n = 0; n < b.length; n++) {
            byte[] cut = Arrays.copyOf(b, n);
            assertThrows(IllegalArgumentException.class, () -> SensorRecordCodec.decode(cut), "cut at " + n);
        }
        byte[] longer = Arrays.copyOf(b, b.length + 1);
        assertThrows(IllegalArgumentException.class, () -> SensorRecordCodec.decode(longer));
        b[0] = 9;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SensorRecordCodec.decode(b));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }

    @Test
    @DisplayName("refuse a record with flag bits this reader does not know, naming the bits: they may change what"
            + " the values mean")
    void rejectsUnknownFlagBits() {
        byte[] b = SensorRecordCodec.encode(record);
        // the u16 flag bits follow version, two utf strings and two i64s
        int at = 1 + 2 + "dev-ü1".getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 2 + "env".length() + 16;
        assertEquals(SensorRecordCodec.flagBits(record.flags()), (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF));
        for (int bit = QualityFlag.values().length; bit < 16; bit++) {
            byte[] c = b.clone();
            int bits = SensorRecordCodec.flagBits(record.flags()) | 1 << bit;
            c[at] = (byte) (bits >> 8);
            c[at + 1] = (byte) bits;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SensorRecordCodec.decode(c), "bit " + bit);
            assertTrue(e.getMessage().contains(String.format("unknown flag bits 0x%04X", 1 << bit)), e.getMessage());
            assertTrue(e.getMessage().contains("dev-ü1/env seq 17"), e.getMessage());
        }
        // every known bit alone still decodes
        for (QualityFlag f : QualityFlag.values()) {
            SensorRecord one = SensorRecord.builder().deviceId("d").stream("s").timestampMillis(1).sequence(1)
                    .channel("c", 1.0).flag(f).build();
            assertEquals(one, SensorRecordCodec.decode(SensorRecordCodec.encode(one)));
        }
    }

    @Test
    @DisplayName("idempotency keys round-trip through text, with slashes in ids")
    void keyText() {
        IdempotencyKey k = new IdempotencyKey("site/7%", "a/b", 3, 99);
        assertEquals("site%2F7%25/a%2Fb/3/99", k.toString());
        assertEquals(k, IdempotencyKey.parse(k.toString()));
        assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.parse("a/b/c"));
        assertThrows(IllegalArgumentException.class, () -> new IdempotencyKey("d", "s", 0, 0));
    }
}
