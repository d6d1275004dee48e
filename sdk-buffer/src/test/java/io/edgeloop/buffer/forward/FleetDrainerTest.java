package io.edgeloop.buffer.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.Payloads;
import io.edgeloop.buffer.policy.CursorSync;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.transport.file.FileDropTransportProvider;
import io.edgeloop.buffer.receiver.DropDirectoryReader;
import io.edgeloop.api.config.ComponentConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetDrainerTest {
    @TempDir
    Path dir;

    private static final String CURSOR = "gw";

    /** Fills {@code devices} buffers with a seeded number of records each; returns records per device. */
    private Map<String, Integer> fill(int devices, int maxRecords, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Integer> counts = new HashMap<>();
        for (int d = 0; d < devices; d++) {
            String id = "dev-" + d;
            int n = rnd.nextInt(0, maxRecords + 1);
            try (DurableBuffer b = DurableBuffer.builder().directory(dir.resolve(id)).deviceId(id)
                    .durability(Durability.none()).segmentBytes(4096).open()) {
                b.cursor(CURSOR);
                for (int i = 1; i <= n; i++) {
                    b.append("s", Payloads.of(i, 60));
                }
            }
            counts.put(id, n);
        }
        return counts;
    }

    private List<Path> dirs() throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    private static DurableBuffer open(Path p) throws IOException {
        return DurableBuffer.builder().directory(p).durability(Durability.none()).cursorSync(CursorSync.DEFERRED)
                .open();
    }

    /**
     * The edge under the drainer: acknowledges on its own thread after a random delay, fails a seeded share of
     * batches as retryable, refuses one poisoned key as never acceptable, and records what it accepted.
     */
    private static final class AsyncFlakyTransport implements Transport {
        final ScheduledExecutorService acker = Executors.newScheduledThreadPool(2);
        final Map<String, List<Long>> accepted = new ConcurrentHashMap<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final SplittableRandom rnd;
        final double failShare;
        final IdempotencyKey poisoned;

        AsyncFlakyTransport(long seed, double failShare, IdempotencyKey poisoned) {
            this.rnd = new SplittableRandom(seed);
            this.failShare = failShare;
            this.poisoned = poisoned;
        }

        @Override
        public void send(Batch batch) {
            throw new UnsupportedOperationException("the drainer must use sendAsync");
        }

        @Override
        public synchronized CompletableFuture<Void> sendAsync(Batch batch) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            boolean fail = rnd.nextDouble() < failShare;
            long delayMicros = rnd.nextLong(0, 3000);
            acker.schedule(() -> {
                inFlight.decrementAndGet();
                for (Envelope e : batch.envelopes()) {
                    if (e.key().equals(poisoned)) {
                        f.completeExceptionally(new TransportException("poisoned " + e.key(), false));
                        return;
                    }
                }
                if (fail) {
                    f.completeExceptionally(new TransportException("flaky link", true));
                    return;
                }
                for (Envelope e : batch.envelopes()) {
                    accepted.computeIfAbsent(e.key().deviceId(), k -> new ArrayList<>()).add(e.key().sequence());
                }
                f.complete(null);
            }, delayMicros, TimeUnit.MICROSECONDS);
            return f;
        }

        @Override
        public void close() {
            acker.shutdownNow();
        }
    }

    @Test
    @DisplayName("drains 300 buffers through a flaky asynchronous transport: every record once at least, each"
            + " device in order, the poisoned record skipped, in-flight bounded")
    void drainsManyBuffersExactlyAsAForwarderWould() throws Exception {
        Map<String, Integer> counts = fill(300, 40, 7);
        IdempotencyKey poisoned = null;
        for (Path p : dirs()) {
            try (DurableBuffer b = open(p)) {
                if (counts.get(p.getFileName().toString()) >= 10) {
                    poisoned = new IdempotencyKey(p.getFileName().toString(), "s", b.epoch(), 7);
                    break;
                }
            }
        }
        try (AsyncFlakyTransport t = new AsyncFlakyTransport(11, 0.2, poisoned)) {
            FleetDrainer drainer = FleetDrainer.builder().transport(t).source(CURSOR, FleetDrainerTest::open)
                    .concurrency(2, 32).batching(8, 1 << 20)
                    .backoff(Duration.ofMillis(1), Duration.ofMillis(5), 0.5, 3).build();
            FleetDrainer.Report r = drainer.drain(dirs(), Duration.ofMinutes(2));
            assertTrue(r.complete(), r.toString());
            assertEquals(300, r.buffersDrained());
            assertEquals(1, r.recordsRejected());
            assertTrue(r.failedAttempts() > 0, "the flaky link must have failed some batches");
            assertTrue(t.maxInFlight.get() <= 32, "in flight " + t.maxInFlight.get());
            long total = 0;
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                List<Long> got = t.accepted.getOrDefault(e.getKey(), List.of());
                long expected = e.getValue() - (poisoned != null && poisoned.deviceId().equals(e.getKey()) ? 1 : 0);
                Set<Long> distinct = new HashSet<>(got);
                assertEquals(expected, distinct.size(), "records of " + e.getKey());
                long last = 0;
                for (long q : got) {
                    assertTrue(q > last, e.getKey() + " out of order: " + got);
                    last = q;
                }
                total += expected;
            }
            assertEquals(total, r.recordsAcknowledged());
            // everything acknowledged was committed: a second drain sends nothing
            FleetDrainer.Report again = drainer.drain(dirs(), Duration.ofMinutes(1));
            assertEquals(0, again.recordsAcknowledged());
            assertTrue(again.complete());
        }
    }

    @Test
    @DisplayName("a buffer that cannot be opened is reported and the others are drained; a synchronous"
            + " transport works through the default sendAsync")
    void reportsBrokenBufferAndDrainsTheRest() throws Exception {
        Map<String, Integer> counts = fill(20, 15, 5);
        // an intact cursor file of a future major format: the buffer must refuse to open, not guess
        String body = "format=99.0\nname=" + CURSOR + "\nposition=0\n";
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("dev-3").resolve("cursors").resolve(CURSOR + ".cursor"),
                body + "crc32c=" + Long.toHexString(crc.getValue()) + "\n");
        Path drop = Files.createDirectories(dir.getParent().resolve(dir.getFileName() + "-drop"));
        try (Transport t = new FileDropTransportProvider().create(ComponentConfig.builder()
                .put("uri", drop.toUri().toString()).build())) {
            FleetDrainer.Report r = FleetDrainer.builder().transport(t).source(CURSOR, FleetDrainerTest::open)
                    .build().drain(dirs(), Duration.ofMinutes(1));
            assertFalse(r.complete());
            assertEquals(19, r.buffersDrained());
            assertEquals(Set.of(dir.resolve("dev-3")), r.failedBuffers().keySet());
            long expected = counts.entrySet().stream().filter(e -> !e.getKey().equals("dev-3"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertEquals(expected, r.recordsAcknowledged());
            assertEquals(expected, new DropDirectoryReader().read(drop).envelopes().size());
        }
    }

    /** Refuses the record of sequence 1 as never acceptable (in any batch holding it); accepts everything else. */
    private static final class RefusesFirstRecord implements Transport {
        final List<Long> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void send(Batch batch) throws TransportException {
            for (Envelope e : batch.envelopes()) {
                if (e.key().sequence() == 1) {
                    throw new TransportException("record " + e.key() + " is never acceptable", false);
                }
            }
            batch.envelopes().forEach(e -> accepted.add(e.key().sequence()));
        }

        @Override
        public void close() {
        }
    }

    @Test
    @DisplayName("a failure is logged once, where it happens: a buffer whose commit fails once as left undrained (the"
            + " report carries it, nothing logs it again), and the record it skipped once, by the drain that stores"
            + " the skip")
    void failuresAreLoggedOnce() throws Exception {
        Path buf = dir.resolve("dev-1");
        try (DurableBuffer b = DurableBuffer.builder().directory(buf).deviceId("dev-1").open()) {
            b.cursor(CURSOR);
            for (int i = 1; i <= 3; i++) {
                b.append("s", Payloads.of(i, 60));
            }
        }
        RefusesFirstRecord t = new RefusesFirstRecord();
        FleetDrainer.BufferOpener opener = p -> DurableBuffer.builder().directory(p)
                .cursorSync(CursorSync.EVERY_COMMIT).open();
        java.io.PrintStream before = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        FleetDrainer.Report first;
        FleetDrainer.Report second;
        String firstLog;
        try {
            // every commit fails: a directory where the cursor's temporary file goes
            Path blocker = Files.createDirectories(buf.resolve("cursors").resolve(CURSOR + ".cursor.tmp"));
            Files.write(blocker.resolve("keep"), new byte[1]);
            first = FleetDrainer.builder().transport(t).source(CURSOR, opener).batching(8, 1 << 20).build()
                    .drain(List.of(buf), Duration.ofSeconds(30));
            firstLog = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
            Files.delete(blocker.resolve("keep"));
            Files.delete(blocker);
            second = FleetDrainer.builder().transport(t).source(CURSOR, opener).batching(8, 1 << 20).build()
                    .drain(List.of(buf), Duration.ofSeconds(30));
        } finally {
            System.setErr(before);
        }
        String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        // the first drain: the probe (record 2) was accepted, the commit skipping record 1 failed
        assertEquals(Set.of(buf), first.failedBuffers().keySet(), first.toString());
        assertEquals(0, first.recordsRejected(), first.toString());
        String failure = first.failedBuffers().get(buf);
        // slf4j-simple's lines: "[thread] LEVEL logger - message" (stack trace lines name the class too)
        List<String> drainerLines = firstLog.lines().filter(l -> l.contains(" " + FleetDrainer.class.getName() + " - "))
                .toList();
        assertEquals(1, drainerLines.size(), "one line for the failed buffer: " + firstLog);
        assertTrue(drainerLines.get(0).contains("left undrained") && drainerLines.get(0).contains(failure),
                drainerLines.toString());
        // the second drain stores the skip and logs it; nothing from the first drain is logged again
        assertEquals(1, second.recordsRejected(), second.toString());
        assertTrue(second.complete(), second.toString());
        assertEquals(1, log.lines().filter(l -> l.contains("refused as never acceptable")).count(),
                "the skip is logged once: " + log);
        assertEquals(1, log.lines().filter(l -> l.contains("left undrained")).count(), log);
        assertEquals(List.of(2L, 3L), t.accepted.stream().distinct().sorted().toList());
    }
}
