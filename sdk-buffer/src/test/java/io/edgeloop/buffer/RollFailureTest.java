package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.log.ChannelOpener;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting a new segment can fail on a full disk; no append may wait forever. */
class RollFailureTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("when the disk is full while a new segment is created, no pending append fails or hangs: the old"
            + " segment stays active and its next sync completes them")
    void fullDiskWhileRollingCompletesPendingAppends() throws Exception {
        AtomicBoolean full = new AtomicBoolean();
        // the edge of the test: ENOSPC exactly where a new segment file is created
        ChannelOpener opener = (path, opts) -> {
            if (full.get() && opts.contains(StandardOpenOption.CREATE_NEW)) {
                throw new IOException("No space left on device");
            }
            return FileChannel.open(path, opts);
        };
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d")
                .durability(Durability.groupCommit(Duration.ofSeconds(30), 1 << 30)).segmentBytes(4096)
                .channelOpener(opener).open()) {
            for (int i = 1; i <= 29; i++) {
                futures.add(b.appendAsync("a", 0, Payloads.of(i, 100)));
            }
            full.set(true);
            DiskFullException e = assertThrows(DiskFullException.class,
                    () -> b.appendAsync("a", 0, Payloads.of(30, 100)));
            assertTrue(e.getMessage().contains("creating segment"), e.getMessage());
            // the roll stopped before sealing (RollStartFailureTest): the old segment is still the active one
            b.flush();
            for (CompletableFuture<Appended> f : futures) {
                assertTrue(f.isDone(), "the flush synced record " + (futures.indexOf(f) + 1) + ", so it is durable");
                f.get(0, TimeUnit.SECONDS);
            }
            full.set(false);
            CompletableFuture<Appended> next = b.appendAsync("a", 0, Payloads.of(30, 100));
            b.flush();
            assertEquals(30, next.get(0, TimeUnit.SECONDS).sequence(), "the next append starts the new segment");
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            assertEquals(30, b.reader().next(100, 1 << 20).size());
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
        }
    }

    @Test
    @DisplayName("a group sync that fails on a segment a roll sealed meanwhile fails no append of the new segment")
    void syncFailingOnASegmentARollSealedFailsNothing() throws Exception {
        CountDownLatch syncing = new CountDownLatch(1);
        CountDownLatch rolled = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean(true);
        // the edge of the test: the sync thread's first force waits until a roll has sealed the segment, then fails
        // like an I/O error (the seal's own force, on the appending thread, succeeds)
        ChannelOpener opener = (path, opts) -> {
            FileChannel ch = FileChannel.open(path, opts);
            if (!path.getFileName().toString().startsWith("seg-")) {
                return ch;
            }
            return new QuotaChannel(ch, new AtomicLong(Long.MAX_VALUE / 2)).beforeForce(() -> {
                if (Thread.currentThread().getName().startsWith("edgeloop-buffer-sync-")
                        && armed.compareAndSet(true, false)) {
                    syncing.countDown();
                    try {
                        rolled.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IOException("Input/output error");
                }
            });
        };
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d")
                .durability(Durability.groupCommit(Duration.ofMillis(1), 1 << 30)).segmentBytes(4096)
                .channelOpener(opener).open()) {
            futures.add(b.appendAsync("a", 0, Payloads.of(1, 100)));
            assertTrue(syncing.await(30, TimeUnit.SECONDS), "the sync thread started its force");
            // about 28 frames of 100 bytes fill a 4 KiB segment: the 40 appends below roll it on this thread
            for (int i = 2; i <= 40; i++) {
                futures.add(b.appendAsync("a", 0, Payloads.of(i, 100)));
            }
            try (var files = Files.list(dir)) {
                assertTrue(files.filter(p -> p.getFileName().toString().startsWith("seg-")).count() >= 2,
                        "the appends rolled the segment");
            }
            assertTrue(futures.get(0).isDone() && !futures.get(0).isCompletedExceptionally(),
                    "sealing synced record 1");
            rolled.countDown();
            b.flush();
            for (CompletableFuture<Appended> f : futures) {
                assertEquals(futures.indexOf(f) + 1, f.get(10, TimeUnit.SECONDS).sequence(),
                        "the failed sync concerned a sealed, synced segment; record " + (futures.indexOf(f) + 1)
                                + " must not fail (its caller would append it again: a duplicate)");
            }
            assertEquals(41, b.append("a", 0, Payloads.of(41, 100)).sequence(), "nothing unreported is thrown");
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            List<BufferedRecord> all = DiskFullTest.readAll(b);
            assertEquals(41, all.size());
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).sequence());
            }
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
        }
    }
}
