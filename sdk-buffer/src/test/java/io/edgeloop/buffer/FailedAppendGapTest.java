package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Appends that failed on a full disk (group commit: their frames are cut off, their futures fail) used sequences
 * that no segment holds. Once the segment before them was reclaimed, every later open reported them as lost records
 * ({@code SEQUENCE_GAP}; {@code buffer verify} counted them in {@code recordsKnownLost}), though nothing reported
 * durable was lost (review s13buf: a 2 MiB tmpfs filled by a child appending beside a cursor).
 */
class FailedAppendGapTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("appends that failed at the start of a segment are not reported lost once the segment before is reclaimed")
    void failedAppendsAtTheStartOfASegmentAreNoLoss() throws Exception {
        AtomicLong free = new AtomicLong(Long.MAX_VALUE / 2);
        Path buf = dir.resolve("b");
        List<Long> durable = new ArrayList<>();
        long failed;
        try (DurableBuffer b = DurableBuffer.builder().directory(buf).deviceId("d")
                .durability(Durability.groupCommit(Duration.ofMinutes(1), 1L << 40)).segmentBytes(4096)
                .channelOpener((p, o) -> new QuotaChannel(FileChannel.open(p, o), free)).open()) {
            Cursor c = b.cursor("c");
            // staged appends, written and synced by each flush, until one starts a new segment
            long segments = 0;
            CompletableFuture<Appended> first = null;
            for (int i = 1; i <= 100 && first == null; i++) {
                CompletableFuture<Appended> f = b.appendAsync("s", 0, Payloads.of(i, 200));
                if (segments > 0 && segments(buf) > segments) {
                    first = f; // staged for the new segment, not written yet
                } else {
                    b.flush();
                    durable.add(f.get(10, TimeUnit.SECONDS).sequence());
                    segments = segments(buf);
                }
            }
            assertTrue(first != null, "a segment must roll");
            free.set(0);
            assertThrows(DiskFullException.class, b::flush);
            CompletableFuture<Appended> lost = first;
            ExecutionException e = assertThrows(ExecutionException.class, () -> lost.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof DiskFullException, e.toString());
            failed = b.lastSequence("s");
            free.set(Long.MAX_VALUE / 2);
            List<CompletableFuture<Appended>> later = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                later.add(b.appendAsync("s", 0, Payloads.of(failed + 1 + i, 200)));
            }
            b.flush();
            for (CompletableFuture<Appended> f : later) {
                durable.add(f.get(10, TimeUnit.SECONDS).sequence());
            }
            // acknowledge into the new segment, so the one before it is reclaimed
            BufferedRecord ack = null;
            for (BufferedRecord r : c.poll(1000, 1 << 20)) {
                if (r.sequence() <= failed + 1) {
                    ack = r;
                }
            }
            c.commit(ack);
            assertEquals(1, segments(buf), "the segment before the failed appends is reclaimed");
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(buf).deviceId("d").readOnly(true).open()) {
            assertTrue(b.lossReport().isClean(), "read-only: " + b.lossReport());
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(buf).deviceId("d").open()) {
            assertTrue(b.lossReport().isClean(), "writable: " + b.lossReport());
            List<Long> left = new ArrayList<>();
            for (BufferedRecord r : DiskFullTest.readAll(b)) {
                left.add(r.sequence());
            }
            assertEquals(durable.subList(durable.size() - 3, durable.size()), left, "the new segment holds exactly the records after the failed one");
            assertTrue(b.append("s", Payloads.of(0, 10)).sequence() > failed + 3, "no sequence is reused");
        }
    }

    private static long segments(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().matches("seg-\\d+\\.log")).count();
        }
    }
}
