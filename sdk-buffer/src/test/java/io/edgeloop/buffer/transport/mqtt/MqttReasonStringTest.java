package io.edgeloop.buffer.transport.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Reason String (property 0x1F) of an MQTT 5 PUBACK refusal or DISCONNECT in the send's error message, beside
 * the reason code's name. mosquitto 2.0.11 never sends one (its PUBACK refusals are {@code 00 01 87} and
 * {@code 00 01 95}, its DISCONNECTs {@code 95} and {@code 82}: captured from the broker MqttRefusalTest starts), so
 * the broker here is a real TCP server at the test's edge that answers CONNECT and then each PUBLISH with scripted
 * bytes, as HiveMQ or EMQX do when they explain a refusal.
 */
class MqttReasonStringTest {
    private static Batch batch() {
        return Batch.of(List.of(new Envelope(new IdempotencyKey("d", "s", 1, 1), 0, 0, new byte[10])));
    }

    /** An MQTT 5 property section: the variable-length property length, then the properties. */
    private static byte[] properties(byte[]... props) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : props) {
            all.writeBytes(p);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = all.size();
        do {
            int d = n % 128;
            n /= 128;
            out.write(n > 0 ? d | 0x80 : d);
        } while (n > 0);
        out.writeBytes(all.toByteArray());
        return out.toByteArray();
    }

    private static byte[] utf(int id, String... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(id);
        for (String s : strings) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write(b.length >> 8);
            out.write(b.length);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private static byte[] packet(int first, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            body.writeBytes(p);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        int n = body.size();
        do {
            int d = n % 128;
            n /= 128;
            out.write(n > 0 ? d | 0x80 : d);
        } while (n > 0);
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    /** A PUBACK for packet {@code id} with a reason code and raw bytes after it (the property section). */
    private static IntFunction<byte[]> puback(int reason, byte[] after) {
        return id -> packet(0x40, new byte[] {(byte) (id >> 8), (byte) id, (byte) reason}, after);
    }

    private static IntFunction<byte[]> disconnect(int reason, byte[] after) {
        return id -> packet(0xE0, new byte[] {(byte) reason}, after);
    }

    /**
     * Sends one batch through the transport to a server that answers its PUBLISH with {@code answer}, and returns
     * the send's failure.
     */
    private static TransportException refusal(IntFunction<byte[]> answer) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread broker = new Thread(() -> {
                try (Socket s = server.accept()) {
                    DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
                    OutputStream out = s.getOutputStream();
                    MqttPackets.Packet connect = MqttPackets.read(in);
                    assertEquals(MqttPackets.CONNECT, connect.type());
                    out.write(HexFormat.of().parseHex("2003000000")); // CONNACK: accepted, no properties
                    MqttPackets.Packet publish = MqttPackets.read(in, 1 << 20);
                    assertEquals(MqttPackets.PUBLISH, publish.type());
                    byte[] b = publish.body();
                    int topic = (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
                    int id = (b[2 + topic] & 0xFF) << 8 | (b[3 + topic] & 0xFF);
                    out.write(answer.apply(id));
                    out.flush();
                    // keep the connection open until the client has read the answer and closed its side
                    while (in.read() >= 0) {
                        // drain
                    }
                } catch (IOException e) {
                    // the client closed first
                }
            }, "scripted-mqtt-broker");
            broker.setDaemon(true);
            broker.start();
            try (Transport t = MqttTransportTest.transport("mqtt://127.0.0.1:" + server.getLocalPort() + "/dev/data",
                    "publish-timeout", "10s")) {
                return assertThrows(TransportException.class, () -> t.send(batch()));
            } finally {
                broker.join(10_000);
            }
        }
    }

    @Test
    @DisplayName("a PUBACK refusal names the reason code and quotes the broker's Reason String; retryable as before")
    void pubackRefusalCarriesTheReasonString() throws Exception {
        TransportException e = refusal(puback(0x87, properties(utf(0x26, "node", "b3"),
                utf(0x1F, "client d may not publish to dev/data (acl rule 4)"))));
        assertTrue(e.getMessage().contains("not authorized (0x87), broker's reason: \"client d may not publish to"
                + " dev/data (acl rule 4)\""), e.getMessage());
        assertTrue(e.isRetryable(), e.toString());
        TransportException big = refusal(puback(0x95, properties(utf(0x1F, "payload over 1 KiB"))));
        assertTrue(big.getMessage().contains("packet too large (0x95), broker's reason: \"payload over 1 KiB\""),
                big.getMessage());
        assertFalse(big.isRetryable(), big.toString());
    }

    @Test
    @DisplayName("a DISCONNECT names its reason code and quotes the Reason String past other properties; 0x95 stays"
            + " not retryable")
    void disconnectCarriesTheReasonString() throws Exception {
        // Session Expiry Interval 0, then the Reason String, then a User Property
        TransportException e = refusal(disconnect(0x98, properties(new byte[] {0x11, 0, 0, 0, 0},
                utf(0x1F, "kicked by operator alice"), utf(0x26, "k", "v"))));
        assertTrue(e.getMessage().contains("the broker disconnected: administrative action (0x98), broker's reason:"
                + " \"kicked by operator alice\""), e.getMessage());
        assertTrue(e.isRetryable(), e.toString());
        TransportException big = refusal(disconnect(0x95, properties(utf(0x1F, "packet over max_packet_size"))));
        assertTrue(big.getMessage().contains("packet too large (0x95), broker's reason: \"packet over"
                + " max_packet_size\""), big.getMessage());
        assertFalse(big.isRetryable(), big.toString());
        TransportException wild = refusal(disconnect(0xA2, new byte[0]));
        assertTrue(wild.getMessage().contains("wildcard subscriptions not supported (0xA2)")
                && !wild.getMessage().contains("broker's reason"), wild.getMessage());
    }

    @Test
    @DisplayName("refusals as mosquitto sends them (no properties) and malformed property sections keep the code's"
            + " name and the same retryability, with no reason quoted")
    void withoutAReasonStringTheMessageIsTheCodeAlone() throws Exception {
        byte[][] noReason = {
            new byte[0], // mosquitto: 00 01 87
            properties(), // an empty property section
            {0x05, 0x1F, 0x00}, // property length 5 overruns the packet
            {0x04, 0x1F, 0x00, 0x09, 0x61}, // the string's length overruns the section
            properties(new byte[] {0x02, 0, 0, 0, 1}), // a property a PUBACK cannot carry
        };
        for (byte[] after : noReason) {
            TransportException e = refusal(puback(0x87, after));
            String hex = HexFormat.of().formatHex(after);
            assertTrue(e.getMessage().contains("not authorized (0x87) (check the broker's ACL"), hex + ": "
                    + e.getMessage());
            assertTrue(e.isRetryable(), hex + ": " + e);
        }
        TransportException d = refusal(disconnect(0x82, new byte[0])); // mosquitto: E0 01 82
        assertTrue(d.getMessage().endsWith("the broker disconnected: protocol error (0x82)"), d.getMessage());
    }

    @Test
    @DisplayName("a Reason String with line breaks or of 60,000 characters stays one bounded line")
    void reasonStringIsMadePrintable() throws Exception {
        TransportException e = refusal(puback(0x97, properties(utf(0x1F, "quota\nFAKE LOG LINE\r\tend"))));
        assertTrue(e.getMessage().contains("quota exceeded (0x97), broker's reason: \"quota FAKE LOG LINE  end\""),
                e.getMessage());
        // (a 65,535-byte string would make the PUBACK larger than the 64 KiB the transport reads of a non-PUBLISH)
        String huge = "x".repeat(60_000);
        TransportException h = refusal(puback(0x80, properties(utf(0x1F, huge))));
        assertTrue(h.getMessage().contains("\"" + "x".repeat(MqttPackets.MAX_REASON_CHARS)
                + "... (60000 characters)\""), h.getMessage().length() + " characters");
        assertTrue(h.getMessage().length() < 2000, h.getMessage().length() + " characters");
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), e.getMessage());
    }

    @Test
    @DisplayName("the property reader finds the Reason String after other properties and gives null otherwise")
    void readsTheReasonStringProperty() {
        byte[] body = new byte[] {0, 1, (byte) 0x87};
        assertNull(MqttPackets.reasonString(body, 3));
        byte[] withProps = packet(0, new byte[] {0, 1, (byte) 0x87}, properties(utf(0x26, "a", "b"), utf(0x1F, "r")));
        byte[] b = java.util.Arrays.copyOfRange(withProps, 2, withProps.length);
        assertEquals("r", MqttPackets.reasonString(b, 3));
        // a Reason String given twice (a protocol error): the first is quoted
        byte[] twice = properties(utf(0x1F, "first"), utf(0x1F, "second"));
        assertEquals("first", MqttPackets.reasonString(twice, 0));
    }
}
