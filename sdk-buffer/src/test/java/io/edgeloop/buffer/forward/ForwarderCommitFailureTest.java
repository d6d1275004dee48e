package io.edgeloop.buffer.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.tck.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver acknowledges a batch but its commit cannot be stored: a real tmpfs, full, with neither
 * {@code reserve.bin} nor {@code segments.idx} nor the lock note's block left for the buffer to free. Before, the forwarder logged "reading
 * the buffer failed" with a stack trace, showed nothing in its stats, and sent on: its read position moved past
 * records whose commit was never stored, and once everything was sent no later commit came to cover them, so
 * even after space was freed nothing was reclaimed and a restart would send it all again. Now it says why in
 * {@link ForwarderStats#lastError()}, sends nothing more, and stores the commit once space frees.
 */
class ForwarderCommitFailureTest {
    @TempDir
    Path dir;

    /** Records every envelope it is sent. */
    static final class Collecting implements Transport {
        final List<Envelope> received = new ArrayList<>();

        @Override
        public synchronized void send(Batch batch) {
            received.addAll(batch.envelopes());
        }

        synchronized int count() {
            return received.size();
        }

        @Override
        public void close() {
        }
    }

    /**
     * Writes 300 records of 1,000 bytes (64 KiB segments, cursor "up") to {@code bufDir} on {@code fs}, takes away
     * what the buffer could give up for a commit (reserve.bin, segments.idx, and the lock note, as a crash while the
     * note was given up leaves it: the open cannot write its note either), and fills the disk.
     *
     * @return the filler file, to delete when space should free
     */
    private static Path fullWithNothingToGiveUp(Tmpfs fs, Path bufDir) throws Exception {
        try (DurableBuffer b = DurableBuffer.builder().directory(bufDir).deviceId("d")
                .durability(Durability.always()).segmentBytes(64 * 1024).open()) {
            b.cursor("up");
            for (int i = 1; i <= 300; i++) {
                b.append("s", new byte[1000]);
            }
        }
        Files.delete(bufDir.resolve("reserve.bin"));
        Files.deleteIfExists(bufDir.resolve("segments.idx"));
        Files.write(bufDir.resolve("buffer.lock"), new byte[0]);
        return fs.fill("filler", 512);
    }

    @Test
    @DisplayName("a commit a full disk refuses is retried alone, said in the stats, and stored once space frees")
    void failedCommitIsRetriedBeforeSendingMore() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 1 << 20, "the full-disk commit case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            Path filler = fullWithNothingToGiveUp(fs, bufDir);
            Collecting transport = new Collecting();
            try (DurableBuffer b = DurableBuffer.builder().directory(bufDir).deviceId("d")
                    .durability(Durability.always()).segmentBytes(64 * 1024).open();
                    Forwarder f = Forwarder.builder().source(b, "up").transport(transport)
                            .batching(50, 1 << 20, Duration.ZERO)
                            .backoff(Duration.ofMillis(20), Duration.ofMillis(100), 0.5, 1).build().start()) {
                await(() -> f.stats().lastError().orElse("").contains("commit was not stored"), () ->
                        "the stats to say the commit was not stored: " + f.stats());
                assertTrue(f.stats().lastError().get().contains("were acknowledged"), f.stats().toString());
                assertEquals(50, transport.count(), "nothing more is sent while the commit is not stored");
                assertTrue(b.metrics().bytesUnacknowledged() > 0);
                Files.delete(filler);
                await(() -> b.metrics().bytesUnacknowledged() == 0, () -> "every commit to be stored once space"
                        + " is free: " + f.stats() + ", " + b.metrics());
                assertTrue(Files.exists(bufDir.resolve("reserve.bin")), "the reserve is back");
            }
            Set<IdempotencyKey> keys = new HashSet<>();
            for (Envelope e : transport.received) {
                assertTrue(keys.add(e.key()), "sent twice: " + e.key());
            }
            assertEquals(300, keys.size());
        }
    }

    @Test
    @DisplayName("a full disk with neither reserve.bin nor segments.idx and no segment ever sealed: the forwarder's"
            + " commits are stored (the buffer gives up its lock note's block), everything is delivered once and"
            + " freed")
    void drainsFullDiskWithNothingSealed() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 1 << 20, "the full-disk commit case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            // the default 4 MiB segment never fills on a 1 MiB file system: no segments.idx
            try (DurableBuffer b = DurableBuffer.builder().directory(bufDir).deviceId("d")
                    .durability(Durability.always()).open()) {
                b.cursor("up");
                for (int i = 1; i <= 300; i++) {
                    b.append("s", new byte[1000]);
                }
            }
            Files.delete(bufDir.resolve("reserve.bin"));
            fs.fill("filler", 512);
            Collecting transport = new Collecting();
            try (DurableBuffer b = DurableBuffer.builder().directory(bufDir).deviceId("d")
                    .durability(Durability.always()).open();
                    Forwarder f = Forwarder.builder().source(b, "up").transport(transport)
                            .batching(50, 1 << 20, Duration.ZERO)
                            .backoff(Duration.ofMillis(20), Duration.ofMillis(100), 0.5, 1).build().start()) {
                // before 2026-12-02 the first commit failed and the forwarder held back after 50 records for good
                await(() -> b.metrics().bytesUnacknowledged() == 0 && Files.exists(bufDir.resolve("reserve.bin")),
                        () -> "every commit to be stored and the disk freed: " + transport.count() + " sent, "
                        + f.stats() + ", " + b.metrics());
                assertEquals(300, transport.count());
                assertTrue(Files.size(bufDir.resolve("buffer.lock")) > 0, "the lock note is written again");
            }
            Set<IdempotencyKey> keys = new HashSet<>();
            for (Envelope e : transport.received) {
                assertTrue(keys.add(e.key()), "sent twice: " + e.key());
            }
            assertEquals(300, keys.size());
        }
    }

    /** Refuses every batch holding sequence 1 as content (not retryable); records every envelope it accepts. */
    static final class RefusingFirst implements Transport {
        final List<Envelope> received = new ArrayList<>();

        @Override
        public synchronized void send(Batch batch) throws io.edgeloop.api.transport.TransportException {
            for (Envelope e : batch.envelopes()) {
                if (e.key().sequence() == 1) {
                    throw new io.edgeloop.api.transport.TransportException("record 1 is refused", false);
                }
            }
            received.addAll(batch.envelopes());
        }

        synchronized long timesReceived(long sequence) {
            return received.stream().filter(e -> e.key().sequence() == sequence).count();
        }

        synchronized int count() {
            return received.size();
        }

        @Override
        public void close() {
        }
    }

    @Test
    @DisplayName("the commit that skips a refused record after an accepted probe is held back on a full disk like any"
            + " other commit: the probe is not sent again, and the commit is stored once space frees")
    void probeCommitOnFullDiskIsHeldBack() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 1 << 20, "the full-disk commit case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            Path filler = fullWithNothingToGiveUp(fs, bufDir);
            RefusingFirst transport = new RefusingFirst();
            try (DurableBuffer b = DurableBuffer.builder().directory(bufDir).deviceId("d")
                    .durability(Durability.always()).segmentBytes(64 * 1024).open();
                    Forwarder f = Forwarder.builder().source(b, "up").transport(transport)
                            .batching(50, 1 << 20, Duration.ZERO)
                            .backoff(Duration.ofMillis(20), Duration.ofMillis(100), 0.5, 1).build().start()) {
                // before 2026-12-02 the probe's commit failed as "reading the buffer failed", the cursor was rewound
                // and the next round sent the probe (record 2) again, round after round
                await(() -> f.stats().lastError().orElse("").contains("commit was not stored")
                        || transport.timesReceived(2) > 1, () -> "the stats to say the commit was not stored: "
                        + f.stats());
                assertEquals(1, transport.timesReceived(2), "the accepted probe is not sent again: " + f.stats());
                assertTrue(f.stats().lastError().get().contains("were acknowledged"), f.stats().toString());
                assertEquals(1, transport.count(), "nothing more is sent while the commit is not stored");
                Files.delete(filler);
                await(() -> b.metrics().bytesUnacknowledged() == 0, () -> "every commit to be stored once space"
                        + " is free: " + f.stats() + ", " + b.metrics());
                assertEquals(1, f.stats().recordsRejected(), f.stats().toString());
            }
            Set<IdempotencyKey> keys = new HashSet<>();
            for (Envelope e : transport.received) {
                assertTrue(keys.add(e.key()), "sent twice: " + e.key());
            }
            assertEquals(299, keys.size(), "every record but the refused one is delivered once");
        }
    }

    /**
     * Makes every commit of cursor "up" fail with an I/O error that is not a full disk: a directory where a cursor
     * write's temporary file goes, as a damaged file system leaves it.
     *
     * @return the directory, for {@link #unblockCommits}
     */
    private static Path blockCommits(Path bufDir) throws Exception {
        Path blocker = Files.createDirectories(bufDir.resolve("cursors").resolve("up.cursor.tmp"));
        Files.write(blocker.resolve("keep"), new byte[1]);
        return blocker;
    }

    private static void unblockCommits(Path blocker) throws Exception {
        Files.delete(blocker.resolve("keep"));
        Files.delete(blocker);
    }

    /**
     * Opens the buffer with a forwarder of cursor "up" into {@code transport}, runs {@code during} with both, closes
     * them and returns the forwarder's stats.
     */
    private static ForwarderStats forward(Path bufDir, Transport transport, ForwarderRun during) throws Exception {
        try (DurableBuffer b = DurableBuffer.builder().directory(bufDir).deviceId("d")
                .durability(Durability.always()).open()) {
            Forwarder closed;
            try (Forwarder f = Forwarder.builder().source(b, "up").transport(transport)
                    .batching(50, 1 << 20, Duration.ZERO)
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(100), 0.5, 1).build()) {
                closed = f;
                during.run(b, f);
            }
            return closed.stats();
        }
    }

    /** What {@link #forward} does with the open buffer and forwarder. */
    @FunctionalInterface
    private interface ForwarderRun {
        void run(DurableBuffer b, Forwarder f) throws Exception;
    }

    @Test
    @DisplayName("a skipped record is counted as rejected and logged once: not by a forwarder whose commit of the skip"
            + " was never stored, but by the one after the restart that stores it")
    void skipIsCountedOnceAcrossARestart() throws Exception {
        Path bufDir = dir.resolve("buf");
        RefusingFirst transport = new RefusingFirst();
        try (DurableBuffer b = DurableBuffer.builder().directory(bufDir).deviceId("d")
                .durability(Durability.always()).open()) {
            b.cursor("up");
            for (int i = 1; i <= 3; i++) {
                b.append("s", new byte[100]);
            }
        }
        java.io.PrintStream before = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        ForwarderStats first;
        ForwarderStats second;
        String firstLog;
        try {
            // every commit fails (not a full disk: delivery goes on), so the skip of record 1 is decided but not
            // stored
            Path blocker = blockCommits(bufDir);
            // the first forwarder runs until records 2 (the probe) and 3 are delivered and it says their commit
            // could not be stored (it used to drain for a fixed second and then check)
            first = forward(bufDir, transport, (b, f) -> {
                f.start();
                await(() -> transport.count() == 2 && f.stats().lastError().orElse("")
                        .contains("commit could not be stored"), () -> "records 2 and 3 delivered and the commit "
                        + "failure said: " + transport.count() + " delivered, " + f.stats());
            });
            firstLog = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(2, transport.count(), "records 2 (the probe) and 3 are delivered: " + first);
            assertTrue(first.lastError().orElse("").contains("commit could not be stored"), first.toString());
            unblockCommits(blocker);
            second = forward(bufDir, transport, (b, f) -> {
                assertTrue(f.drainAvailable(Duration.ofSeconds(60)), () -> "drained: " + f.stats() + ", "
                        + b.metrics());
                assertEquals(0, b.metrics().bytesUnacknowledged(), "everything is committed: " + b.metrics());
            });
        } finally {
            System.setErr(before);
        }
        // before, the first forwarder counted the skip it never stored and the second counted it again: 1 + 1
        assertEquals(0, first.recordsRejected(), "the first forwarder stored no skip: " + first);
        assertEquals(1, second.recordsRejected(), "the second forwarder stored the skip: " + second);
        assertEquals(0, transport.timesReceived(1), "record 1 is never accepted");
        // and logged it twice, once by each forwarder
        String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        java.util.function.Function<String, List<String>> skips = text -> text.lines()
                .filter(l -> l.contains("refused as never acceptable")).toList();
        assertEquals(List.of(), skips.apply(firstLog), "the first forwarder stored no skip, so it logs none");
        List<String> logged = skips.apply(log);
        assertEquals(1, logged.size(), "the skip is logged once, by the forwarder that stores it: " + log);
        assertTrue(logged.get(0).contains("ERROR")
                && logged.get(0).matches(".*: 1 record\\(s\\) from d/s/\\d+/1 refused.*"), log);
    }

    @Test
    @DisplayName("a commit that fails for another reason than a full disk does not stop delivery: every record is sent,"
            + " the stats say the commit is not stored, and it is stored once the fault is gone")
    void otherCommitFailuresDoNotStopDelivery() throws Exception {
        Path bufDir = dir.resolve("buf");
        Collecting transport = new Collecting();
        try (DurableBuffer b = DurableBuffer.builder().directory(bufDir).deviceId("d")
                .durability(Durability.always()).segmentBytes(64 * 1024).open()) {
            b.cursor("up");
            for (int i = 1; i <= 300; i++) {
                b.append("s", new byte[1000]);
            }
            Path blocker = blockCommits(bufDir);
            try (Forwarder f = Forwarder.builder().source(b, "up").transport(transport)
                    .batching(50, 1 << 20, Duration.ZERO)
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(100), 0.5, 1).build().start()) {
                // held back after the first batch (as on a full disk), only 50 were sent: all delivery stopped
                await(() -> transport.count() == 300, () -> "every record to be sent although no commit is stored: "
                        + transport.count() + " sent, " + f.stats());
                assertTrue(f.stats().lastError().orElse("").contains("were acknowledged, but their commit could not"
                        + " be stored"), f.stats().toString());
                assertTrue(b.metrics().bytesUnacknowledged() > 0);
                unblockCommits(blocker);
                // before 2026-12-02 no later commit came once everything was sent: nothing was ever acknowledged
                await(() -> b.metrics().bytesUnacknowledged() == 0, () -> "the commit to be stored once the fault is"
                        + " gone: " + f.stats() + ", " + b.metrics());
            }
        }
        Set<IdempotencyKey> keys = new HashSet<>();
        for (Envelope e : transport.received) {
            assertTrue(keys.add(e.key()), "sent twice: " + e.key());
        }
        assertEquals(300, keys.size());
    }

    /** Waits for {@code condition}; {@code what} is evaluated at the timeout, so it shows the state then. */
    private static void await(BooleanSupplier condition, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> "waited 60 s for " + what.get());
            Thread.sleep(5);
        }
    }
}
