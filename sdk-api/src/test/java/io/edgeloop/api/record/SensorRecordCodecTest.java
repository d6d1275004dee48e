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
    @DisplayName("idempotency keys round-trip through text, with slashes in ids")
    void keyText() {
        IdempotencyKey k = new IdempotencyKey("site/7%", "a/b", 3, 99);
        assertEquals("site%2F7%25/a%2Fb/3/99", k.toString());
        assertEquals(k, IdempotencyKey.parse(k.toString()));
        assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.parse("a/b/c"));
        assertThrows(IllegalArgumentException.class, () -> new IdempotencyKey("d", "s", 0, 0));
    }
}
