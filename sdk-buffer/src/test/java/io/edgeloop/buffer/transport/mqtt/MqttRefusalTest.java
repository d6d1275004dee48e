package io.edgeloop.buffer.transport.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.forward.ForwarderStats;
import io.edgeloop.buffer.policy.Durability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real mosquitto that refuses publishes: by its ACL (anonymous clients may write only {@code ok/#}) and by its
 * {@code message_size_limit}. Over MQTT 5 the broker says so in the PUBACK's reason code, and nothing refused may
 * count as delivered.
 */
class MqttRefusalTest {
    @TempDir
    Path dir;

    private MosquittoBroker refusingBroker() throws Exception {
        Path acl = dir.resolve("acl");
        Files.writeString(acl, "topic read #\ntopic write ok/#\n");
        return MosquittoBroker.start(dir, false, "allow_anonymous true\nacl_file " + acl
                + "\nmessage_size_limit 4000\n");
    }

    private static Batch batch(long first, int n, int size) {
        List<Envelope> list = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Envelope(new IdempotencyKey("d", "s", 1, first + i), 0, 0, new byte[size]));
        }
        return Batch.of(list);
    }

    @Test
    @DisplayName("a publish the broker's ACL denies fails retryably with PUBACK reason 0x87, an allowed one goes"
            + " through on the same broker")
    void aclDeniedPublishFails() throws Exception {
        try (MosquittoBroker broker = refusingBroker();
                Transport denied = MqttTransportTest.transport(broker.uri("dev/data"));
                Transport allowed = MqttTransportTest.transport(broker.uri("ok/data"));
                MqttCollector sub = new MqttCollector(broker.pahoUri(), "ok/data", false)) {
            TransportException e = assertThrows(TransportException.class, () -> denied.send(batch(1, 5, 10)));
            assertTrue(e.isRetryable(), "an ACL refuses every record alike: keep them and retry; " + e);
            assertTrue(e.getMessage().contains("not authorized (0x87)"), e.getMessage());
            // the connection survives a refused publish: the next one is refused the same way, not by a dead socket
            TransportException again = assertThrows(TransportException.class, () -> denied.send(batch(1, 5, 10)));
            assertTrue(again.getMessage().contains("0x87"), again.getMessage());
            allowed.send(batch(1, 5, 10));
            sub.sync();
            Set<Long> got = new HashSet<>();
            sub.envelopes().forEach(x -> got.add(x.key().sequence()));
            assertEquals(Set.of(1L, 2L, 3L, 4L, 5L), got, broker.log());
        }
    }

    @Test
    @DisplayName("a publish over message_size_limit fails with PUBACK reason 0x95, not retryable (a forwarder"
            + " splits it)")
    void oversizedPublishFails() throws Exception {
        try (MosquittoBroker broker = refusingBroker();
                Transport t = MqttTransportTest.transport(broker.uri("ok/big"))) {
            TransportException e = assertThrows(TransportException.class, () -> t.send(batch(1, 4, 2000)));
            assertFalse(e.isRetryable(), e.toString());
            assertTrue(e.getMessage().contains("packet too large (0x95)"), e.getMessage());
            t.send(batch(1, 1, 2000));
        }
    }

    /** The raw PUBACK mosquitto answers a QoS 1 MQTT 5 PUBLISH with (its body after the fixed header). */
    private static byte[] rawPuback(MosquittoBroker broker, String topic, int payloadBytes) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", broker.port())) {
            s.setSoTimeout(30_000);
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(
                    s.getInputStream()));
            java.io.OutputStream out = s.getOutputStream();
            out.write(MqttPackets.connect(MqttPackets.V5, "raw-" + topic.hashCode(), true, 60, null, null));
            out.flush();
            assertEquals(MqttPackets.CONNACK, MqttPackets.read(in).type());
            out.write(MqttPackets.publishHeader(MqttPackets.V5, topic, 7, payloadBytes));
            out.write(new byte[payloadBytes]);
            out.flush();
            MqttPackets.Packet ack = MqttPackets.read(in);
            assertEquals(MqttPackets.PUBACK, ack.type());
            return ack.body();
        }
    }

    @Test
    @DisplayName("the refusal message quotes a Reason String exactly when mosquitto's PUBACK carries one (2.0.11:"
            + " never, it sends 00 07 87 and 00 07 95)")
    void refusalQuotesWhatTheBrokerSent() throws Exception {
        try (MosquittoBroker broker = refusingBroker();
                Transport denied = MqttTransportTest.transport(broker.uri("dev/data"));
                Transport big = MqttTransportTest.transport(broker.uri("ok/big"))) {
            Object[][] cases = {{denied, "dev/data", 10, batch(1, 5, 10), 0x87},
                {big, "ok/big", 8000, batch(1, 4, 2000), 0x95}};
            for (Object[] c : cases) {
                byte[] raw = rawPuback(broker, (String) c[1], (Integer) c[2]);
                assertEquals((Integer) c[4], raw[2] & 0xFF, java.util.HexFormat.of().formatHex(raw));
                String reason = MqttPackets.reasonString(raw, 3);
                TransportException e = assertThrows(TransportException.class, () -> ((Transport) c[0])
                        .send((Batch) c[3]));
                assertEquals(reason != null, e.getMessage().contains("broker's reason"), "PUBACK "
                        + java.util.HexFormat.of().formatHex(raw) + ": " + e.getMessage());
            }
        }
    }

    @Test
    @DisplayName("a forwarder to a topic the ACL denies acknowledges nothing and shows the refusal in its stats")
    void forwarderKeepsRecordsTheBrokerRefuses() throws Exception {
        try (MosquittoBroker broker = refusingBroker();
                DurableBuffer b = DurableBuffer.builder().directory(dir.resolve("buf")).deviceId("d")
                        .durability(Durability.always()).open()) {
            for (int i = 0; i < 100; i++) {
                b.append("s", new byte[20]);
            }
            try (Forwarder f = Forwarder.builder().source(b, "up")
                    .transport(new MqttTransportProvider(), ComponentConfig.builder()
                            .put("uri", broker.uri("dev/data")).build())
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(50), 0, 1).build()) {
                assertFalse(f.drainAvailable(Duration.ofSeconds(2)), "nothing may count as delivered");
                ForwarderStats s = f.stats();
                assertEquals(0, s.recordsAcknowledged(), s.toString());
                assertEquals(0, s.recordsRejected(), s.toString());
                assertTrue(s.failedAttempts() > 0, s.toString());
                assertTrue(s.lastError().orElse("").contains("not authorized"), s.toString());
            }
            Cursor c = b.cursor("up");
            assertEquals(0, c.committedPosition(), "the cursor must not move past refused records");
            // once the broker's settings are fixed (here: the allowed topic), the same records go through
            try (Forwarder f = Forwarder.builder().source(b, "up")
                    .transport(new MqttTransportProvider(), ComponentConfig.builder()
                            .put("uri", broker.uri("ok/data")).build()).build()) {
                assertTrue(f.drainAvailable(Duration.ofSeconds(30)), f.stats().toString());
                assertEquals(100, f.stats().recordsAcknowledged());
            }
        }
    }

    @Test
    @DisplayName("protocol-version=3.1.1 shows the documented trap: mosquitto acknowledges a publish it drops")
    void mqtt311CannotSignalRefusal() throws Exception {
        try (MosquittoBroker broker = refusingBroker();
                Transport t = MqttTransportTest.transport(broker.uri("dev/data"), "protocol-version", "3.1.1")) {
            // No exception: MQTT 3.1.1's PUBACK has no reason code. The README and ARCHITECTURE warn about this.
            t.send(batch(1, 5, 10));
        }
        assertEquals("protocol-version", assertThrows(ConfigException.class,
                () -> MqttTransportTest.transport("mqtt://127.0.0.1/a", "protocol-version", "4")).key());
        assertEquals("publish-timeout", assertThrows(ConfigException.class,
                () -> MqttTransportTest.transport("mqtt://127.0.0.1/a", "publish-timeout", "0s")).key());
    }
}
