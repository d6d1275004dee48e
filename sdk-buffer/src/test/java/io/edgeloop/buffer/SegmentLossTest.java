package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.log.LossReport;
import io.edgeloop.buffer.log.Segment;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment files that vanish or shrink under the buffer, by its own writer's reclaiming (beside a read-only open) or
 * by something else: reclaimed ones are skipped without a loss, lost records are reported with their sequences,
 * and no reader is stopped for good. Real files; the only seam is a {@code ChannelOpener} that runs the writer's
 * reclaim at the moment a read-only open is about to open a segment it listed.
 */
class SegmentLossTest {
    private static final int RECORDS = 300;

    @TempDir
    Path dir;

    /** Sequences by segment base, as written. */
    private final TreeMap<Long, List<Long>> bySegment = new TreeMap<>();

    @BeforeEach
    void fill() throws IOException {
        try (DurableBuffer b = open(false)) {
            for (int i = 0; i < RECORDS; i++) {
                b.append("s", 0, new byte[100]);
            }
        }
        List<Long> bases = bases();
        assertTrue(bases.size() >= 4, "several segments: " + bases);
        try (DurableBuffer b = open(true)) {
            for (BufferedRecord r : readAll(b.reader())) {
                bySegment.computeIfAbsent(bases.stream().filter(x -> x <= r.position()).reduce((x, y) -> y).get(),
                        k -> new ArrayList<>()).add(r.sequence());
            }
        }
    }

    private DurableBuffer open(boolean readOnly) throws IOException {
        return DurableBuffer.builder().directory(dir).segmentBytes(8192).durability(Durability.always())
                .readOnly(readOnly).open();
    }

    private List<Long> bases() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> Segment.parseBase(p.getFileName().toString())).filter(o -> o.isPresent())
                    .map(o -> o.get()).sorted().collect(Collectors.toList());
        }
    }

    private Path segment(int i) throws IOException {
        return dir.resolve(Segment.fileName(bases().get(i)));
    }

    private static List<BufferedRecord> readAll(BufferReader r) throws IOException {
        List<BufferedRecord> all = new ArrayList<>();
        for (List<BufferedRecord> b = r.next(1000, 1 << 20); !b.isEmpty(); b = r.next(1000, 1 << 20)) {
            all.addAll(b);
        }
        return all;
    }

    private static List<Long> pollAll(Cursor c, boolean commit) throws IOException {
        List<Long> seqs = new ArrayList<>();
        for (List<BufferedRecord> rs = c.poll(1000, 1 << 20); !rs.isEmpty(); rs = c.poll(1000, 1 << 20)) {
            rs.forEach(r -> seqs.add(r.sequence()));
            if (commit) {
                c.commit(rs.get(rs.size() - 1));
            }
        }
        return seqs;
    }

    private static List<Long> seqs(List<BufferedRecord> rs) {
        return rs.stream().map(BufferedRecord::sequence).collect(Collectors.toList());
    }

    private List<Long> allBut(int segmentIndex) {
        List<Long> out = new ArrayList<>();
        int i = 0;
        for (List<Long> s : bySegment.values()) {
            if (i++ != segmentIndex) {
                out.addAll(s);
            }
        }
        return out;
    }

    private List<Long> segmentSeqs(int i) {
        return new ArrayList<>(bySegment.values()).get(i);
    }

    private static List<Loss> of(LossReport r, Loss.Kind kind) {
        return r.losses().stream().filter(l -> l.kind() == kind).collect(Collectors.toList());
    }

    /** Commits cursor {@code fwd} of a writer up to the base of segment {@code upTo}, which reclaims those before. */
    private void reclaimBefore(DurableBuffer writer, int upTo) throws IOException {
        Cursor c = writer.cursor("fwd");
        assertTrue(!c.poll(1000, 1 << 20).isEmpty());
        c.commit(new ArrayList<>(bySegment.keySet()).get(upTo));
    }

    @Test
    @DisplayName("a read-only open skips a segment its writer reclaimed after the listing, with no loss")
    void readOnlyOpenSkipsSegmentReclaimedAfterListing() throws IOException {
        Path first = segment(0);
        List<Long> kept = new ArrayList<>();
        new ArrayList<>(bySegment.values()).subList(2, bySegment.size()).forEach(kept::addAll);
        try (DurableBuffer writer = open(false)) {
            AtomicBoolean once = new AtomicBoolean();
            DurableBuffer ro = DurableBuffer.builder().directory(dir).readOnly(true).channelOpener((p, o) -> {
                if (p.equals(first) && once.compareAndSet(false, true)) {
                    // the writer reclaims the two oldest segments between the listing and this open
                    try {
                        reclaimBefore(writer, 2);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    assertTrue(!Files.exists(first), "reclaimed");
                }
                return FileChannel.open(p, o);
            }).open();
            try (ro) {
                assertEquals(kept, seqs(readAll(ro.reader())));
                assertTrue(ro.lossReport().isClean(), ro.lossReport().toString());
            }
        }
    }

    @Test
    @DisplayName("a read-only reader skips segments its writer reclaims while it reads, with no loss")
    void readOnlyReaderSkipsSegmentsReclaimedWhileReading() throws IOException {
        List<Long> kept = new ArrayList<>();
        new ArrayList<>(bySegment.values()).subList(2, bySegment.size()).forEach(kept::addAll);
        try (DurableBuffer writer = open(false); DurableBuffer ro = open(true)) {
            BufferReader r = ro.reader();
            reclaimBefore(writer, 2);
            assertEquals(kept, seqs(readAll(r)));
            assertTrue(ro.lossReport().isClean(), ro.lossReport().toString());
        }
    }

    @Test
    @DisplayName("a sealed segment deleted under a running buffer: cursors read around it and the loss is reported")
    void sealedSegmentDeletedUnderRunningBuffer() throws IOException {
        List<Long> lost = segmentSeqs(1);
        try (DurableBuffer b = open(false)) {
            Cursor c = b.cursor("fwd");
            Cursor other = b.cursor("other");
            Files.delete(segment(1));
            assertEquals(allBut(1), pollAll(c, true), "the records before and after the gap");
            List<Loss> missing = of(b.lossReport(), Loss.Kind.MISSING_SEGMENT);
            assertEquals(1, missing.size(), b.lossReport().toString());
            assertEquals("s", missing.get(0).stream());
            assertEquals(lost.get(0), missing.get(0).firstSequence());
            assertEquals(lost.get(lost.size() - 1), missing.get(0).lastSequence());
            assertEquals(lost.size(), missing.get(0).records());
            // the buffer goes on: another cursor reads the rest, appends follow the highest sequence
            assertEquals(allBut(1), pollAll(other, false));
            assertEquals(RECORDS + 1, b.append("s", 0, new byte[1]).sequence());
        }
        // the other cursor did not commit, so the segments around the gap are still held: a reopen reports it
        for (boolean ro : new boolean[] {true, false}) {
            try (DurableBuffer b = open(ro)) {
                List<Loss> gaps = of(b.lossReport(), Loss.Kind.SEQUENCE_GAP);
                assertEquals(1, gaps.size(), (ro ? "ro " : "rw ") + b.lossReport());
                assertEquals(lost.get(0), gaps.get(0).firstSequence());
                assertEquals(lost.get(lost.size() - 1), gaps.get(0).lastSequence());
            }
        }
    }

    @Test
    @DisplayName("a segment deleted while the buffer was closed is reported as a sequence gap on open")
    void segmentDeletedWhileClosedIsReportedOnOpen() throws IOException {
        List<Long> lost = segmentSeqs(1);
        Files.delete(segment(1));
        for (boolean ro : new boolean[] {true, false}) {
            try (DurableBuffer b = open(ro)) {
                List<Loss> gaps = of(b.lossReport(), Loss.Kind.SEQUENCE_GAP);
                assertEquals(1, gaps.size(), b.lossReport().toString());
                Loss g = gaps.get(0);
                assertEquals("s", g.stream());
                assertEquals(lost.get(0), g.firstSequence());
                assertEquals(lost.get(lost.size() - 1), g.lastSequence());
                assertEquals(Segment.fileName(bases().get(1)), g.file(), "named by the segment after the gap");
                assertEquals(allBut(1), seqs(readAll(b.reader())));
                assertEquals(RECORDS, b.lastSequence("s"));
            }
        }
        // the oldest segment deleted as well: a gap before the oldest held one (sequences from 1) is reported too
        Files.delete(segment(0));
        try (DurableBuffer b = open(true)) {
            List<Loss> gaps = of(b.lossReport(), Loss.Kind.SEQUENCE_GAP);
            assertEquals(1L, gaps.get(0).firstSequence(), b.lossReport().toString());
            assertEquals(lost.get(lost.size() - 1), gaps.get(0).lastSequence());
        }
    }

    @Test
    @DisplayName("segments reclaimed by the buffer leave no gap to report on open")
    void reclaimedSegmentsAreNoLoss() throws IOException {
        try (DurableBuffer b = open(false)) {
            reclaimBefore(b, 2);
            assertTrue(!Files.exists(dir.resolve(Segment.fileName(bySegment.firstKey()))), "reclaimed");
        }
        for (boolean ro : new boolean[] {true, false}) {
            try (DurableBuffer b = open(ro)) {
                assertTrue(b.lossReport().isClean(), b.lossReport().toString());
            }
        }
    }

    @Test
    @DisplayName("a segment other than the last cut below its header is kept, reported and its records counted")
    void nonLastSegmentShorterThanHeader() throws IOException {
        Path victim = segment(1);
        long span = bases().get(2) - bases().get(1);
        List<Long> lost = segmentSeqs(1);
        try (FileChannel ch = FileChannel.open(victim, StandardOpenOption.WRITE)) {
            ch.truncate(20);
        }
        Files.deleteIfExists(dir.resolve("segments.idx"));
        for (boolean ro : new boolean[] {true, false}) {
            try (DurableBuffer b = open(ro)) {
                List<Loss> cut = of(b.lossReport(), Loss.Kind.SEGMENT_TRUNCATED);
                assertEquals(1, cut.size(), b.lossReport().toString());
                assertEquals(victim.getFileName().toString(), cut.get(0).file());
                assertEquals(span, cut.get(0).length(), "the bytes of positions it spanned");
                assertEquals(span, b.lossReport().truncatedBytes());
                List<Loss> gaps = of(b.lossReport(), Loss.Kind.SEQUENCE_GAP);
                assertEquals(1, gaps.size(), b.lossReport().toString());
                assertEquals(lost.size(), gaps.get(0).records());
                assertEquals(allBut(1), seqs(readAll(b.reader())));
            }
            assertTrue(Files.exists(victim), "kept, not deleted silently (" + (ro ? "ro" : "rw") + ")");
        }
    }

    @Test
    @DisplayName("a sealed segment cut in half reports the bytes up to the next segment and the records lost")
    void sealedSegmentCutInHalf() throws IOException {
        Path victim = segment(1);
        long fileLen = Files.size(victim);
        List<Long> seg1 = segmentSeqs(1);
        try (FileChannel ch = FileChannel.open(victim, StandardOpenOption.WRITE)) {
            ch.truncate(fileLen / 2);
        }
        Files.deleteIfExists(dir.resolve("segments.idx"));
        try (DurableBuffer b = open(true)) {
            LossReport r = b.lossReport();
            List<Long> read = seqs(readAll(b.reader()));
            long lostRecords = seg1.stream().filter(q -> !read.contains(q)).count();
            assertTrue(lostRecords > 10, "half the segment's records: " + lostRecords);
            assertTrue(r.truncatedBytes() + r.corruptBytes() >= fileLen - fileLen / 2,
                    "at least the bytes cut off are reported: " + r);
            List<Loss> gaps = of(r, Loss.Kind.SEQUENCE_GAP);
            assertEquals(1, gaps.size(), r.toString());
            assertEquals(lostRecords, gaps.get(0).records());
        }
    }

    @Test
    @DisplayName("a last segment cut below its header: reported, the epoch kept and no sequence issued again")
    void emptyLastSegmentRaisesTheFloor() throws IOException {
        long epoch;
        Map<Long, Boolean> keys;
        try (DurableBuffer b = open(true)) {
            epoch = b.epoch();
            keys = readAll(b.reader()).stream().collect(Collectors.toMap(BufferedRecord::sequence, x -> true));
        }
        Path last = segment(bases().size() - 1);
        List<Long> lastSeqs = segmentSeqs(bySegment.size() - 1);
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        try (DurableBuffer b = open(true)) {
            assertEquals(1, of(b.lossReport(), Loss.Kind.SEGMENT_TRUNCATED).size(), b.lossReport().toString());
            assertEquals(epoch, b.epoch(), "a read-only open changes nothing");
        }
        try (DurableBuffer b = open(false)) {
            assertEquals(1, of(b.lossReport(), Loss.Kind.SEGMENT_TRUNCATED).size(), b.lossReport().toString());
            assertEquals(epoch, b.epoch(), "held records keep their keys");
            Appended a = b.append("s", 0, new byte[1]);
            assertTrue(a.sequence() > lastSeqs.get(lastSeqs.size() - 1), "which sequences the cut segment held is"
                    + " unknown: the next is above every one handed out, " + a.sequence());
            assertFalse(keys.containsKey(a.sequence()));
        }
    }
}
