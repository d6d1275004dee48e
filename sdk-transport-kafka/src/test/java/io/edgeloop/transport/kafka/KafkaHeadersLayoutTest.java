package io.edgeloop.transport.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KafkaHeadersLayoutTest {
    /** The record as a consumer reads it; the producer stamps one without a timestamp with its clock. */
    private static ConsumerRecord<byte[], byte[]> consumed(ProducerRecord<byte[], byte[]> p) {
        long time = p.timestamp() != null ? p.timestamp() : System.currentTimeMillis();
        return new ConsumerRecord<>(p.topic(), 0, 7, time, TimestampType.CREATE_TIME, -1, -1, p.key(), p.value(),
                p.headers(), Optional.empty());
    }

    @Test
    @DisplayName("the per-batch layout writes exactly what the one-record layout writes, across devices, streams,"
            + " epochs, escaped characters and large numbers, and every record reads back as its envelope")
    void layoutMatchesOneRecordLayout() {
        List<IdempotencyKey> keys = List.of(new IdempotencyKey("dev-1", "accel", 1, 1),
                new IdempotencyKey("dev-1", "accel", 1, 255), new IdempotencyKey("dev-1", "accel", 1, 256),
                new IdempotencyKey("dev/ice %1 ü", "str/eam", 7, 42), new IdempotencyKey("dev-1", "accel", 2, 3),
                new IdempotencyKey("dev-2", "accel", 2, Long.MAX_VALUE), new IdempotencyKey("dev-2", "temp", 2, 4));
        KafkaHeaders.Layout layout = new KafkaHeaders.Layout("t");
        int i = 0;
        for (IdempotencyKey k : keys) {
            Envelope e = new Envelope(k, 1_700_000_000_000L + i, i % 10, ("p" + i).getBytes(StandardCharsets.UTF_8));
            ProducerRecord<byte[], byte[]> fast = layout.toProducerRecord(e);
            ProducerRecord<byte[], byte[]> plain = KafkaHeaders.toProducerRecord("t", e);
            assertArrayEquals(plain.key(), fast.key());
            assertArrayEquals(plain.value(), fast.value());
            Header[] a = plain.headers().toArray();
            Header[] b = fast.headers().toArray();
            assertEquals(a.length, b.length);
            for (int h = 0; h < a.length; h++) {
                assertEquals(a[h].key(), b[h].key());
                assertArrayEquals(a[h].value(), b[h].value(), a[h].key() + " of " + k);
            }
            assertEquals(k.toString(), new String(fast.headers().lastHeader(KafkaHeaders.IDEMPOTENCY_KEY).value(),
                    StandardCharsets.UTF_8));
            Envelope back = KafkaHeaders.toEnvelope(consumed(fast));
            assertEquals(k, back.key());
            assertEquals(e.priority(), back.priority());
            assertEquals(e.timestampMillis(), back.timestampMillis());
            i++;
        }
    }

    @Test
    @DisplayName("an envelope stamped before 1970 (a negative time, which a Kafka record cannot carry) goes out with"
            + " the producer's time and its own in the edgeloop-timestamp header, and reads back as its envelope")
    void negativeTimestampTravelsInHeader() {
        // ProducerRecord refused it with IllegalArgumentException, which the Forwarder retries for ever: the device's
        // buffer was held back for good behind one record (found by the transport kit's early-timestamp envelope)
        Envelope e = new Envelope(new IdempotencyKey("dev-1", "accel", 1, 1), -1_000L, 3, new byte[] {7});
        for (ProducerRecord<byte[], byte[]> p : List.of(KafkaHeaders.toProducerRecord("t", e),
                new KafkaHeaders.Layout("t").toProducerRecord(e))) {
            assertEquals(null, p.timestamp(), "the producer stamps the record");
            assertEquals("-1000", new String(p.headers().lastHeader(KafkaHeaders.DEVICE_TIMESTAMP).value(),
                    StandardCharsets.US_ASCII));
            ConsumerRecord<byte[], byte[]> c = new ConsumerRecord<>(p.topic(), 0, 7, 1_764_460_800_000L,
                    TimestampType.CREATE_TIME, -1, -1, p.key(), p.value(), p.headers(), Optional.empty());
            assertEquals(e, KafkaHeaders.toEnvelope(c));
        }
    }

    @Test
    @DisplayName("an envelope stamped more than 10 minutes before the producer's clock (a buffered backlog) goes out"
            + " with the producer's time, which retention counts from, and its own in the edgeloop-timestamp header;"
            + " one within 10 minutes before or 50 after keeps its time as the record's")
    void oldTimestampTravelsInHeader() {
        long now = 1_764_460_800_000L;
        KafkaHeaders.Layout layout = new KafkaHeaders.Layout("t", () -> now);
        long[] stale = {now - KafkaHeaders.PAST_TIMESTAMP_LIMIT_MILLIS - 1, now - 8L * 24 * 3_600_000, 0L};
        for (long time : stale) {
            Envelope e = new Envelope(new IdempotencyKey("dev-1", "accel", 1, 1), time, 3, new byte[] {7});
            ProducerRecord<byte[], byte[]> p = layout.toProducerRecord(e);
            assertEquals(null, p.timestamp(), "the producer stamps the record of " + time);
            assertEquals(Long.toString(time), new String(p.headers().lastHeader(KafkaHeaders.DEVICE_TIMESTAMP).value(),
                    StandardCharsets.US_ASCII));
            ConsumerRecord<byte[], byte[]> c = new ConsumerRecord<>(p.topic(), 0, 7, now, TimestampType.CREATE_TIME,
                    -1, -1, p.key(), p.value(), p.headers(), Optional.empty());
            assertEquals(e, KafkaHeaders.toEnvelope(c));
        }
        long[] current = {now - KafkaHeaders.PAST_TIMESTAMP_LIMIT_MILLIS, now - 1, now,
            now + KafkaHeaders.FUTURE_TIMESTAMP_LIMIT_MILLIS};
        for (long time : current) {
            Envelope e = new Envelope(new IdempotencyKey("dev-1", "accel", 1, 2), time, 3, new byte[] {7});
            ProducerRecord<byte[], byte[]> p = layout.toProducerRecord(e);
            assertEquals(time, p.timestamp(), "the record keeps the envelope's time");
            assertEquals(null, p.headers().lastHeader(KafkaHeaders.DEVICE_TIMESTAMP));
            assertEquals(e, KafkaHeaders.toEnvelope(consumed(p)));
        }
        // the one-record layout applies the same rule with the system clock
        Envelope week = new Envelope(new IdempotencyKey("dev-1", "accel", 1, 3),
                System.currentTimeMillis() - 8L * 24 * 3_600_000, 3, new byte[] {7});
        assertEquals(null, KafkaHeaders.toProducerRecord("t", week).timestamp());
    }

    @Test
    @DisplayName("the reusing key reader reads exactly what the one-record reader reads, across devices, streams,"
            + " epochs, escaped characters, 19-digit sequences and sequences with leading zeros, and refuses what it"
            + " refuses")
    void readerMatchesOneRecordReader() {
        List<IdempotencyKey> keys = List.of(new IdempotencyKey("dev-1", "accel", 1, 1),
                new IdempotencyKey("dev-1", "accel", 1, 2), new IdempotencyKey("dev-1", "accel", 1, 999_999),
                new IdempotencyKey("dev/ice %1 ü", "str/eam", 7, 42), new IdempotencyKey("dev/ice %1 ü", "str/eam", 7, 43),
                new IdempotencyKey("dev-1", "accel", 2, 3), new IdempotencyKey("dev-1", "accel", 2, Long.MAX_VALUE),
                new IdempotencyKey("dev-1", "accel", 2, 4), new IdempotencyKey("dev-2", "accel", 2, 4),
                new IdempotencyKey("dev-2", "temp", 2, 4));
        KafkaHeaders.Layout layout = new KafkaHeaders.Layout("t");
        KafkaHeaders.Reader reader = new KafkaHeaders.Reader();
        for (IdempotencyKey k : keys) {
            ConsumerRecord<byte[], byte[]> r = consumed(layout.toProducerRecord(new Envelope(k, 1L, 0, new byte[] {1})));
            assertEquals(KafkaHeaders.idempotencyKey(r), reader.idempotencyKey(r));
            assertEquals(k, reader.idempotencyKey(r));
        }
        ConsumerRecord<byte[], byte[]> zeros = withKey("dev-1/accel/2/0005");
        assertEquals(new IdempotencyKey("dev-1", "accel", 2, 5), reader.idempotencyKey(zeros));
        assertEquals(KafkaHeaders.idempotencyKey(zeros), reader.idempotencyKey(zeros));
        for (String bad : List.of("dev-1/accel/2/0", "dev-1/accel/2/", "dev-1/accel/2/-4", "dev-1/accel/2/x",
                "dev-1/accel/2/99999999999999999999", "dev-1/accel/2")) {
            ConsumerRecord<byte[], byte[]> r = withKey(bad);
            IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
                    () -> KafkaHeaders.idempotencyKey(r), bad);
            IllegalArgumentException fast = assertThrows(IllegalArgumentException.class,
                    () -> reader.idempotencyKey(r), bad);
            assertEquals(plain.getMessage(), fast.getMessage());
        }
        ConsumerRecord<byte[], byte[]> noKey = withKey("dev-1/accel/2/7");
        noKey.headers().remove(KafkaHeaders.IDEMPOTENCY_KEY);
        assertEquals(assertThrows(IllegalArgumentException.class, () -> KafkaHeaders.idempotencyKey(noKey)).getMessage(),
                assertThrows(IllegalArgumentException.class, () -> reader.idempotencyKey(noKey)).getMessage());
        ConsumerRecord<byte[], byte[]> v2 = withKey("dev-1/accel/2/7");
        v2.headers().remove(KafkaHeaders.FORMAT);
        v2.headers().add(KafkaHeaders.FORMAT, "2".getBytes(StandardCharsets.US_ASCII));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> reader.idempotencyKey(v2)).getMessage()
                .contains("format version 2"));
        ConsumerRecord<byte[], byte[]> v11 = withKey("dev-1/accel/2/8");
        v11.headers().remove(KafkaHeaders.FORMAT);
        v11.headers().add(KafkaHeaders.FORMAT, "1.1".getBytes(StandardCharsets.US_ASCII));
        assertEquals(new IdempotencyKey("dev-1", "accel", 2, 8), reader.idempotencyKey(v11), "a minor version reads");
    }

    private static ConsumerRecord<byte[], byte[]> withKey(String text) {
        ProducerRecord<byte[], byte[]> p = new KafkaHeaders.Layout("t").toProducerRecord(
                new Envelope(new IdempotencyKey("dev-1", "accel", 2, 1), 1L, 0, new byte[] {1}));
        p.headers().remove(KafkaHeaders.IDEMPOTENCY_KEY);
        p.headers().add(KafkaHeaders.IDEMPOTENCY_KEY, text.getBytes(StandardCharsets.UTF_8));
        return consumed(p);
    }
}
