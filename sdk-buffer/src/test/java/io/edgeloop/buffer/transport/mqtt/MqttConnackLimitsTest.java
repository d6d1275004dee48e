package io.edgeloop.buffer.transport.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.forward.ForwarderStats;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.Compression;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real mosquitto announcing limits in its MQTT 5 CONNACK (section 3.2.2.3): Server Keep Alive
 * ({@code max_keepalive}), Maximum Packet Size ({@code max_packet_size}) and Maximum QoS ({@code max_qos}). The
 * client must obey them: use the broker's keep-alive, never send a larger packet, and not connect to a broker that
 * cannot acknowledge a publish.
 */
class MqttConnackLimitsTest {
    private static final int LIMIT = 2000;
    private static final String TOPIC = "limits/data";

    @TempDir
    Path dir;

    private static Batch batch(long first, int n, int size) {
        List<Envelope> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Envelope(new IdempotencyKey("d", "s", 1, first + i), 0, 0, new byte[size]));
        }
        return Batch.of(list);
    }

    /** The size of the PUBLISH packet the transport builds for a batch (default settings: no compression). */
    private static int packetSize(Batch b) {
        byte[] payload = BatchCodec.of(Compression.NONE, 64 << 20).encode(b);
        return MqttPackets.publishHeader(MqttPackets.V5, TOPIC, 1, payload.length).length + payload.length;
    }

    /** A one-record batch whose PUBLISH packet is exactly {@code packetBytes} long. */
    private static Batch batchOfPacketSize(long seq, int packetBytes) {
        for (int size = 1; size < packetBytes; size++) {
            Batch b = batch(seq, 1, size);
            if (packetSize(b) == packetBytes) {
                return b;
            }
        }
        throw new AssertionError("no record size gives a " + packetBytes + "-byte packet");
    }

    private static long count(String text, String part) {
        return text.lines().filter(l -> l.contains(part)).count();
    }

    @Test
    @DisplayName("uses the broker's Server Keep Alive instead of its own: a connection idle past it is replaced"
            + " before the next publish, not found dead by a failed one")
    void usesTheBrokersServerKeepAlive() throws Exception {
        // mosquitto's smallest max_keepalive is 10 s (its CONNACK then says Server Keep Alive 10); it drops a client
        // idle for 1.5 times that. The old client kept its own 60 s: after 20 s idle its publish went to the
        // connection the broker had closed and failed ("broker closed the connection"). Idle 11 s here: past the
        // broker's keep-alive, before its drop, so the reconnect proves the client used 10 s, not 60 s.
        try (MosquittoBroker broker = MosquittoBroker.start(dir, false, "allow_anonymous true\nmax_keepalive 10\n");
                Transport t = MqttTransportTest.transport(broker.uri(TOPIC), "keep-alive", "60s")) {
            t.send(batch(1, 1, 10));
            Thread.sleep(11_000);
            t.send(batch(2, 1, 10));
            assertEquals(2, count(broker.log(), "New client connected"), broker.log());
            assertEquals(0, count(broker.log(), "exceeded timeout"), broker.log());
        }
    }

    @Test
    @DisplayName("never sends a packet over the broker's Maximum Packet Size: the send fails, not retryable,"
            + " naming the limit, the connection stays, and a packet of exactly the limit goes through")
    void refusesABatchOverMaximumPacketSizeWithoutSendingIt() throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start(dir, false,
                "allow_anonymous true\nmax_packet_size " + LIMIT + "\n");
                Transport t = MqttTransportTest.transport(broker.uri(TOPIC));
                MqttCollector sub = new MqttCollector(broker.pahoUri(), TOPIC, false)) {
            Batch over = batchOfPacketSize(1, LIMIT + 1);
            TransportException e = assertThrows(TransportException.class, () -> t.send(over));
            assertFalse(e.isRetryable(), "the batch itself can never be accepted: " + e);
            assertTrue(e.getMessage().contains("Maximum Packet Size of " + LIMIT + " bytes"), e.getMessage());
            assertTrue(e.getMessage().contains((LIMIT + 1) + "-byte"), e.getMessage());
            // a record far larger than the limit: once on the wire, the broker's reset could beat its DISCONNECT
            TransportException huge = assertThrows(TransportException.class, () -> t.send(batch(2, 1, 1 << 20)));
            assertFalse(huge.isRetryable(), huge.toString());
            t.send(batchOfPacketSize(3, LIMIT));
            t.send(batch(4, 5, 10));
            sub.sync();
            Set<Long> got = new TreeSet<>();
            sub.envelopes().forEach(x -> got.add(x.key().sequence()));
            assertEquals(Set.of(3L, 4L, 5L, 6L, 7L, 8L), got, broker.log());
            String log = broker.log();
            assertEquals(0, count(log, "oversize packet"), "an oversized packet reached the broker: " + log);
            // 2: the transport once (its connection survived the refusals) and the subscriber
            assertEquals(2, count(log, "New client connected"), log);
        }
    }

    @Test
    @DisplayName("a forwarder skips a record that can never fit the broker's Maximum Packet Size, counts it as"
            + " rejected with the limit in its stats, and delivers every other record")
    void forwarderSkipsARecordTooLargeForTheBroker() throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start(dir, false,
                "allow_anonymous true\nmax_packet_size " + LIMIT + "\n");
                MqttCollector sub = new MqttCollector(broker.pahoUri(), TOPIC, false);
                DurableBuffer b = DurableBuffer.builder().directory(dir.resolve("buf")).deviceId("d")
                        .durability(Durability.always()).open()) {
            for (int i = 1; i <= 40; i++) {
                b.append("s", new byte[i == 17 ? 5000 : 60]);
            }
            try (Forwarder f = Forwarder.builder().source(b, "up")
                    .transport(new MqttTransportProvider(), ComponentConfig.builder()
                            .put("uri", broker.uri(TOPIC)).build())
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(50), 0, 1).build()) {
                assertTrue(f.drainAvailable(Duration.ofSeconds(30)), f.stats().toString());
                ForwarderStats s = f.stats();
                assertEquals(1, s.recordsRejected(), s.toString());
                assertEquals(39, s.recordsAcknowledged(), s.toString());
                assertTrue(s.lastError().orElse("").contains("Maximum Packet Size of " + LIMIT + " bytes"),
                        s.toString());
            }
            sub.sync();
            Set<Long> got = new TreeSet<>();
            sub.envelopes().forEach(x -> got.add(x.key().sequence()));
            Set<Long> want = new TreeSet<>();
            for (long i = 1; i <= 40; i++) {
                if (i != 17) {
                    want.add(i);
                }
            }
            assertEquals(want, got);
            assertEquals(0, count(broker.log(), "oversize packet"), broker.log());
        }
    }

    @Test
    @DisplayName("refuses, retryably and without publishing, to use a broker whose Maximum QoS is 0: it could"
            + " acknowledge nothing")
    void refusesABrokerThatAllowsOnlyQos0() throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start(dir, false, "allow_anonymous true\nmax_qos 0\n");
                Transport t = MqttTransportTest.transport(broker.uri(TOPIC))) {
            TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 1, 10)));
            assertTrue(e.isRetryable(), "the broker refuses every record alike: keep them; " + e);
            assertTrue(e.getMessage().contains("Maximum QoS 0"), e.getMessage());
            assertEquals(0, count(broker.log(), "Too high QoS"), "a QoS 1 PUBLISH was sent: " + broker.log());
        }
    }

    @Test
    @DisplayName("protocol-version=3.1.1 cannot learn Maximum Packet Size: the broker drops the connection and the"
            + " send fails retryably, as documented")
    void mqtt311CannotLearnTheMaximumPacketSize() throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start(dir, false,
                "allow_anonymous true\nmax_packet_size " + LIMIT + "\n");
                Transport t = MqttTransportTest.transport(broker.uri(TOPIC), "protocol-version", "3.1.1")) {
            TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 1, 3000)));
            assertTrue(e.isRetryable(), e.toString());
            assertEquals(1, count(broker.log(), "oversize packet"), broker.log());
            t.send(batch(2, 1, 10));
        }
    }
}
