package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.log.Segment;
import io.edgeloop.buffer.log.SequenceMarks;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log the buffer itself left empty (it retired its fully acknowledged active segment on a full disk, or found it
 * deleted and reported it) is no lost end: the next open continues the numbering without a floor jump. Real files;
 * the full disk is a quota on the segment channels.
 */
class EmptiedLogTest {
    @TempDir
    Path dir;

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Segment.parseBase(p.getFileName().toString()).isPresent())
                    .collect(Collectors.toList());
        }
    }

    @Test
    @DisplayName("the active segment retired on a full disk after every cursor passed it: the reopened buffer"
            + " continues right above the last sequence, with no floor")
    void retiredActiveSegmentIsNoLostEnd() throws IOException {
        AtomicLong free = new AtomicLong(30_000);
        long last;
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.always())
                .segmentBytes(1 << 20).channelOpener((p, o) -> new QuotaChannel(FileChannel.open(p, o), free))
                .open()) {
            Cursor c = b.cursor("up");
            assertThrows(DiskFullException.class, () -> {
                for (int i = 1; i <= 10_000; i++) {
                    b.append("s", Payloads.of(i, 200));
                }
            });
            last = b.lastSequence("s");
            for (List<BufferedRecord> rs = c.poll(1000, 1 << 24); !rs.isEmpty(); rs = c.poll(1000, 1 << 24)) {
                c.commit(rs.get(rs.size() - 1));
            }
            b.reclaim();
            assertEquals(List.of(), segmentFiles(), "the active segment was retired");
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            assertEquals(0, SequenceMarks.read(dir).orElseThrow().floor(), "no floor: nothing was lost");
            assertEquals(last, b.lastSequence("s"));
            assertEquals(last + 1, b.append("s", new byte[10]).sequence());
        }
    }

    @Test
    @DisplayName("the active segment deleted under the running buffer, reported: the next open reports nothing more"
            + " and raises no floor")
    void reportedDeletionIsNoLostEnd() throws IOException {
        long last;
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.always())
                .open()) {
            for (int i = 1; i <= 20; i++) {
                b.append("s", new byte[50]);
            }
            for (Path p : segmentFiles()) {
                Files.delete(p);
            }
            assertThrows(IOException.class, () -> b.append("s", new byte[50]));
            last = b.lastSequence("s");
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            assertEquals(0, SequenceMarks.read(dir).orElseThrow().floor(), "no floor: the loss was reported");
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
            assertEquals(last + 1, b.append("s", new byte[10]).sequence());
        }
    }

    @Test
    @DisplayName("deleted while older sealed segments remain: the log then ends sealed, on purpose; no floor")
    void reportedDeletionAfterSealedSegmentsIsNoLostEnd() throws IOException {
        long last;
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.always())
                .segmentBytes(4096).open()) {
            for (int i = 1; i <= 100; i++) {
                b.append("s", new byte[100]);
            }
            List<Path> segs = segmentFiles().stream().sorted().collect(Collectors.toList());
            assertTrue(segs.size() > 2, segs.toString());
            Files.delete(segs.get(segs.size() - 1));
            assertThrows(IOException.class, () -> b.append("s", new byte[50]));
            last = b.lastSequence("s");
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            assertEquals(0, SequenceMarks.read(dir).orElseThrow().floor(), "no floor: the loss was reported");
            assertEquals(last + 1, b.append("s", new byte[10]).sequence());
        }
    }
}
