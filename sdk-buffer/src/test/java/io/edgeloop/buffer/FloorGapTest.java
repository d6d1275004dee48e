package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.log.Segment;
import io.edgeloop.buffer.log.SequenceMarks;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sequence gap across the floor counts as lost only what existed: the floor skipped sequences that were never
 * issued. Real files: the last segment is cut in half while closed, with a cursor past the cut, so the next open
 * raises the floor and starts a new segment at the cursor's position (a hole in the log positions).
 */
class FloorGapTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("records cut from the end, then a floor jump across the hole: the known loss is the records cut,"
            + " not the tens of thousands of sequences the floor skipped")
    void gapAcrossTheFloorCountsOnlyWhatExisted() throws IOException {
        int count = 2000;
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.none())
                .segmentBytes(64 * 1024).open()) {
            for (int i = 0; i < count; i++) {
                b.append("s", 0, new byte[50]);
            }
            Cursor c = b.cursor("up");
            for (List<BufferedRecord> rs = c.poll(1000, 1 << 24); !rs.isEmpty(); rs = c.poll(1000, 1 << 24)) {
                c.commit(rs.get(rs.size() - 1));
            }
        }
        List<Path> segs;
        try (Stream<Path> s = Files.list(dir)) {
            segs = s.filter(p -> Segment.parseBase(p.getFileName().toString()).isPresent()).sorted()
                    .collect(Collectors.toList());
        }
        try (FileChannel ch = FileChannel.open(segs.get(segs.size() - 1), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.none())
                .segmentBytes(64 * 1024).open()) {
            assertTrue(b.append("s", 0, new byte[50]).sequence() > SequenceMarks.read(dir).orElseThrow().floor());
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).readOnly(true).open()) {
            // the acknowledged segments were reclaimed: what is held below the floor ends at the cut
            long kept = 0;
            BufferReader r = b.reader();
            for (List<BufferedRecord> rs = r.next(1000, 1 << 24); !rs.isEmpty(); rs = r.next(1000, 1 << 24)) {
                kept = Math.max(kept, rs.stream().mapToLong(BufferedRecord::sequence).filter(x -> x <= count)
                        .max().orElse(0));
            }
            long cut = count - kept;
            assertTrue(cut > 100, "records cut: " + cut);
            long reported = b.lossReport().losses().stream().filter(l -> l.kind() == Loss.Kind.SEQUENCE_GAP)
                    .mapToLong(Loss::records).sum();
            assertEquals(cut, reported, "known lost across the floor: " + b.lossReport());
        }
    }
}
