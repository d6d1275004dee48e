package io.edgeloop.transport.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.record.SensorRecordCodec;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.forward.FleetDrainer;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.forward.ForwarderStats;
import io.edgeloop.buffer.policy.CursorSync;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.transport.kafka.publish.KafkaTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The not-retryable path end to end: a device buffer drained into a Kafka transport whose producer cannot be built
 * ({@code kafka.interceptor.classes} names a class that is not on the class path). Each send fails as not
 * retryable; the forwarder's and the fleet drainer's refusal probes then find no record accepted, so they skip
 * nothing: every record stays in the buffer, the records acknowledged before stay in Kafka, and a transport with
 * good settings delivers the rest afterwards, each record once.
 */
class ProducerBuildFailureEndToEndTest {
    private static final String CURSOR = "gw";
    private static final String MISSING = "com.example.NoSuchInterceptor";

    @TempDir
    Path dir;

    private static Map<String, String> settings(String topic, String... kv) {
        Map<String, String> m = new HashMap<>(Map.of("uri", SharedBroker.get().uri(topic), "timeout", "10s"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static KafkaTransport broken(String topic) {
        return new KafkaTransport(ComponentConfig.of(settings(topic, "kafka.interceptor.classes", MISSING)));
    }

    private static DurableBuffer open(Path p) throws IOException {
        return DurableBuffer.builder().directory(p).deviceId(p.getFileName().toString())
                .durability(Durability.none()).cursorSync(CursorSync.DEFERRED).open();
    }

    private static void append(DurableBuffer b, int from, int to) throws IOException {
        for (int i = from; i <= to; i++) {
            b.append("s", SensorRecordCodec.encode(SensorEnvelopes.record("x", i)));
        }
    }

    private static Forwarder.Builder forwarder(DurableBuffer b) {
        return Forwarder.builder().source(b, CURSOR).batching(8, 1 << 20, Duration.ZERO)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200), 0, 1);
    }

    /** The sequences the cursor would send next, read without committing. */
    private static List<Long> pending(DurableBuffer b) throws IOException {
        List<Long> out = b.cursor(CURSOR).poll(1000, 1 << 24).stream().map(BufferedRecord::key)
                .map(IdempotencyKey::sequence).toList();
        b.cursor(CURSOR).rewind();
        return out;
    }

    private static Set<Long> sequencesIn(String topic) {
        List<Envelope> got = SharedBroker.envelopes(topic);
        Set<Long> seqs = got.stream().map(e -> e.key().sequence()).collect(Collectors.toSet());
        assertEquals(got.size(), seqs.size(), "each record reached Kafka once: " + got.size() + " records");
        return seqs;
    }

    private static Set<Long> range(long from, long to) {
        Set<Long> s = new HashSet<>();
        for (long i = from; i <= to; i++) {
            s.add(i);
        }
        return s;
    }

    @Test
    @DisplayName("a Forwarder keeps every record and reports the error when the producer cannot be built; nothing"
            + " acknowledged before is lost")
    void forwarderKeepsRecordsAndReportsTheError() throws Exception {
        String topic = "e2e-build-failure-forwarder";
        SharedBroker.get().createTopic(topic, 2);
        try (DurableBuffer b = open(dir.resolve("dev-f"))) {
            b.cursor(CURSOR);
            append(b, 1, 10);
            try (Forwarder good = forwarder(b).transport(new KafkaTransport(ComponentConfig.of(settings(topic))))
                    .build()) {
                assertTrue(good.drainAvailable(Duration.ofSeconds(60)), good.stats().toString());
            }
            assertTrue(pending(b).isEmpty(), "the first ten were acknowledged and committed");
            append(b, 11, 30);
            List<Long> before = pending(b);
            assertEquals(20, before.size());

            ForwarderStats stats;
            try (Forwarder bad = forwarder(b).transport(broken(topic)).build()) {
                assertFalse(bad.drainAvailable(Duration.ofSeconds(3)), "nothing can be acknowledged");
                stats = bad.stats();
            }
            assertEquals(0, stats.recordsAcknowledged(), stats.toString());
            assertEquals(0, stats.recordsRejected(), "no record may be skipped: " + stats);
            assertTrue(stats.failedAttempts() > 0, stats.toString());
            assertTrue(stats.lastError().orElse("").contains(MISSING), "the error names the missing class: "
                    + stats);
            assertEquals(before, pending(b), "every record stays in the buffer, in order");
            assertEquals(range(before.get(0) - 10, before.get(0) - 1), sequencesIn(topic),
                    "the ten acknowledged before are in Kafka, nothing else");

            try (Forwarder fixed = forwarder(b).transport(new KafkaTransport(ComponentConfig.of(settings(topic))))
                    .build()) {
                assertTrue(fixed.drainAvailable(Duration.ofSeconds(60)), fixed.stats().toString());
            }
            assertEquals(range(before.get(0) - 10, before.get(before.size() - 1)), sequencesIn(topic));
        }
    }

    @Test
    @DisplayName("a FleetDrainer (sendAsync through the hand-off thread) keeps every record of every buffer when the"
            + " producer cannot be built, and delivers them once fixed")
    void fleetDrainerKeepsRecords() throws Exception {
        String topic = "e2e-build-failure-fleet";
        SharedBroker.get().createTopic(topic, 2);
        List<Path> dirs = List.of(dir.resolve("dev-a"), dir.resolve("dev-b"), dir.resolve("dev-c"));
        Map<Path, List<Long>> before = new HashMap<>();
        for (Path p : dirs) {
            try (DurableBuffer b = open(p)) {
                b.cursor(CURSOR);
                append(b, 1, 25);
                before.put(p, pending(b));
            }
        }
        FleetDrainer.Report r;
        try (KafkaTransport t = broken(topic)) {
            r = FleetDrainer.builder().transport(t).source(CURSOR, ProducerBuildFailureEndToEndTest::open)
                    .batching(8, 1 << 20).build().drain(dirs, Duration.ofSeconds(3));
        }
        assertFalse(r.complete(), r.toString());
        assertEquals(0, r.recordsAcknowledged(), r.toString());
        assertEquals(0, r.recordsRejected(), "no record may be skipped: " + r);
        assertTrue(r.failedAttempts() > 0, r.toString());
        for (Path p : dirs) {
            try (DurableBuffer b = open(p)) {
                assertEquals(before.get(p), pending(b), "every record of " + p + " stays in the buffer");
            }
        }
        assertTrue(SharedBroker.envelopes(topic).isEmpty(), "nothing reached Kafka");
        try (KafkaTransport t = new KafkaTransport(ComponentConfig.of(settings(topic)))) {
            r = FleetDrainer.builder().transport(t).source(CURSOR, ProducerBuildFailureEndToEndTest::open)
                    .batching(8, 1 << 20).build().drain(dirs, Duration.ofSeconds(60));
        }
        assertTrue(r.complete(), r.toString());
        assertEquals(75, r.recordsAcknowledged(), r.toString());
        assertEquals(75, SharedBroker.envelopes(topic).size());
    }
}
