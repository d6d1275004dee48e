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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
            for (CompletableFuture<Appended> f : staged) {
                assertTrue(f.isCompletedExceptionally(), "every staged append failed with the write");
            }
            assertEquals(1, b.metrics().recordsBuffered());
        }
    }
}
