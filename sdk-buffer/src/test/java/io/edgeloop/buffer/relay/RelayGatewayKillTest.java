package io.edgeloop.buffer.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.Appended;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.receiver.IngestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as a separate JVM ({@link GatewayMain}) is killed with SIGKILL twice while a device drains into it
 * through the relay. The gateway acknowledges a batch only after its own buffer synced it, and the device commits
 * only on that acknowledgement, so every device record must reach the upstream receiver, under its device key;
 * a batch stored but not yet acknowledged when the gateway died comes again and is dropped upstream by key.
 */
class RelayGatewayKillTest {
    static final int RECORDS = 3000;
    static final int KILLS = 2;

    @TempDir
    Path tmp;

    Process startGateway(int port, IngestServer ingest) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                GatewayMain.class.getName(), tmp.resolve("gateway").toString(), Integer.toString(port),
                ingest.uri().toString())
                .redirectError(tmp.resolve("gateway-" + System.nanoTime() + ".err").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertEquals("ready", line, "gateway process did not start");
        return p;
    }

    @Test
    @DisplayName("loses nothing the gateway acknowledged when the gateway process is SIGKILLed mid-stream")
    void survivesGatewayKills() throws Exception {
        Random random = new Random(4242);
        Map<IdempotencyKey, byte[]> appended = new HashMap<>();
        int port = RelayEndToEndTest.freePort();
        try (IngestServer ingest = IngestServer.builder().start();
                DurableBuffer device = DurableBuffer.builder().directory(tmp.resolve("device")).deviceId("device-9")
                        .durability(Durability.groupCommit(Duration.ofMillis(5), 1 << 20)).open();
                Transport relay = ProviderLoader.of(TransportProvider.class).select("relay").create(
                        ComponentConfig.of(Map.of("uri", "relay://127.0.0.1:" + port, "connect-timeout", "1s",
                                "ack-timeout", "5s")))) {
            Process gateway = startGateway(port, ingest);
            int kills = 0;
            try (Forwarder forwarder = Forwarder.builder().source(device, "relay").transport(relay)
                    .batching(50, 1 << 20, Duration.ofMillis(5))
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.5, 9).build().start()) {
                for (int i = 0; i < RECORDS; i += 20) {
                    List<CompletableFuture<Appended>> group = new ArrayList<>();
                    List<byte[]> payloads = new ArrayList<>();
                    for (int j = 0; j < 20; j++) {
                        byte[] p = new byte[100 + random.nextInt(300)];
                        random.nextBytes(p);
                        payloads.add(p);
                        group.add(device.appendAsync("telemetry", j % 10, p));
                    }
                    for (int j = 0; j < group.size(); j++) {
                        appended.put(group.get(j).get().key(), payloads.get(j));
                    }
                    Thread.sleep(3);
                    if (kills < KILLS && i >= RECORDS * (kills + 1) / (KILLS + 1)) {
                        gateway.destroyForcibly();
                        // gone for sure before a new gateway binds the same port and opens the same buffer
                        assertTrue(gateway.waitFor(60, TimeUnit.SECONDS), "the gateway survived SIGKILL");
                        kills++;
                        Thread.sleep(50 + random.nextInt(200));
                        gateway = startGateway(port, ingest);
                    }
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (ingest.distinct() < RECORDS) {
                    assertTrue(System.nanoTime() < deadline, "only " + ingest.distinct() + " of " + RECORDS
                            + " records upstream; device " + forwarder.stats());
                    Thread.sleep(20);
                }
                System.out.printf("relay gateway kill: records=%d kills=%d received=%d distinct=%d"
                        + " duplicates-dropped=%d device %s%n", RECORDS, kills, ingest.received(), ingest.distinct(),
                        ingest.duplicatesDropped(), forwarder.stats());
            } finally {
                gateway.destroyForcibly();
                gateway.waitFor(60, TimeUnit.SECONDS); // gone before JUnit deletes the directory it writes into
            }
            assertEquals(KILLS, kills);
            assertEquals(RECORDS, ingest.distinct());
            Map<IdempotencyKey, Envelope> got = new HashMap<>();
            ingest.accepted().forEach(e -> got.put(e.key(), e));
            for (Map.Entry<IdempotencyKey, byte[]> a : appended.entrySet()) {
                Envelope e = got.get(a.getKey());
                assertTrue(e != null, "lost " + a.getKey());
                assertArrayEquals(a.getValue(), e.payloadBytes(), "payload of " + a.getKey());
            }
        }
    }
}
