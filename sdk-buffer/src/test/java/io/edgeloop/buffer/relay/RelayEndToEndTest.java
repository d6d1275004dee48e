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
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.receiver.IngestServer;
import io.edgeloop.buffer.forward.Forwarder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device buffer -> relay transport -> gateway RelayServer -> gateway buffer -> gateway drain -> http -> ingest
 * receiver, all real (files, sockets, HTTP), with the gateway and then the device restarted mid-stream.
 */
class RelayEndToEndTest {
    static final int RECORDS = 3000;

    @TempDir
    Path tmp;

    /** The gateway: its buffer, the relay server feeding it, and the drain forwarding it upstream. */
    final class Gateway implements AutoCloseable {
        final DurableBuffer buffer;
        final RelayServer server;
        final Forwarder drain;

        Gateway(int port, IngestServer upstream) throws Exception {
            buffer = DurableBuffer.builder().directory(tmp.resolve("gateway")).deviceId("gateway-1")
                    .durability(Durability.groupCommit(Duration.ofMillis(5), 1 << 20)).open();
            server = RelayServer.builder().port(port).sink(new BufferRelaySink(buffer)).start();
            Transport http = ProviderLoader.of(TransportProvider.class).select("http")
                    .create(ComponentConfig.of(Map.of("uri", upstream.uri().toString(), "compression", "gzip")));
            drain = Forwarder.builder().source(buffer, "upstream").transport(RelayedEnvelopes.unwrapping(http))
                    .batching(64, 1 << 20, Duration.ofMillis(5))
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.5, 3).build().start();
            this.http = http;
        }

        private final Transport http;

        @Override
        public void close() throws java.io.IOException {
            server.close();
            drain.close();
            http.close();
            buffer.close();
        }
    }

    /** The device: its buffer and the drain to the gateway over the relay transport. */
    final class Device implements AutoCloseable {
        final DurableBuffer buffer;
        final Forwarder drain;
        final Transport relay;

        Device(int gatewayPort) throws Exception {
            buffer = DurableBuffer.builder().directory(tmp.resolve("device")).deviceId("device-1")
                    .durability(Durability.groupCommit(Duration.ofMillis(5), 1 << 20)).open();
            relay = ProviderLoader.of(TransportProvider.class).select("relay").create(ComponentConfig.of(
                    Map.of("uri", "relay://127.0.0.1:" + gatewayPort, "compression", "lz4", "connect-timeout", "1s",
                            "ack-timeout", "5s")));
            drain = Forwarder.builder().source(buffer, "relay").transport(relay)
                    .batching(50, 1 << 20, Duration.ofMillis(5))
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.5, 5).build().start();
        }

        @Override
        public void close() throws java.io.IOException {
            drain.close();
            relay.close();
            buffer.close();
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    @DisplayName("delivers every device record upstream under its device key while gateway and device restart")
    void relaysThroughRestarts() throws Exception {
        Random random = new Random(77);
        Map<IdempotencyKey, byte[]> appended = new HashMap<>();
        try (IngestServer ingest = IngestServer.builder().start()) {
            int port = freePort();
            long deviceFailuresBeforeRestart = -1;
            Gateway gateway = new Gateway(port, ingest);
            Device device = new Device(port);
            try {
                for (int i = 0; i < RECORDS; i++) {
                    byte[] p = new byte[64 + random.nextInt(200)];
                    random.nextBytes(p);
                    // Every 20th append waits for durability; the others share its group commit.
                    if (i % 20 == 19) {
                            Appended a = device.buffer.append("vibration", i % 10, p);
                        synchronized (appended) {
                            appended.put(a.key(), p);
                        }
                    } else {
                        byte[] payload = p;
                        device.buffer.appendAsync("vibration", i % 10, p)
                                .thenAccept(a -> {
                                    synchronized (appended) {
                                        appended.put(a.key(), payload);
                                    }
                                });
                    }
                    if (i == RECORDS / 3) {
                        // Gateway restart mid-stream: connections drop, unacknowledged batches stay on the device.
                        Gateway g = gateway;
                        await(() -> g.server.batchesAcknowledged() > 5, "gateway traffic before its restart");
                        gateway.close();
                        Thread.sleep(100 + random.nextInt(200));
                        gateway = new Gateway(port, ingest);
                    }
                    if (i == 2 * RECORDS / 3) {
                        // Device restart mid-stream: its cursor resumes from the last acknowledged batch.
                        Device d = device;
                        await(() -> d.drain.stats().recordsAcknowledged() > 0 && ingest.distinct() > RECORDS / 3,
                                "device traffic before its restart");
                        deviceFailuresBeforeRestart = device.drain.stats().failedAttempts();
                        device.close();
                        device = new Device(port);
                    }
                }
                Device d = device;
                await(() -> ingest.distinct() >= RECORDS, "all records upstream (have " + ingest.distinct() + ")");
                System.out.println("device forwarder: " + d.drain.stats());
            } finally {
                device.close();
                gateway.close();
            }
            assertEquals(RECORDS, ingest.distinct());
            assertEquals(RECORDS, appended.size());
            assertTrue(deviceFailuresBeforeRestart > 0, "the gateway restart interrupted the device's sends");
            Map<IdempotencyKey, Envelope> got = new HashMap<>();
            for (Envelope e : ingest.accepted()) {
                got.put(e.key(), e);
            }
            for (Map.Entry<IdempotencyKey, byte[]> a : appended.entrySet()) {
                Envelope e = got.get(a.getKey());
                assertTrue(e != null, "lost " + a.getKey());
                assertEquals("device-1", e.key().deviceId(), "upstream sees the device's key, not the gateway's");
                assertArrayEquals(a.getValue(), e.payloadBytes(), "payload of " + a.getKey());
            }
            System.out.printf("relay end to end: records=%d received=%d distinct=%d duplicates-dropped=%d"
                    + " device-send-failures-during-gateway-restart=%d%n", RECORDS, ingest.received(), ingest.distinct(),
                    ingest.duplicatesDropped(), deviceFailuresBeforeRestart);
        }
    }

    /** A free port below the ephemeral range: a restarted gateway must find it still free. */
    static int freePort() throws Exception {
        return io.edgeloop.tck.LoopbackPorts.restartable();
    }
}
