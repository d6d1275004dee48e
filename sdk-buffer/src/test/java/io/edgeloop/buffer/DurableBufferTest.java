package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.metrics.BufferMetrics;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableBufferTest {
    @TempDir
    Path dir;

    private DurableBuffer open(Durability d) throws IOException {
        return DurableBuffer.builder().directory(dir).deviceId("dev-1").durability(d).segmentBytes(8192).open();
    }

    private static List<BufferedRecord> readAll(DurableBuffer b) throws IOException {
        BufferReader r = b.reader();
        List<BufferedRecord> out = new ArrayList<>();
        while (true) {
            List<BufferedRecord> batch = r.next(100, 1 << 20);
            if (batch.isEmpty()) {
                return out;
            }
            out.addAll(batch);
        }
    }

    @Nested
    @DisplayName("appending and reading")
    class AppendRead {
        @Test
        @DisplayName("records come back intact, in order, with sequences from 1 per stream")
        void roundTripsRecordsWithSequencesPerStream() throws IOException {
            try (DurableBuffer b = open(Durability.always())) {
                for (int i = 1; i <= 300; i++) {
                    Appended a = b.append(i % 3 == 0 ? "b" : "a", i % 10, Payloads.of(i, i % 50));
                    assertEquals(a.key().stream().equals("a") ? i - i / 3 : i / 3, a.sequence());
                }
                List<BufferedRecord> all = readAll(b);
                assertEquals(300, all.size());
                for (int i = 1; i <= 300; i++) {
                    BufferedRecord r = all.get(i - 1);
                    assertArrayEquals(Payloads.of(i, i % 50), r.payloadBytes());
                    assertEquals(i % 10, r.priority());
                    assertEquals("dev-1", r.key().deviceId());
                    assertEquals(b.epoch(), r.key().epoch());
                }
                assertTrue(segmentCount() > 1, "8 KiB segments must roll");
            }
        }

        @Test
        @DisplayName("sequences and the epoch survive a restart; a buffer recreated from nothing gets a new epoch")
        void sequencesAndEpochSurviveRestart() throws IOException {
            long epoch;
            try (DurableBuffer b = open(Durability.always())) {
                epoch = b.epoch();
                for (int i = 1; i <= 500; i++) {
                    b.append("s", Payloads.of(i, 20));
                }
            }
            try (DurableBuffer b = open(Durability.always())) {
                assertEquals(epoch, b.epoch());
                Appended a = b.append("s", Payloads.of(501, 20));
                assertEquals(new IdempotencyKey("dev-1", "s", epoch, 501), a.key());
                assertEquals(501, readAll(b).size());
            }
            deleteTree(dir);
            try (DurableBuffer b = open(Durability.always())) {
                assertNotEquals(epoch, b.epoch());
                assertEquals(1, b.append("s", Payloads.of(1, 20)).sequence());
            }
        }

        @Test
        @DisplayName("group commit shares syncs between records and completes futures once durable")
        void groupCommitSharesSyncs() throws Exception {
            Map<String, Long> durableSeen = new ConcurrentHashMap<>();
            try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d")
                    .durability(Durability.groupCommit(Duration.ofMillis(5), 1 << 20))
                    .durabilityListener((s, q) -> durableSeen.merge(s, q, Math::max)).open()) {
                List<CompletableFuture<Appended>> fs = new ArrayList<>();
                for (int i = 1; i <= 5000; i++) {
                    fs.add(b.appendAsync("g", 0, Payloads.of(i, 100)));
                }
                for (CompletableFuture<Appended> f : fs) {
                    f.get();
                }
                assertTrue(b.durablePosition() >= fs.get(fs.size() - 1).get().endPosition());
                BufferMetrics m = b.metrics();
                assertTrue(m.syncs() < 1000, "5000 records must share syncs, got " + m.syncs());
                assertEquals(5000L, durableSeen.get("g"));
                assertEquals(0, m.bytesAtRisk());
            }
        }

        @Test
        @DisplayName("concurrent appenders under group commit each get a unique sequence and all become durable")
        void concurrentAppendersUnderGroupCommit() throws Exception {
            ExecutorService ex = Executors.newFixedThreadPool(4);
            try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d")
                    .durability(Durability.groupCommit(Duration.ofMillis(2), 1 << 20)).open()) {
                List<Future<List<Long>>> res = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    res.add(ex.submit(() -> {
                        List<Long> seqs = new ArrayList<>();
                        for (int i = 0; i < 200; i++) {
                            seqs.add(b.append("c", Payloads.of(i, 64)).sequence());
                        }
                        return seqs;
                    }));
                }
                java.util.Set<Long> all = new java.util.HashSet<>();
                for (Future<List<Long>> f : res) {
                    all.addAll(f.get());
                }
                assertEquals(800, all.size());
                assertEquals(800, readAll(b).size());
                assertTrue(b.metrics().syncs() < 800, "appenders must share syncs");
            } finally {
                ex.shutdownNow();
            }
        }

        @Test
        @DisplayName("close is idempotent and use after close is refused")
        void closeIsIdempotent() throws IOException {
            DurableBuffer b = open(Durability.none());
            b.append("s", new byte[] {1});
            Cursor c = b.cursor("up");
            List<BufferedRecord> polled = c.poll(10, 1 << 20);
            b.close();
            b.close();
            assertThrows(IllegalStateException.class, () -> b.append("s", new byte[] {2}));
            assertThrows(IllegalStateException.class, b::reader);
            assertThrows(IllegalStateException.class, b::reclaim);
            assertThrows(IllegalStateException.class, () -> c.commit(polled.get(0)));
            assertThrows(IllegalStateException.class, () -> c.commit(1));
            assertThrows(IllegalStateException.class, c::rewind);
            // the accessors that only report keep answering, as the class javadoc says
            assertEquals(1, b.lastSequence("s"));
            assertEquals(Set.of("s"), b.streams());
            assertEquals(List.of("up"), b.cursorNames());
            assertTrue(b.metrics().recordsBuffered() >= 1);
            try (DurableBuffer again = open(Durability.none())) {
                assertEquals(1, readAll(again).size());
            }
        }

        @Test
        @DisplayName("a regular file where the directory should be, and a null payload, get messages that say so")
        void refusesAFileAsDirectoryAndANullPayload() throws IOException {
            Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
            IOException e = assertThrows(IOException.class,
                    () -> DurableBuffer.builder().directory(file).deviceId("d").open());
            assertTrue(e.getMessage().contains("not a directory") && e.getMessage().contains(file.toString()),
                    e.getMessage());
            try (DurableBuffer b = open(Durability.none())) {
                NullPointerException npe = assertThrows(NullPointerException.class, () -> b.append("s", null));
                assertEquals("payload", npe.getMessage());
                assertThrows(NullPointerException.class, () -> b.appendAsync("s", 0, null));
            }
        }

        @Test
        @DisplayName("bad arguments are refused with clear messages")
        void refusesBadArguments() throws IOException {
            try (DurableBuffer b = open(Durability.always())) {
                assertThrows(IllegalArgumentException.class, () -> b.append("s", 10, new byte[1]));
                assertThrows(IllegalArgumentException.class, () -> b.append("", new byte[1]));
                assertThrows(IllegalArgumentException.class, () -> b.append("a\nb", new byte[1]));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> b.append("s", new byte[9000]));
                assertTrue(e.getMessage().contains("segmentBytes"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> b.cursor("../x"));
            }
        }
    }

    @Nested
    @DisplayName("cursors")
    class Cursors {
        @Test
        @DisplayName("a cursor advances only on commit, survives reopening and re-reads what was not committed")
        void cursorIsAtLeastOnceAcrossReopen() throws IOException {
            try (DurableBuffer b = open(Durability.always())) {
                for (int i = 1; i <= 100; i++) {
                    b.append("s", Payloads.of(i, 30));
                }
                Cursor c = b.cursor("http");
                List<BufferedRecord> first = c.poll(40, 1 << 20);
                assertEquals(40, first.size());
                c.commit(first.get(29));
                List<BufferedRecord> more = c.poll(10, 1 << 20);
                assertEquals(41, more.get(0).sequence());
                c.rewind();
                assertEquals(31, c.poll(1, 1 << 20).get(0).sequence());
            }
            try (DurableBuffer b = open(Durability.always())) {
                Cursor c = b.cursor("http");
                List<BufferedRecord> next = c.poll(1000, 1 << 20);
                assertEquals(31, next.get(0).sequence());
                assertEquals(70, next.size());
                Cursor other = b.cursor("mqtt");
                assertEquals(1, other.poll(1, 1 << 20).get(0).sequence());
            }
        }

        @Test
        @DisplayName("segments every cursor has passed are deleted at once")
        void reclaimsAcknowledgedSegments() throws IOException {
            try (DurableBuffer b = open(Durability.none())) {
                Cursor c = b.cursor("one");
                for (int i = 1; i <= 1000; i++) {
                    b.append("s", Payloads.of(i, 100));
                }
                long before = segmentCount();
                assertTrue(before > 5);
                List<BufferedRecord> all = new ArrayList<>();
                for (List<BufferedRecord> r = c.poll(100, 1 << 20); !r.isEmpty(); r = c.poll(100, 1 << 20)) {
                    all.addAll(r);
                }
                assertEquals(1000, all.size());
                c.commit(all.get(all.size() - 1));
                assertEquals(1, segmentCount(), "only the active segment stays");
                assertEquals(1, b.append("t", new byte[1]).sequence());
            }
            try (DurableBuffer b = open(Durability.none())) {
                assertEquals(1001, b.append("s", new byte[1]).sequence(), "sequences survive reclaiming");
                assertEquals(2, b.cursor("one").poll(10, 1 << 20).size());
            }
        }

        @Test
        @DisplayName("a cursor cannot commit beyond what it read")
        void refusesCommitBeyondRead() throws IOException {
            try (DurableBuffer b = open(Durability.always())) {
                Appended a = b.append("s", new byte[3]);
                Cursor c = b.cursor("x");
                assertThrows(IllegalArgumentException.class, () -> c.commit(a.endPosition()));
            }
        }

        @Test
        @DisplayName("awaitRecords wakes when a record becomes durable")
        void awaitRecordsWakesOnDurable() throws Exception {
            try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d")
                    .durability(Durability.groupCommit(Duration.ofMillis(3), 1 << 20)).open()) {
                Cursor c = b.cursor("w");
                assertTrue(!c.awaitRecords(Duration.ofMillis(20)));
                Thread t = new Thread(() -> {
                    try {
                        Thread.sleep(50);
                        b.append("s", new byte[5]);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                t.start();
                assertTrue(c.awaitRecords(Duration.ofSeconds(60)));
                assertEquals(1, c.poll(10, 100).size());
                t.join();
            }
        }
    }

    @Nested
    @DisplayName("metrics")
    class Metrics {
        @Test
        @DisplayName("report records and bytes buffered, unsent age and bytes, and sync latency")
        void reportsBufferedUnsentAndSyncs() throws IOException {
            MutableClock clock = new MutableClock(5_000_000);
            try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").clock(clock)
                    .durability(Durability.always()).segmentBytes(8192).open()) {
                Cursor c = b.cursor("up");
                for (int i = 1; i <= 100; i++) {
                    b.append("s", Payloads.of(i, 100));
                }
                clock.advance(Duration.ofSeconds(90));
                BufferMetrics m = b.metrics();
                assertEquals(100, m.recordsBuffered());
                assertTrue(m.bytesBuffered() > 100 * 100);
                assertEquals(90_000, m.oldestUnsentAgeMillis());
                assertTrue(m.bytesUnacknowledged() > 100 * 100);
                assertEquals(0, m.bytesAtRisk());
                assertTrue(m.syncs() >= 100);
                assertTrue(m.syncLatencyMeanNanos() > 0 && m.syncLatencyMaxNanos() >= m.syncLatencyMeanNanos());
                List<BufferedRecord> all = c.poll(1000, 1 << 20);
                c.commit(all.get(all.size() - 1));
                BufferMetrics after = b.metrics();
                assertEquals(0, after.bytesUnacknowledged());
                assertEquals(0, after.oldestUnsentAgeMillis());
                assertTrue(after.recordsBuffered() < 100, "acknowledged segments reclaimed");
            }
        }

        @Test
        @DisplayName("a throwing durability listener does not stop group commit")
        void throwingListenerDoesNotStopSyncs() throws IOException {
            try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d")
                    .durability(Durability.groupCommit(Duration.ofMillis(1), 1 << 20))
                    .durabilityListener((s, q) -> {
                        throw new IllegalStateException("listener bug");
                    }).open()) {
                for (int i = 1; i <= 20; i++) {
                    assertEquals(i, b.append("s", Payloads.of(i, 10)).sequence());
                }
            }
        }
    }

    @Nested
    @DisplayName("concurrency")
    class Concurrency {
        @Test
        @DisplayName("appenders, rolling segments, a draining cursor and reclaiming all at once lose and repeat nothing")
        void appendDrainReclaimConcurrently() throws Exception {
            int threads = 4;
            int perThread = 2000;
            try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").segmentBytes(8192)
                    .durability(Durability.groupCommit(Duration.ofMillis(1), 1 << 20)).open()) {
                Cursor c = b.cursor("up");
                ExecutorService ex = Executors.newFixedThreadPool(threads + 1);
                try {
                    List<Future<?>> appenders = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        String stream = "s" + t;
                        appenders.add(ex.submit(() -> {
                            for (int i = 1; i <= perThread; i++) {
                                if (i % 3 == 0) {
                                    b.append(stream, Payloads.of(i, 100));
                                } else {
                                    b.appendAsync(stream, 0, Payloads.of(i, 100));
                                }
                            }
                            return null;
                        }));
                    }
                    Future<Map<String, List<Long>>> consumer = ex.submit(() -> {
                        Map<String, List<Long>> got = new ConcurrentHashMap<>();
                        int total = 0;
                        while (total < threads * perThread) {
                            List<BufferedRecord> batch = c.poll(97, 1 << 20);
                            if (batch.isEmpty()) {
                                c.awaitRecords(Duration.ofMillis(50));
                                continue;
                            }
                            for (BufferedRecord r : batch) {
                                assertArrayEquals(Payloads.of(r.sequence(), 100), r.payloadBytes());
                                got.computeIfAbsent(r.stream(), k -> new ArrayList<>()).add(r.sequence());
                            }
                            total += batch.size();
                            c.commit(batch.get(batch.size() - 1));
                        }
                        return got;
                    });
                    for (Future<?> f : appenders) {
                        f.get();
                    }
                    b.flush();
                    Map<String, List<Long>> got = consumer.get();
                    for (int t = 0; t < threads; t++) {
                        List<Long> seqs = got.get("s" + t);
                        assertEquals(perThread, seqs.size());
                        for (int i = 0; i < perThread; i++) {
                            assertEquals(i + 1, seqs.get(i), "in order, no gap, no repeat");
                        }
                    }
                    assertTrue(b.lossReport().isClean(), b.lossReport().toString());
                    assertTrue(segmentCount() <= 2, "segments reclaimed while appending: " + segmentCount());
                } finally {
                    ex.shutdownNow();
                }
            }
        }
        @Test
        @DisplayName("hundreds of segments keep a bounded number of files open")
        void boundsOpenFiles() throws IOException {
            assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc to count descriptors");
            try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.none())
                    .segmentBytes(4096).open()) {
                for (int i = 1; i <= 6000; i++) {
                    b.append("s", Payloads.of(i, 100));
                }
            }
            long before = openFiles();
            try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.none())
                    .segmentBytes(4096).open()) {
                assertTrue(segmentCount() > 200, "many segments: " + segmentCount());
                assertEquals(6000, readAll(b).size());
                Cursor c = b.cursor("x");
                int n = 0;
                for (List<BufferedRecord> r = c.poll(500, 1 << 20); !r.isEmpty(); r = c.poll(500, 1 << 20)) {
                    n += r.size();
                }
                assertEquals(6000, n);
                long during = openFiles();
                assertTrue(during - before < 48, "open descriptors grew by " + (during - before));
            }
        }

        @Test
        @DisplayName("interrupting a reading thread (which closes its channel) never breaks appends")
        void interruptedReaderDoesNotBreakAppends() throws Exception {
            try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.always())
                    .open()) {
                for (int i = 1; i <= 200; i++) {
                    b.append("s", Payloads.of(i, 100));
                }
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                Thread reader = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            readAll(b);
                        } catch (IOException | RuntimeException e) {
                            Thread.interrupted();
                        }
                    }
                });
                reader.start();
                for (int k = 0; k < 20; k++) {
                    Thread.sleep(2);
                    reader.interrupt();
                    b.append("s", Payloads.of(201 + k, 100));
                }
                stop.set(true);
                reader.join();
                assertEquals(220, readAll(b).size());
                assertEquals(221, b.append("s", Payloads.of(221, 100)).sequence());
            }
        }
    }

    private static long openFiles() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private long segmentCount() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("seg-")).count();
        }
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = new ArrayList<>(s.toList());
            java.util.Collections.reverse(all);
            for (Path x : all) {
                if (!x.equals(p)) {
                    Files.delete(x);
                }
            }
        }
    }
}
