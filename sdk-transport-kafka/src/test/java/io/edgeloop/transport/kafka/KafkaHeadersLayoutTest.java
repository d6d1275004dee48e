package io.edgeloop.transport.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
    private static ConsumerRecord<byte[], byte[]> consumed(ProducerRecord<byte[], byte[]> p) {
        return new ConsumerRecord<>(p.topic(), 0, 7, p.timestamp(), TimestampType.CREATE_TIME, -1, -1, p.key(),
                p.value(), p.headers(), Optional.empty());
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
}
