package io.edgeloop.buffer.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.Payloads;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.receiver.IngestServer;
import io.edgeloop.buffer.relay.BufferRelaySink;
import io.edgeloop.buffer.relay.RelayFrames;
import io.edgeloop.buffer.relay.RelayServer;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.Compression;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An endpoint that refuses the connection or every request (gateway busy, wrong URL, bad credentials) refuses no
 * record: the forwarder must back off with its cursor where it is, and deliver everything once the endpoint is
 * fixed. Real servers: a RelayServer, the IngestServer and the JDK HTTP server.
 */
class EndpointRefusalTest {
    private static final int RECORDS = 20;

    @TempDir
    Path dir;

    private DurableBuffer device(String name) throws IOException {
        DurableBuffer b = DurableBuffer.builder().directory(dir.resolve(name)).deviceId(name)
                .durability(Durability.always()).open();
        for (int i = 1; i <= RECORDS; i++) {
            b.append("s", Payloads.of(i, 50));
        }
        return b;
    }

    private static Forwarder forwarder(DurableBuffer b, String transport, String uri) throws IOException {
        TransportProvider p = ProviderLoader.of(TransportProvider.class).select(transport);
        return Forwarder.builder().source(b, "up").transport(p, ComponentConfig.builder().put("uri", uri).build())
                .batching(8, 1 << 20, Duration.ZERO).backoff(Duration.ofMillis(20), Duration.ofMillis(50), 0, 7)
                .maxRetryAfter(Duration.ofMillis(50)).build();
    }

    /**
     * Drains in rounds of 300 ms, each of which must end unfinished, until {@code enough} holds (for at most 60 s):
     * a single fixed window could pass before a slow machine made the attempts the assertions need.
     */
    private static void drainWhileRefused(Forwarder f, BooleanSupplier enough) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        do {
            assertFalse(f.drainAvailable(Duration.ofMillis(300)), "nothing may complete while refused: " + f.stats());
        } while (!enough.getAsBoolean() && System.nanoTime() < deadline);
        assertTrue(enough.getAsBoolean(), "not enough attempts within 60 s: " + f.stats());
    }

    private static void assertNothingSkipped(DurableBuffer b, Forwarder f) throws IOException {
        assertEquals(0, f.stats().recordsRejected(), f.stats().toString());
        assertEquals(0, f.stats().recordsAcknowledged(), f.stats().toString());
        assertTrue(f.stats().failedAttempts() > 1, "kept retrying: " + f.stats());
        assertEquals(b.reader().position(), b.cursor("up").committedPosition(), "the cursor did not move");
    }

    @Test
    @DisplayName("keeps every record while the relay gateway refuses the connection as busy, and sends them later")
    void relayGatewayBusyKeepsRecords() throws Exception {
        try (DurableBuffer gw = DurableBuffer.builder().directory(dir.resolve("gw")).deviceId("gw").open();
                RelayServer srv = RelayServer.builder().host("127.0.0.1").port(0).sink(new BufferRelaySink(gw))
                        .maxConnections(1).start();
                DurableBuffer b = device("dev1")) {
            // another device holds the only connection slot: the gateway answers "too many relay connections"
            Socket other = new Socket(InetAddress.getLoopbackAddress(), srv.port());
            RelayFrames.write(other.getOutputStream(), RelayFrames.hello());
            RelayFrames.checkHello(RelayFrames.read(new DataInputStream(new BufferedInputStream(
                    other.getInputStream())), 1 << 16));
            try (Forwarder f = forwarder(b, "relay", "relay://127.0.0.1:" + srv.port())) {
                drainWhileRefused(f, () -> f.stats().failedAttempts() > 1);
                assertNothingSkipped(b, f);
                assertTrue(f.stats().lastError().orElse("").contains("too many relay connections"),
                        f.stats().toString());
                assertEquals(0, srv.envelopesStored());
                other.close();
                assertTrue(f.drainAvailable(Duration.ofSeconds(30)), f.stats().toString());
                assertEquals(RECORDS, f.stats().recordsAcknowledged());
                assertEquals(0, f.stats().recordsRejected());
            }
            assertEquals(RECORDS, srv.envelopesStored());
        }
    }

    @Test
    @DisplayName("keeps every record while the HTTP receiver answers 404 for a wrong path")
    void httpNotFoundKeepsRecords() throws Exception {
        try (IngestServer server = IngestServer.builder().start(); DurableBuffer b = device("dev2")) {
            String wrong = server.uri().resolve("/wrongpath").toString();
            try (Forwarder f = forwarder(b, "http", wrong)) {
                drainWhileRefused(f, () -> f.stats().failedAttempts() > 1);
                assertNothingSkipped(b, f);
                assertTrue(f.stats().lastError().orElse("").contains("404"), f.stats().toString());
            }
            try (Forwarder f = forwarder(b, "http", server.uri().toString())) {
                assertTrue(f.drainAvailable(Duration.ofSeconds(30)), f.stats().toString());
            }
            assertEquals(RECORDS, server.distinct());
        }
    }

    @Test
    @DisplayName("keeps every record while the HTTP receiver answers 401 and 403, and sends them once it accepts")
    void httpUnauthorizedKeepsRecords() throws Exception {
        AtomicBoolean authorized = new AtomicBoolean();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refusals = new AtomicInteger();
        HttpServer raw = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        raw.createContext("/in", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (authorized.get()) {
                accepted.addAndGet(BatchCodec.of(Compression.NONE).decode(body).size());
                ex.sendResponseHeaders(204, -1);
            } else {
                ex.sendResponseHeaders(refusals.getAndIncrement() % 2 == 0 ? 401 : 403, -1);
            }
            ex.close();
        });
        raw.start();
        try (DurableBuffer b = device("dev3");
                Forwarder f = forwarder(b, "http", "http://127.0.0.1:" + raw.getAddress().getPort() + "/in")) {
            drainWhileRefused(f, () -> f.stats().failedAttempts() > 1 && refusals.get() >= 2);
            assertNothingSkipped(b, f);
            assertTrue(refusals.get() >= 2, "both 401 and 403 seen: " + refusals);
            authorized.set(true);
            assertTrue(f.drainAvailable(Duration.ofSeconds(30)), f.stats().toString());
            assertEquals(RECORDS, accepted.get());
            assertEquals(0, f.stats().recordsRejected());
        } finally {
            raw.stop(0);
        }
    }

    @Test
    @DisplayName("a 422 for content narrows the batch down to the one refused record and skips only that record")
    void httpRefusalOfOneRecordSkipsOnlyIt() throws Exception {
        java.util.Set<Long> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        HttpServer raw = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        raw.createContext("/in", ex -> {
            var batch = BatchCodec.of(Compression.NONE).decode(ex.getRequestBody().readAllBytes());
            boolean poisoned = batch.envelopes().stream().anyMatch(e -> e.key().sequence() == 13);
            if (!poisoned) {
                batch.envelopes().forEach(e -> accepted.add(e.key().sequence()));
            }
            ex.sendResponseHeaders(poisoned ? 422 : 204, -1);
            ex.close();
        });
        raw.start();
        try (DurableBuffer b = device("dev4");
                Forwarder f = forwarder(b, "http", "http://127.0.0.1:" + raw.getAddress().getPort() + "/in")) {
            assertTrue(f.drainAvailable(Duration.ofSeconds(30)), f.stats().toString());
            assertEquals(1, f.stats().recordsRejected(), f.stats().toString());
            assertEquals(RECORDS - 1, accepted.size());
            assertFalse(accepted.contains(13L));
        } finally {
            raw.stop(0);
        }
    }

    /** A receiver that answers 400 to every batch until told to accept, counting what it accepted. */
    private static HttpServer refusingEverything(AtomicBoolean accepting, java.util.Set<String> accepted)
            throws IOException {
        HttpServer raw = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        raw.createContext("/in", ex -> {
            var batch = BatchCodec.of(Compression.NONE).decode(ex.getRequestBody().readAllBytes());
            if (accepting.get()) {
                batch.envelopes().forEach(e -> accepted.add(e.key().toString()));
            }
            ex.sendResponseHeaders(accepting.get() ? 204 : 400, -1);
            ex.close();
        });
        raw.start();
        return raw;
    }

    /** A receiver answering 400 to every batch holding a sequence it refuses, recording what it accepted. */
    private static HttpServer refusing(java.util.function.LongPredicate bad, java.util.Set<String> accepted)
            throws IOException {
        HttpServer raw = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        raw.createContext("/in", ex -> {
            var batch = BatchCodec.of(Compression.NONE).decode(ex.getRequestBody().readAllBytes());
            boolean refused = batch.envelopes().stream().anyMatch(e -> bad.test(e.key().sequence()));
            if (!refused) {
                batch.envelopes().forEach(e -> accepted.add(e.key().toString()));
            }
            ex.sendResponseHeaders(refused ? 400 : 204, -1);
            ex.close();
        });
        raw.start();
        return raw;
    }

    private static Forwarder httpForwarder(DurableBuffer b, HttpServer raw) throws IOException {
        return forwarder(b, "http", "http://127.0.0.1:" + raw.getAddress().getPort() + "/in");
    }

    @Test
    @DisplayName("a receiver answering 400 to every record costs no record, across several forwarders in turn")
    void refusalOfEveryRecordSkipsNothingAcrossForwarders() throws Exception {
        AtomicBoolean accepting = new AtomicBoolean();
        java.util.Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        HttpServer raw = refusing(q -> !accepting.get(), accepted);
        try (DurableBuffer b = device("dev5")) {
            // as `edgeloop buffer drain` from cron: a new forwarder per run, nothing remembered between them
            for (int run = 0; run < 3; run++) {
                try (Forwarder f = httpForwarder(b, raw)) {
                    drainWhileRefused(f, () -> f.stats().failedAttempts() > 1);
                    assertNothingSkipped(b, f);
                }
            }
            accepting.set(true);
            try (Forwarder f = httpForwarder(b, raw)) {
                assertTrue(f.drainAvailable(Duration.ofSeconds(30)), f.stats().toString());
                assertEquals(0, f.stats().recordsRejected());
            }
            assertEquals(RECORDS, accepted.size());
        } finally {
            raw.stop(0);
        }
    }

    @Test
    @DisplayName("nine records refused for their content followed by five good ones: nine skipped, five delivered")
    void longRunOfRefusedRecordsIsSkippedOnceLaterOnesAreAccepted() throws Exception {
        java.util.Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        HttpServer raw = refusing(q -> q >= 4 && q <= 12, accepted);
        try (DurableBuffer b = device("dev6"); Forwarder f = httpForwarder(b, raw)) {
            assertTrue(f.drainAvailable(Duration.ofSeconds(30)), f.stats().toString());
            assertEquals(9, f.stats().recordsRejected(), f.stats().toString());
            assertEquals(RECORDS - 9, accepted.size());
        } finally {
            raw.stop(0);
        }
    }

    @Test
    @DisplayName("the last record refused is kept until a later record is accepted behind it")
    void lastRefusedRecordIsKeptUntilALaterOneIsAccepted() throws Exception {
        java.util.Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        HttpServer raw = refusing(q -> q == RECORDS, accepted);
        try (DurableBuffer b = device("dev7")) {
            try (Forwarder f = httpForwarder(b, raw)) {
                // until the 19 good records are through (the last one was refused on the way)
                drainWhileRefused(f, () -> accepted.size() == RECORDS - 1);
                assertEquals(0, f.stats().recordsRejected(), f.stats().toString());
                assertEquals(RECORDS - 1, accepted.size());
            }
            b.append("s", Payloads.of(RECORDS + 1, 50));
            try (Forwarder f = httpForwarder(b, raw)) {
                assertTrue(f.drainAvailable(Duration.ofSeconds(30)), f.stats().toString());
                assertEquals(1, f.stats().recordsRejected(), f.stats().toString());
            }
            assertEquals(RECORDS, accepted.size());
        } finally {
            raw.stop(0);
        }
    }

    private List<Path> fleet(String prefix) throws IOException {
        List<Path> dirs = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            device(prefix + i).close();
            dirs.add(dir.resolve(prefix + i));
        }
        return dirs;
    }

    private static FleetDrainer drainer(io.edgeloop.api.transport.Transport http) {
        return drainerBuilder(http).build();
    }

    private static FleetDrainer.Builder drainerBuilder(io.edgeloop.api.transport.Transport http) {
        return FleetDrainer.builder().transport(http).source("up", d -> DurableBuffer.builder().directory(d).open())
                .batching(8, 1 << 20).backoff(Duration.ofMillis(20), Duration.ofMillis(50), 0, 7);
    }

    private static io.edgeloop.api.transport.Transport http(HttpServer raw) throws IOException {
        return ProviderLoader.of(TransportProvider.class).select("http").create(ComponentConfig.builder()
                .put("uri", "http://127.0.0.1:" + raw.getAddress().getPort() + "/in").build());
    }

    @Test
    @DisplayName("the fleet drainer skips nothing while a receiver refuses every record, over several drains")
    void fleetDrainerSkipsNothingWhenEverythingIsRefused() throws Exception {
        AtomicBoolean accepting = new AtomicBoolean();
        java.util.Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        HttpServer raw = refusing(q -> !accepting.get(), accepted);
        List<Path> dirs = fleet("fleet");
        try (var http = http(raw)) {
            for (int run = 0; run < 3; run++) {
                FleetDrainer.Report refused = drainer(http).drain(dirs, Duration.ofMillis(600));
                assertFalse(refused.complete());
                assertEquals(0, refused.recordsRejected(), refused.toString());
                assertEquals(0, refused.recordsAcknowledged(), refused.toString());
            }
            accepting.set(true);
            FleetDrainer.Report later = drainer(http).drain(dirs, Duration.ofSeconds(30));
            assertTrue(later.complete(), later.toString());
            assertEquals(0, later.recordsRejected());
            assertEquals(3 * RECORDS, accepted.size());
        } finally {
            raw.stop(0);
        }
    }

    @Test
    @DisplayName("the fleet drainer skips nine refused records followed by five good ones and delivers the five")
    void fleetDrainerSkipsALongRunOfRefusedRecords() throws Exception {
        java.util.Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        HttpServer raw = refusing(q -> q >= 4 && q <= 12, accepted);
        List<Path> dirs = fleet("bad");
        try (var http = http(raw)) {
            FleetDrainer.Report r = drainer(http).drain(dirs, Duration.ofSeconds(30));
            assertTrue(r.complete(), r.toString());
            assertEquals(3 * 9, r.recordsRejected(), r.toString());
            assertEquals(3 * (RECORDS - 9), accepted.size());
        } finally {
            raw.stop(0);
        }
    }

    @Test
    @DisplayName("the fleet drainer keeps the records it skips in a dead-letter directory, and skips nothing it cannot keep")
    void fleetDrainerKeepsWhatItSkips() throws Exception {
        // the data-path review of 2026-12-03: FleetDrainer skipped refused records without a dead-letter sink, so
        // they were gone once their segments were reclaimed
        java.util.Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        HttpServer raw = refusing(q -> q >= 4 && q <= 12, accepted);
        List<Path> dirs = fleet("kept");
        Path blocked = dir.resolve("blocked.dead-letter");
        Files.writeString(blocked, "a file where the dead-letter directory should be");
        try (var http = http(raw)) {
            FleetDrainer.Report held = drainerBuilder(http)
                    .deadLetters(new io.edgeloop.buffer.relay.DeadLetterDirectory(blocked)).build()
                    .drain(dirs, Duration.ofMillis(1500));
            assertFalse(held.complete(), held.toString());
            assertEquals(0, held.recordsRejected(), "nothing skipped that could not be kept: " + held);
            assertTrue(accepted.size() >= 3 * 3, "the records before the refused run went through: " + accepted);

            Path keptDir = dir.resolve("fleet.dead-letter");
            FleetDrainer.Report r = drainerBuilder(http)
                    .deadLetters(new io.edgeloop.buffer.relay.DeadLetterDirectory(keptDir)).build()
                    .drain(dirs, Duration.ofSeconds(30));
            assertTrue(r.complete(), r.toString());
            assertEquals(3 * 9, r.recordsRejected(), r.toString());
            assertEquals(3 * 9, r.recordsDeadLettered(), r.toString());
            assertEquals(3 * (RECORDS - 9), accepted.size());
            var kept = new io.edgeloop.buffer.receiver.DropDirectoryReader().read(keptDir);
            assertEquals(3 * 9, kept.envelopes().size(), kept.problems().toString());
            for (var e : kept.envelopes()) {
                long q = e.key().sequence();
                assertTrue(q >= 4 && q <= 12, e.key().toString());
                assertArrayEquals(Payloads.of((int) q, 50), e.payloadBytes(), e.key().toString());
            }
        } finally {
            raw.stop(0);
        }
    }
}
