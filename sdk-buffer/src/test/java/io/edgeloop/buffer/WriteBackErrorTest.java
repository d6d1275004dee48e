package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sync that fails with a write-back error must fail the records it was to make durable, whichever descriptor
 * hears of it first, and must not fail records written after it. The device reports such an error once per file
 * description, so a retried sync succeeds without storing them ({@link WriteBackErrors} models that).
 */
class WriteBackErrorTest {
    @TempDir
    Path dir;

    private final WriteBackErrors device = new WriteBackErrors();

    private DurableBuffer open(Duration maxDelay, long maxBytes, long segmentBytes) throws IOException {
        return DurableBuffer.builder().directory(dir).deviceId("d")
                .durability(Durability.groupCommit(maxDelay, maxBytes)).segmentBytes(segmentBytes)
                .channelOpener(device.opener()).open();
    }

    private List<Long> sequencesOnDisk() throws IOException {
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
            List<Long> seqs = new ArrayList<>();
            for (BufferedRecord r : DiskFullTest.readAll(b)) {
                seqs.add(r.sequence());
            }
            return seqs;
        }
    }

    private static void assertFailed(CompletableFuture<Appended> f, String why) {
        assertTrue(f.isDone(), why + ": the future is still pending");
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(0, TimeUnit.SECONDS), why);
        assertTrue(e.getCause() instanceof IOException, e.toString());
    }

    @Test
    @DisplayName("a flush whose sync fails fails the pending appends, a retried flush does not report them durable,"
            + " and a later append is not failed by the same error")
    void failedFlushFailsPendingAppendsAndARetryDoesNotRevive() throws Exception {
        // maxBytes 2048: the five small appends wait (30 s delay), the 3000-byte one wakes the sync thread at once
        try (DurableBuffer b = open(Duration.ofSeconds(30), 2048, 1 << 20)) {
            CompletableFuture<Appended> first = b.appendAsync("s", 0, Payloads.of(1, 100));
            b.flush();
            assertEquals(1, first.get(0, TimeUnit.SECONDS).sequence());
            List<CompletableFuture<Appended>> lost = new ArrayList<>();
            for (int i = 2; i <= 6; i++) {
                lost.add(b.appendAsync("s", 0, Payloads.of(i, 100)));
            }
            device.failNextWriterSync();
            IOException e = assertThrows(IOException.class, b::flush);
            b.flush(); // the device lets this sync succeed; it must not revive records 2-6
            for (CompletableFuture<Appended> f : lost) {
                assertFailed(f, "record " + (lost.indexOf(f) + 2) + "'s sync failed");
            }
            assertTrue(e.getMessage().contains("sequences 2-6") && e.getMessage().contains("Input/output error"),
                    e.getMessage());
            // the sync thread's descriptor was open when the error happened: it must not fail this healthy append
            CompletableFuture<Appended> later = b.appendAsync("s", 0, Payloads.of(7, 3000));
            assertEquals(7, later.get(10, TimeUnit.SECONDS).sequence(), "sequences 2-6 are never reused");
            CompletableFuture<Appended> last = b.appendAsync("s", 0, Payloads.of(8, 100));
            b.flush();
            assertEquals(8, last.get(0, TimeUnit.SECONDS).sequence());
        }
        assertEquals(List.of(1L, 7L, 8L), sequencesOnDisk(), "the failed records were cut off");
    }

    @Test
    @DisplayName("a seal whose sync fails fails the segment's pending appends; the next roll does not report them"
            + " durable")
    void failedSealFailsPendingAppendsAndTheNextRollDoesNotRevive() throws Exception {
        List<CompletableFuture<Appended>> lost = new ArrayList<>();
        long next;
        try (DurableBuffer b = open(Duration.ofSeconds(30), 1L << 30, 4096)) {
            CompletableFuture<Appended> first = b.appendAsync("s", 0, Payloads.of(1, 100));
            b.flush();
            first.get(0, TimeUnit.SECONDS);
            // the next force through the write channel is the seal's (no flush; the 30 s sync is not due)
            device.failNextWriterSync();
            IOException sealFailed = null;
            for (int i = 2; i < 100 && sealFailed == null; i++) {
                try {
                    lost.add(b.appendAsync("s", 0, Payloads.of(i, 100)));
                } catch (IOException e) {
                    sealFailed = e;
                }
            }
            assertTrue(sealFailed != null, "a 4 KiB segment of 100-byte records rolls within 100 appends");
            next = lost.size() + 2;
            CompletableFuture<Appended> later = b.appendAsync("s", 0, Payloads.of(next, 100));
            for (int i = 0; i < 40; i++) {
                b.appendAsync("s", 0, Payloads.of(next + 1 + i, 100)); // rolls again: that seal succeeds
            }
            b.flush();
            for (CompletableFuture<Appended> f : lost) {
                assertFailed(f, "record " + (lost.indexOf(f) + 2) + "'s seal failed; a later roll synced again");
            }
            assertEquals(next, later.get(0, TimeUnit.SECONDS).sequence());
            assertTrue(sealFailed.getMessage().contains("sealing")
                    && sealFailed.getMessage().contains("sequences 2-" + (next - 1)), sealFailed.getMessage());
        }
        List<Long> expected = new ArrayList<>();
        expected.add(1L);
        for (long s = next; s <= next + 40; s++) {
            expected.add(s);
        }
        assertEquals(expected, sequencesOnDisk());
    }

    @Test
    @DisplayName("when the sync thread hears of a write-back error first, the later flush, seal and close do not"
            + " fail healthy appends with it")
    void syncThreadFailureDoesNotReachLaterWriterSyncs() throws Exception {
        try (DurableBuffer b = open(Duration.ofSeconds(30), 2048, 4096)) {
            CompletableFuture<Appended> first = b.appendAsync("s", 0, Payloads.of(1, 100));
            b.flush();
            first.get(0, TimeUnit.SECONDS);
            device.failNextSyncThreadSync();
            List<CompletableFuture<Appended>> lost = new ArrayList<>();
            for (int i = 2; i <= 5; i++) {
                lost.add(b.appendAsync("s", 0, Payloads.of(i, 100)));
            }
            lost.add(b.appendAsync("s", 0, Payloads.of(6, 2000))); // crosses maxBytes: the sync thread syncs now
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> lost.get(4).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("Input/output error"), e.toString());
            for (CompletableFuture<Appended> f : lost) {
                assertFailed(f, "record " + (lost.indexOf(f) + 2) + "'s sync failed");
            }
            IOException told = assertThrows(IOException.class, b::flush, "told once to a caller");
            assertTrue(told.getMessage().contains("Earlier appends were not stored"), told.getMessage());
            // the writer's descriptor was open when the error happened: flush, the seal and close must not hear it
            CompletableFuture<Appended> seven = b.appendAsync("s", 0, Payloads.of(7, 100));
            b.flush();
            assertEquals(7, seven.get(0, TimeUnit.SECONDS).sequence());
            for (int i = 8; i <= 40; i++) {
                b.appendAsync("s", 0, Payloads.of(i, 100)); // rolls the 4 KiB segment: its seal syncs
            }
        }
        List<Long> expected = new ArrayList<>();
        expected.add(1L);
        for (long s = 7; s <= 40; s++) {
            expected.add(s);
        }
        assertEquals(expected, sequencesOnDisk());
    }

    @Test
    @DisplayName("under none a failed flush keeps the records it already reported durable and says they may be lost"
            + " on a power loss")
    void noneFlushFailureKeepsRecordsAndSaysSo() throws Exception {
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.none())
                .channelOpener(device.opener()).open()) {
            for (int i = 1; i <= 3; i++) {
                b.append("s", Payloads.of(i, 100));
            }
            device.failNextWriterSync();
            IOException e = assertThrows(IOException.class, b::flush);
            assertTrue(e.getMessage().contains("may be lost on a power loss")
                    && e.getMessage().contains("a later sync does not store them again"), e.getMessage());
            assertEquals(3, DiskFullTest.readAll(b).size(), "none reported them durable: they stay readable");
            b.append("s", Payloads.of(4, 100));
            b.flush();
        }
        assertEquals(List.of(1L, 2L, 3L, 4L), sequencesOnDisk());
    }

    @Test
    @DisplayName("close from a future's callback returns at once, and a failed final sync fails the appends it held")
    void closeFromCallbackWithAFailedFinalSync() throws Exception {
        // 30 s delay, 1000-byte trigger: the sync thread syncs exactly when record 3 is appended
        DurableBuffer b = open(Duration.ofSeconds(30), 1000, 1 << 20);
        CompletableFuture<Appended> first = b.appendAsync("s", 0, Payloads.of(1, 100));
        b.flush();
        first.get(0, TimeUnit.SECONDS);
        List<CompletableFuture<Appended>> staged = new ArrayList<>();
        CompletableFuture<Thread> closedOn = new CompletableFuture<>();
        CompletableFuture<IOException> closeFailure = new CompletableFuture<>();
        CompletableFuture<Appended> trigger = b.appendAsync("s", 0, Payloads.of(2, 100));
        trigger.thenRun(() -> {
            // on the sync thread, which completed records 2 and 3; the appends below are staged meanwhile
            device.failNextWriterSync();
            try {
                for (int i = 4; i <= 7; i++) {
                    staged.add(b.appendAsync("s", 0, Payloads.of(i, 100)));
                }
                b.close();
                closeFailure.complete(null);
            } catch (IOException e) {
                closeFailure.complete(e);
            }
            closedOn.complete(Thread.currentThread());
        });
        long t0 = System.nanoTime();
        CompletableFuture<Appended> kick = b.appendAsync("s", 0, Payloads.of(3, 1000));
        Thread syncThread = closedOn.get(20, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(syncThread.getName().startsWith("edgeloop-buffer-sync-"), syncThread.getName());
        assertTrue(seconds < 10, "close waited " + seconds + " s for the thread it ran on");
        syncThread.join(10_000);
        assertFalse(syncThread.isAlive(), "the sync thread ended");
        IOException failure = closeFailure.get();
        assertTrue(failure != null && failure.getMessage().contains("sequences 4-7"), String.valueOf(failure));
        assertEquals(2, trigger.get().sequence());
        assertEquals(3, kick.get().sequence());
        assertEquals(4, staged.size());
        for (CompletableFuture<Appended> f : staged) {
            assertFailed(f, "record " + (staged.indexOf(f) + 4) + "'s final sync failed");
        }
        assertEquals(List.of(1L, 2L, 3L), sequencesOnDisk());
    }
}
