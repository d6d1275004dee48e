package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit's coalesced writes: frames are staged in memory and written many at a time, never become durable or
 * visible before they are written and synced, and a failed write fails exactly the appends it held.
 */
class GroupCommitWriteTest {
    /** No sync by time or size during a test: only flush, a full staging buffer, a roll or close writes. */
    private static final Durability NEVER_BY_ITSELF = Durability.groupCommit(Duration.ofMinutes(10), 1L << 40);

    @TempDir
    Path dir;

    private DurableBuffer open(Path d, AtomicLong free, AtomicLong segmentWrites, Durability durability,
            long segmentBytes) throws IOException {
        return DurableBuffer.builder().directory(d).deviceId("d").durability(durability).segmentBytes(segmentBytes)
                .channelOpener((p, o) -> p.getFileName().toString().startsWith("seg-")
                        ? new QuotaChannel(FileChannel.open(p, o), free, new AtomicInteger(), segmentWrites)
                        : FileChannel.open(p, o))
                .open();
    }

    @Test
    @DisplayName("2,000 appends of 100 bytes under group commit take a handful of writes, not one each")
    void stagedFramesAreWrittenTogether() throws Exception {
        AtomicLong writes = new AtomicLong();
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        try (DurableBuffer b = open(dir, new AtomicLong(Long.MAX_VALUE / 2), writes, NEVER_BY_ITSELF, 64L << 20)) {
            long before = writes.get();
            for (int i = 1; i <= 2000; i++) {
                futures.add(b.appendAsync("s", 0, Payloads.of(i, 100)));
            }
            b.flush();
            long used = writes.get() - before;
            // 2,000 frames of about 140 bytes fill the 64 KiB staging buffer about five times
            assertTrue(used <= 10, "writes for 2,000 appends: " + used);
            for (int i = 0; i < futures.size(); i++) {
                assertEquals(i + 1, futures.get(i).get(10, TimeUnit.SECONDS).sequence());
            }
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            List<BufferedRecord> all = DiskFullTest.readAll(b);
            assertEquals(2000, all.size());
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).sequence());
                assertArrayEquals(Payloads.of(i + 1, 100), all.get(i).payloadBytes());
            }
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
        }
    }

    @Test
    @DisplayName("staged frames are neither durable nor readable until written and synced; close writes them")
    void stagedFramesStayInvisibleUntilSynced() throws Exception {
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        try (DurableBuffer b = open(dir, new AtomicLong(Long.MAX_VALUE / 2), new AtomicLong(), NEVER_BY_ITSELF,
                64L << 20)) {
            for (int i = 1; i <= 100; i++) {
                futures.add(b.appendAsync("s", 0, Payloads.of(i, 100)));
            }
            assertTrue(b.metrics().bytesAtRisk() >= 100 * 100, "all 100 records are at risk");
            assertTrue(DiskFullTest.readAll(b).isEmpty(), "a reader sees nothing staged");
            assertFalse(futures.get(0).isDone());
            assertEquals(100, b.metrics().recordsBuffered());
        }
        for (CompletableFuture<Appended> f : futures) {
            assertTrue(f.isDone() && !f.isCompletedExceptionally(), "close writes and syncs what was staged");
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            assertEquals(100, DiskFullTest.readAll(b).size());
        }
    }

    @Test
    @DisplayName("records larger than the staging buffer, mixed with small ones and segment rolls, keep their order")
    void largeFramesAndRollsKeepOrder() throws Exception {
        int[] sizes = {100, 200_000, 50, 70_000, 10, 65_000, 300, 1, 150_000, 99};
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        try (DurableBuffer b = open(dir, new AtomicLong(Long.MAX_VALUE / 2), new AtomicLong(), NEVER_BY_ITSELF,
                256 * 1024)) {
            for (int round = 0; round < 5; round++) {
                for (int s : sizes) {
                    futures.add(b.appendAsync("s", 0, Payloads.of(futures.size() + 1, s)));
                }
            }
            b.flush();
            for (CompletableFuture<Appended> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            List<BufferedRecord> all = DiskFullTest.readAll(b);
            assertEquals(futures.size(), all.size());
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).sequence());
                assertArrayEquals(Payloads.of(i + 1, sizes[i % sizes.length]), all.get(i).payloadBytes());
            }
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
        }
    }

    @Test
    @DisplayName("a full disk at the staged write fails exactly the staged appends; earlier ones stay, later ones work")
    void failedStagedWriteFailsOnlyTheStagedAppends() throws Exception {
        AtomicLong free = new AtomicLong(Long.MAX_VALUE / 2);
        List<Long> durable = new ArrayList<>();
        try (DurableBuffer b = open(dir, free, new AtomicLong(), NEVER_BY_ITSELF, 64L << 20)) {
            List<CompletableFuture<Appended>> first = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                first.add(b.appendAsync("s", 0, Payloads.of(i, 50)));
            }
            b.flush();
            for (CompletableFuture<Appended> f : first) {
                durable.add(f.get(10, TimeUnit.SECONDS).sequence());
            }
            free.set(0);
            List<CompletableFuture<Appended>> staged = new ArrayList<>();
            for (int i = 11; i <= 20; i++) {
                staged.add(b.appendAsync("s", 0, Payloads.of(i, 50)));
            }
            DiskFullException full = assertThrows(DiskFullException.class, b::flush);
            assertTrue(full.getMessage().contains("Disk full"), full.getMessage());
            for (CompletableFuture<Appended> f : staged) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof DiskFullException, e.toString());
            }
            assertEquals(10, b.metrics().recordsBuffered(), "the dropped frames are not counted");
            assertEquals(0, b.metrics().bytesAtRisk());
            free.set(Long.MAX_VALUE / 2);
            List<CompletableFuture<Appended>> later = new ArrayList<>();
            for (int i = 21; i <= 25; i++) {
                later.add(b.appendAsync("s", 0, Payloads.of(i, 50)));
            }
            // append() waits for its record: the sync thread is not due for 10 minutes, so flush from here
            b.flush();
            for (CompletableFuture<Appended> f : later) {
                durable.add(f.get(10, TimeUnit.SECONDS).sequence());
            }
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 21L, 22L, 23L, 24L, 25L), durable,
                    "sequences of failed appends are never reused");
            assertEquals(15, b.metrics().recordsBuffered());
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            List<Long> read = new ArrayList<>();
            for (BufferedRecord r : DiskFullTest.readAll(b)) {
                assertArrayEquals(Payloads.of(r.sequence(), 50), r.payloadBytes());
                read.add(r.sequence());
            }
            assertEquals(durable, read, "exactly the records reported durable are kept");
            assertEquals(15, b.metrics().recordsBuffered());
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
        }
    }

    @Test
    @DisplayName("when the staging buffer fills against a full disk, the append that found it full fails too")
    void fullStagingBufferAgainstFullDisk() throws Exception {
        AtomicLong free = new AtomicLong(Long.MAX_VALUE / 2);
        try (DurableBuffer b = open(dir, free, new AtomicLong(), NEVER_BY_ITSELF, 64L << 20)) {
            b.appendAsync("s", 0, Payloads.of(1, 10)); // creates the segment: the quota below only meets frames
            b.flush();
            free.set(0);
            List<CompletableFuture<Appended>> staged = new ArrayList<>();
            DiskFullException full = null;
            for (int i = 2; i < 10_000 && full == null; i++) {
                try {
                    staged.add(b.appendAsync("s", 0, Payloads.of(i, 1000)));
                } catch (DiskFullException e) {
                    full = e;
                }
            }
            assertTrue(full != null, "64 KiB of staged frames must reach the disk and fail");
            assertTrue(staged.size() > 10, "appends were staged before the write failed: " + staged.size());
            for (CompletableFuture<Appended> f : staged) {
                assertTrue(f.isCompletedExceptionally(), "every staged append failed with the write");
            }
            assertEquals(1, b.metrics().recordsBuffered());
        }
    }

    /**
     * A group commit that never syncs by time and whose sync thread is due exactly when the tenth 100-byte append
     * (on one stream) is pending, not the ninth: the sync thread then does the staged write of all ten.
     */
    private Durability dueAtTheTenthAppend() throws IOException {
        try (DurableBuffer probe = DurableBuffer.builder().directory(dir.resolve("probe")).deviceId("d")
                .durability(Durability.none()).open()) {
            long first = probe.append("s", Payloads.of(1, 100)).endPosition();
            long frame = probe.append("s", Payloads.of(2, 100)).endPosition() - first;
            return Durability.groupCommit(Duration.ofMinutes(10), 10 * frame - frame / 2);
        }
    }

    /**
     * Stores sequence 1, then fills the disk and appends 2-11, whose staged write the sync thread does (the buffer
     * is opened with {@link #dueAtTheTenthAppend()}) and which all fail with a full disk.
     */
    private static void failAppendsTwoToEleven(DurableBuffer b, AtomicLong free) throws Exception {
        b.appendAsync("s", 0, Payloads.of(1, 100));
        b.flush();
        free.set(0);
        List<CompletableFuture<Appended>> lost = new ArrayList<>();
        for (int i = 2; i <= 11; i++) {
            lost.add(b.appendAsync("s", 0, Payloads.of(i, 100)));
        }
        for (CompletableFuture<Appended> f : lost) {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
            assertTrue(failed.getCause() instanceof DiskFullException, failed.toString());
        }
    }

    @Test
    @DisplayName("a full disk at the sync thread's staged write reaches callers who never look at their futures")
    void failureReachesCallersWhoIgnoreFutures() throws Exception {
        AtomicLong free = new AtomicLong(Long.MAX_VALUE / 2);
        try (DurableBuffer b = open(dir.resolve("b"), free, new AtomicLong(), dueAtTheTenthAppend(), 64L << 20)) {
            // the sync thread's write fails; those appends' futures fail with it
            failAppendsTwoToEleven(b, free);
            free.set(Long.MAX_VALUE / 2);
            // the next append throws it, naming what was lost, although the disk has room again
            DiskFullException thrown = assertThrows(DiskFullException.class,
                    () -> b.appendAsync("s", 0, Payloads.of(12, 100)));
            assertTrue(thrown.getMessage().contains("the 10 appends of stream 's' sequences 2-11 were not stored"),
                    thrown.getMessage());
            // once: then appends work again, with new sequences
            CompletableFuture<Appended> after = b.appendAsync("s", 0, Payloads.of(12, 100));
            b.flush();
            assertEquals(12, after.get(10, TimeUnit.SECONDS).sequence());
        }
    }

    @Test
    @DisplayName("flush reports a failed staged write no append reported, once, after making the rest durable")
    void flushReportsTheFailureOnce() throws Exception {
        AtomicLong free = new AtomicLong(Long.MAX_VALUE / 2);
        Path d = dir.resolve("b");
        try (DurableBuffer b = open(d, free, new AtomicLong(), dueAtTheTenthAppend(), 64L << 20)) {
            failAppendsTwoToEleven(b, free);
            free.set(Long.MAX_VALUE / 2);
            DiskFullException e = assertThrows(DiskFullException.class, b::flush);
            assertTrue(e.getMessage().contains("were not stored"), e.getMessage());
            b.flush(); // reported once
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(d).deviceId("d").open()) {
            List<BufferedRecord> all = DiskFullTest.readAll(b);
            assertEquals(1, all.size(), "only the first record was stored");
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
        }
    }

    @Test
    @DisplayName("interrupting one appending thread fails none of the other threads' staged appends")
    void interruptOfOneAppenderFailsNoOtherAppend() throws Exception {
        int threads = 4;
        int per = 5_000;
        ConcurrentLinkedQueue<CompletableFuture<Appended>> others = new ConcurrentLinkedQueue<>();
        AtomicLong otherThrew = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        // real file channels (an interrupt closes them); small segments: rolls happen while thread 0 is interrupted
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d")
                .durability(Durability.groupCommit(Duration.ofMillis(2), 1L << 30)).segmentBytes(256 * 1024).open()) {
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts[t] = new Thread(() -> {
                    for (int i = 0; i < per; i++) {
                        try {
                            CompletableFuture<Appended> f = b.appendAsync("s" + id, 0, Payloads.of(i + 1, 100));
                            if (id != 0) {
                                others.add(f);
                            }
                        } catch (IOException | RuntimeException e) {
                            if (id != 0) {
                                otherThrew.incrementAndGet();
                            }
                        }
                        if (id == 0) {
                            Thread.interrupted();
                        }
                    }
                }, "appender-" + t);
            }
            for (Thread t : ts) {
                t.start();
            }
            while (ts[0].isAlive()) {
                ts[0].interrupt();
                LockSupport.parkNanos(20_000);
            }
            for (Thread t : ts) {
                t.join();
            }
            b.flush();
            for (CompletableFuture<Appended> f : others) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                    ok.incrementAndGet();
                } catch (ExecutionException e) {
                    throw new AssertionError("an append of a thread nobody interrupted failed", e);
                }
            }
        }
        assertEquals(0, otherThrew.get());
        assertEquals((long) (threads - 1) * per, ok.get());
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
        }
    }

    @Test
    @DisplayName("when the recount after a failed write cannot read the file, the segment is sealed without a footer")
    void staleCountsAreNeverSealedIntoAFooter() throws Exception {
        AtomicBoolean readError = new AtomicBoolean();
        AtomicBoolean writeError = new AtomicBoolean();
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(NEVER_BY_ITSELF)
                .segmentBytes(64 * 1024)
                .channelOpener((p, o) -> p.getFileName().toString().startsWith("seg-")
                        ? new QuotaChannel(FileChannel.open(p, o), new AtomicLong(Long.MAX_VALUE / 2),
                                new AtomicInteger(), new AtomicLong(), readError, writeError)
                        : FileChannel.open(p, o))
                .open()) {
            for (int i = 1; i <= 50; i++) {
                b.appendAsync("s", 0, Payloads.of(i, 100));
            }
            b.flush();
            readError.set(true);
            writeError.set(true);
            for (int i = 51; i <= 70; i++) {
                b.appendAsync("s", 9, Payloads.of(i, 100));
            }
            assertThrows(IOException.class, b::flush);
            // writes work again, reads still fail: the recount before sealing fails too
            writeError.set(false);
            List<CompletableFuture<Appended>> later = new ArrayList<>();
            for (int i = 71; i <= 600; i++) {
                later.add(b.appendAsync("s", 0, Payloads.of(i, 100)));
            }
            b.flush();
            for (CompletableFuture<Appended> f : later) {
                f.get(10, TimeUnit.SECONDS);
            }
            readError.set(false);
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            List<BufferedRecord> all = DiskFullTest.readAll(b);
            assertEquals(580, all.size());
            assertEquals(580, b.metrics().recordsBuffered(), "the counts are those of the records stored");
            assertTrue(all.stream().allMatch(r -> r.priority() == 0), "no priority-9 record was stored");
        }
    }

    @Test
    @DisplayName("append() is told of its own failed sync once: once space is back, the next append works")
    void syncAppendIsToldOnce() throws Exception {
        AtomicLong free = new AtomicLong(Long.MAX_VALUE / 2);
        try (DurableBuffer b = open(dir, free, new AtomicLong(), Durability.groupCommit(Duration.ofMillis(2), 1 << 20),
                64L << 20)) {
            b.append("s", Payloads.of(1, 100));
            free.set(0);
            assertThrows(DiskFullException.class, () -> b.append("s", Payloads.of(2, 100)));
            free.set(Long.MAX_VALUE / 2);
            assertEquals(3, b.append("s", Payloads.of(3, 100)).sequence(), "not refused for a failure already told");
            b.flush();
        }
    }

    @Test
    @DisplayName("close reports failed appends nobody was told of, and does not leave the directory marked clean")
    void closeReportsUntoldFailures() throws Exception {
        AtomicLong free = new AtomicLong(Long.MAX_VALUE / 2);
        Path d = dir.resolve("b");
        DurableBuffer b = open(d, free, new AtomicLong(), dueAtTheTenthAppend(), 64L << 20);
        failAppendsTwoToEleven(b, free);
        DiskFullException e = assertThrows(DiskFullException.class, b::close);
        assertTrue(e.getMessage().contains("sequences 2-11 were not stored"), e.getMessage());
        b.close(); // idempotent
    }

    @Test
    @DisplayName("an interrupt landing in flush's staged write neither fails the flush nor the record")
    void interruptDuringFlushStagedWrite() throws Exception {
        AtomicBoolean armed = new AtomicBoolean();
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(NEVER_BY_ITSELF)
                .channelOpener((p, o) -> p.getFileName().toString().startsWith("seg-")
                        ? new QuotaChannel(FileChannel.open(p, o), new AtomicLong(Long.MAX_VALUE / 2))
                                .interruptingNextWrite(armed)
                        : FileChannel.open(p, o))
                .open()) {
            CompletableFuture<Appended> f = b.appendAsync("s", 0, Payloads.of(1, 100));
            armed.set(true);
            b.flush();
            assertTrue(Thread.interrupted(), "the interrupt is restored after flush");
            assertEquals(1, f.get(10, TimeUnit.SECONDS).sequence());
        } finally {
            Thread.interrupted();
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            assertEquals(1, DiskFullTest.readAll(b).size());
        }
    }
}
