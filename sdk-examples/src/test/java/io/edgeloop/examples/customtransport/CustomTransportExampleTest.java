package io.edgeloop.examples.customtransport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.record.SensorRecordCodec;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.api.transport.TransportProvider;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The custom transport example")
class CustomTransportExampleTest {
    @Test
    @DisplayName("is found by ProviderLoader under its name")
    void isFoundByName() {
        TransportProvider p = ProviderLoader.of(TransportProvider.class).select("json-lines-tcp");
        assertInstanceOf(JsonLinesTcpTransportProvider.class, p);
        assertTrue(ProviderLoader.of(TransportProvider.class).names().contains("json-lines-tcp"));
    }

    @Test
    @DisplayName("runs end to end: every reading arrives once, the resent batch is recognised as duplicate")
    void runsEndToEnd() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CustomTransportExample.Result r = CustomTransportExample.run(250, new PrintStream(buf, true, "UTF-8"));
        assertEquals(250, r.unique());
        assertEquals(50, r.duplicates(), "the last batch of 50 was resent");
        assertEquals(300, r.sent());
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("250 distinct keys"));
    }

    @Test
    @DisplayName("stores batches in the receiver's log file before acknowledging, as decodable records")
    void receiverLogsBeforeAck(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("received.jsonl");
        try (JsonLinesTcpReceiver rx = JsonLinesTcpReceiver.start(0, log);
             Transport t = new JsonLinesTcpTransportProvider().create(ComponentConfig.of(
                     Map.of("port", Integer.toString(rx.port()))))) {
            var rec = io.edgeloop.api.record.SensorRecord.builder().deviceId("d").timestampMillis(5).sequence(1)
                    .channel("co2", 451.5).build();
            t.send(Batch.of(List.of(new Envelope(new io.edgeloop.api.record.IdempotencyKey("d", "default", 1, 1), 5,
                    3, SensorRecordCodec.encode(rec)))));
            assertEquals(1, Files.readAllLines(log).size());
            assertEquals(rec, SensorRecordCodec.decode(rx.received().get(0).payloadBytes()));
        }
    }

    @Test
    @DisplayName("a receiver refusing the protocol refuses no record: the transport reports it as retryable")
    void protocolRefusalIsRetryable() throws Exception {
        try (java.net.ServerSocket foreign = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                try (Socket s = foreign.accept()) {
                    BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.UTF_8));
                    r.readLine();
                    Writer w = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
                    w.write("{\"error\":\"unsupported protocol; this receiver speaks edgeloop-json-lines version 2\"}\n");
                    w.flush();
                } catch (java.io.IOException ignored) {
                    // the test fails on the transport's side if the peer could not answer
                }
            });
            peer.setDaemon(true);
            peer.start();
            try (Transport t = new JsonLinesTcpTransportProvider().create(ComponentConfig.of(
                    Map.of("port", Integer.toString(foreign.getLocalPort()), "timeout", "5s")))) {
                TransportException e = org.junit.jupiter.api.Assertions.assertThrows(TransportException.class,
                        () -> t.send(Batch.of(List.of(new Envelope(new io.edgeloop.api.record.IdempotencyKey("d", "s",
                                1, 1), 1, 1, new byte[] {1})))));
                assertTrue(e.isRetryable(), e.getMessage());
                assertTrue(e.getMessage().contains("unsupported protocol"), e.getMessage());
            }
        }
    }

    @Test
    @DisplayName("refuses a client speaking another protocol version")
    void unknownVersionIsRefused() throws Exception {
        try (JsonLinesTcpReceiver rx = JsonLinesTcpReceiver.start(0, null);
             Socket s = new Socket("127.0.0.1", rx.port())) {
            Writer w = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
            w.write("{\"protocol\":\"edgeloop-json-lines\",\"version\":2}\n");
            w.flush();
            String reply = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertTrue(reply.contains("\"error\"") && reply.contains("version 1"), reply);
        }
    }

    @Test
    @DisplayName("a receiver that dies mid-run makes send fail retryably; a new receiver on the same port accepts the resend")
    void survivesReceiverRestart() throws Exception {
        JsonLinesTcpReceiver rx = JsonLinesTcpReceiver.start(0, null);
        int port = rx.port();
        Batch b = Batch.of(List.of(new Envelope(new io.edgeloop.api.record.IdempotencyKey("d", "s", 1, 1), 1, 1,
                new byte[] {1, 2, 3})));
        try (Transport t = new JsonLinesTcpTransportProvider().create(ComponentConfig.of(
                Map.of("port", Integer.toString(port), "timeout", "2s")))) {
            t.send(b);
            rx.close();
            TransportException e = org.junit.jupiter.api.Assertions.assertThrows(TransportException.class,
                    () -> t.send(b));
            assertTrue(e.isRetryable());
            try (JsonLinesTcpReceiver again = restartOn(port)) {
                t.send(b);
                assertEquals(1, again.uniqueCount());
            }
        }
    }

    /** Binds a new receiver to the old port; the kernel may need a moment to release it under load. */
    private static JsonLinesTcpReceiver restartOn(int port) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                return JsonLinesTcpReceiver.start(port, null);
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    @DisplayName("rejects a configuration without a port")
    void needsPort() {
        assertThrows(ConfigException.class, () -> new JsonLinesTcpTransportProvider().create(ComponentConfig.empty()));
    }

    @Test
    @DisplayName("refuses a misspelt key, naming the closest known key")
    void refusesMisspeltKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> new JsonLinesTcpTransportProvider().create(
                ComponentConfig.of(Map.of("port", "9", "timout", "1s"))));
        assertTrue(e.getMessage().contains("'timout' (did you mean 'timeout'?)"), e.getMessage());
    }
}
