package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.log.LossReport;
import io.edgeloop.buffer.log.Segment;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sealed segment in the middle of the log truncated by something else while the buffer was closed. The segment
 * index says how long it was and what it held, so the loss is reported per stream with the sequences, by a read-only
 * and a writable open at once (one {@code stat} per indexed segment; until 2026-12-02 a writable open found it only
 * when a reader reached it); a stream whose highest sequence was only there does not get it again. Real files, cut
 * like {@code truncate -s}.
 */
class TruncatedSealedSegmentTest {
    @TempDir
    Path dir;

    private DurableBuffer open(boolean readOnly) throws IOException {
        return DurableBuffer.builder().directory(dir).segmentBytes(8192).durability(Durability.always())
                .readOnly(readOnly).open();
    }

    /** Records lost per stream, as first..last ranges. */
    private static Map<String, List<String>> lostRecords(LossReport r) {
        Map<String, List<String>> m = new TreeMap<>();
        for (Loss l : r.losses()) {
            if (l.records() > 0) {
                m.computeIfAbsent(l.stream(), k -> new ArrayList<>()).add(l.firstSequence() + ".." + l.lastSequence());
            }
        }
        return m;
    }

    @Test
    @DisplayName("a middle segment cut to 0 bytes: both opens report its bytes and each stream's sequences, and the"
            + " stream that lived only there continues above its lost sequences")
    void middleSegmentCutToZero() throws IOException {
        int bRecords = 30;
        try (DurableBuffer b = open(false)) {
            for (int i = 0; i < 60; i++) {
                b.append("a", 0, new byte[100]);
            }
            // stream "b" only here: nothing else remembers its last sequence once its segment is cut
            for (int i = 0; i < bRecords; i++) {
                b.append("a", 0, new byte[100]);
                b.append("b", 0, new byte[100]);
            }
            for (int i = 0; i < 200; i++) {
                b.append("a", 0, new byte[100]);
            }
        }
        List<Path> segs = BufferFiles.segments(dir);
        assertTrue(segs.size() >= 4, segs.toString());
        long bLastPos = 0;
        try (DurableBuffer b = open(true)) {
            BufferReader r = b.reader();
            for (List<BufferedRecord> batch = r.next(1000, 1 << 20); !batch.isEmpty(); batch = r.next(1000, 1 << 20)) {
                for (BufferedRecord rec : batch) {
                    if (rec.stream().equals("b")) {
                        bLastPos = rec.position();
                    }
                }
            }
        }
        long pos = bLastPos;
        Path cut = segs.stream().filter(p -> Segment.parseBase(p.getFileName().toString()).get() <= pos)
                .reduce((x, y) -> y).orElseThrow();
        assertTrue(!cut.equals(segs.get(segs.size() - 1)) && !cut.equals(segs.get(0)), cut + " in " + segs);
        long before = Files.size(cut);
        try (FileChannel ch = FileChannel.open(cut, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        LossReport ro;
        long readRo;
        try (DurableBuffer b = open(true)) {
            readRo = BufferFiles.readAll(b);
            ro = b.lossReport();
        }
        LossReport rw;
        long readRw;
        try (DurableBuffer b = open(false)) {
            readRw = BufferFiles.readAll(b);
            rw = b.lossReport();
        }
        assertEquals(readRo, readRw);
        assertEquals(before, ro.truncatedBytes(), ro.toString());
        assertEquals(before, rw.truncatedBytes(), rw.toString());
        assertEquals(0, ro.corruptBytes(), ro.toString());
        assertEquals(0, rw.corruptBytes(), rw.toString());
        Map<String, List<String>> lost = lostRecords(ro);
        assertEquals(lost, lostRecords(rw));
        assertTrue(lost.containsKey("a") && lost.containsKey("b"), lost.toString());
        long lostCount = ro.losses().stream().mapToLong(Loss::records).filter(x -> x > 0).sum();
        assertEquals(60 + 2 * bRecords + 200 - readRo, lostCount, ro.toString());

        // b's highest sequence was only in the cut segment: it is never handed out again
        long bLost = ro.losses().stream().filter(l -> l.stream().equals("b") && l.records() > 0)
                .mapToLong(Loss::lastSequence).max().orElseThrow();
        try (DurableBuffer b = open(false)) {
            Cursor c = b.cursor("fwd");
            for (List<BufferedRecord> rs = c.poll(1000, 1 << 20); !rs.isEmpty(); rs = c.poll(1000, 1 << 20)) {
                c.commit(rs.get(rs.size() - 1));
            }
        }
        try (DurableBuffer b = open(false)) {
            assertTrue(b.append("b", 0, new byte[1]).sequence() > bLost);
        }
    }

    @Test
    @DisplayName("a writable open reports a middle segment cut outside the buffer at once, before any read, with the"
            + " bytes and each stream's records gone, and serves everything else")
    void writableOpenReportsACutSegmentBeforeAnyRead() throws IOException {
        int total = 0;
        try (DurableBuffer b = open(false)) {
            for (int i = 0; i < 150; i++) {
                b.append("a", 0, new byte[100]);
                b.append("b", 0, new byte[60]);
                total += 2;
            }
        }
        List<Path> segs = BufferFiles.segments(dir);
        assertTrue(segs.size() >= 5, segs.toString());
        Path cut = segs.get(2);
        long before = Files.size(cut);
        try (FileChannel ch = FileChannel.open(cut, StandardOpenOption.WRITE)) {
            ch.truncate(5000); // inside a frame, as truncate -s 5000 or a copy cut short leaves it
        }
        LossReport verify;
        long readRo;
        try (DurableBuffer b = open(true)) {
            readRo = BufferFiles.readAll(b);
            verify = b.lossReport();
        }
        try (DurableBuffer b = open(false)) {
            LossReport atOpen = b.lossReport(); // nothing has read a record yet
            assertEquals(before - 5000, atOpen.truncatedBytes(), atOpen.toString());
            Map<String, List<String>> lost = lostRecords(atOpen);
            assertEquals(Set.of("a", "b"), lost.keySet(), atOpen.toString());
            long lostCount = atOpen.losses().stream().mapToLong(Loss::records).filter(x -> x > 0).sum();
            assertEquals(total - readRo, lostCount, atOpen.toString());
            assertTrue(lostCount > 0, atOpen.toString());
            assertEquals(lostRecords(verify), lost, "buffer verify (read-only) reports the same: " + verify);
            assertEquals(verify.truncatedBytes(), atOpen.truncatedBytes());

            // everything else is served, and reading adds no report of its own
            Cursor c = b.cursor("fwd");
            long read = 0;
            for (List<BufferedRecord> rs = c.poll(1000, 1 << 20); !rs.isEmpty(); rs = c.poll(1000, 1 << 20)) {
                read += rs.size();
                c.commit(rs.get(rs.size() - 1));
            }
            assertEquals(total - lostCount, read);
            assertEquals(atOpen.losses(), b.lossReport().losses());
            assertTrue(b.append("a", 0, new byte[1]).sequence() > 150);
        }
    }
}
