package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.log.LossReport;
import io.edgeloop.buffer.policy.Durability;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bytes overwritten across several frames of a sealed segment (no frame header left to name them) are one
 * {@code CORRUPT_REGION}: it used to say nothing about how many records it took, so {@code buffer verify} counted
 * none. The segment's footer counts each stream's records and their sequences, so the records missing from the
 * intact frames around the region bound it per stream.
 */
class CorruptRegionBoundTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a corrupt region in a sealed segment is bounded per stream by the footer: at most so many records,"
            + " with sequences between the stream's intact frames around it")
    void corruptRegionIsBoundedPerStream() throws Exception {
        Path buf = dir.resolve("b");
        List<Appended> all = new ArrayList<>();
        List<String> streams = new ArrayList<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(buf).deviceId("d").durability(Durability.none())
                .segmentBytes(4096).open()) {
            for (int i = 1; i <= 60; i++) {
                String s = i % 2 == 1 ? "a" : "b";
                streams.add(s);
                all.add(b.append(s, Payloads.of(i, 100)));
            }
        }
        // records 5, 6 and 7 (a, b, a) of the first segment: their frames, headers included, overwritten
        int from = 4;
        int to = 6;
        overwrite(buf, all.get(from), all.get(to));
        Map<String, long[]> expected = new TreeMap<>();
        for (int i = from; i <= to; i++) {
            long[] e = expected.computeIfAbsent(streams.get(i), k -> new long[] {Long.MAX_VALUE, 0, 0});
            e[0] = Math.min(e[0], all.get(i).sequence());
            e[1] = Math.max(e[1], all.get(i).sequence());
            e[2]++;
        }
        for (boolean readOnly : new boolean[] {true, false}) {
            try (DurableBuffer b = DurableBuffer.builder().directory(buf).readOnly(readOnly).open()) {
                assertEquals(57, DiskFullTest.readAll(b).size());
                LossReport r = b.lossReport();
                String mode = (readOnly ? "read-only: " : "writable: ") + r;
                assertEquals(1, r.corruptFrames(), "one region, counted once: " + mode);
                Map<String, long[]> bounds = new TreeMap<>();
                int regions = 0;
                for (Loss l : r.losses()) {
                    assertEquals(Loss.Kind.CORRUPT_REGION, l.kind(), mode);
                    assertEquals(-1, l.records(), "no record is known lost exactly: " + mode);
                    if (l.recordsAtMost() == 0) {
                        regions++;
                        assertTrue(l.length() > 0, mode);
                    } else {
                        assertEquals(0, l.length(), mode);
                        bounds.put(l.stream(), new long[] {l.firstSequence(), l.lastSequence(), l.recordsAtMost()});
                    }
                }
                assertEquals(1, regions, mode);
                // before 2026-12-02 there was no bound at all
                assertEquals(expected.keySet(), bounds.keySet(), mode);
                expected.forEach((s, e) -> assertEquals(Arrays.toString(e), Arrays.toString(bounds.get(s)),
                        "stream " + s + ": " + mode));
            }
        }
    }

    @Test
    @DisplayName("two regions between the same intact frames of a stream each keep that stream's bound, and the"
            + " report counts them at most once in all")
    void twoRegionsOfOneStreamAreCountedOnce() throws Exception {
        Path buf = dir.resolve("b");
        List<Appended> all = new ArrayList<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(buf).deviceId("d").durability(Durability.none())
                .segmentBytes(4096).open()) {
            for (int i = 1; i <= 60; i++) {
                all.add(b.append(i % 2 == 1 ? "a" : "b", Payloads.of(i, 100)));
            }
        }
        // records 5 and 7 (a 3 and a 4) overwritten, each on its own; record 6 (b 3) between them intact
        overwrite(buf, all.get(4), all.get(4));
        overwrite(buf, all.get(6), all.get(6));
        for (boolean readOnly : new boolean[] {true, false}) {
            try (DurableBuffer b = DurableBuffer.builder().directory(buf).readOnly(readOnly).open()) {
                assertEquals(58, DiskFullTest.readAll(b).size());
                LossReport r = b.lossReport();
                String mode = (readOnly ? "read-only: " : "writable: ") + r;
                assertEquals(2, r.corruptFrames(), mode);
                List<String> bounds = new ArrayList<>();
                for (Loss l : r.losses()) {
                    if (l.recordsAtMost() > 0) {
                        bounds.add(l.stream() + " " + l.firstSequence() + ".." + l.lastSequence() + " atMost="
                                + l.recordsAtMost());
                    }
                }
                // each region alone may have held both records a is missing: each entry keeps its true bound
                assertEquals(List.of("a 3..4 atMost=2", "a 3..4 atMost=2"), bounds, mode);
                // before 2026-12-02 buffer verify summed the entries: 4, where the segment is missing 2
                assertEquals(2, r.recordsInCorruptRegionsAtMost(), mode);
            }
        }
    }

    /** Overwrites the frames of {@code first} through {@code last} (same segment) with bytes that are no frame. */
    static void overwrite(Path buf, Appended first, Appended last) throws Exception {
        Path seg = null;
        long base = -1;
        try (Stream<Path> s = Files.list(buf)) {
            for (Path p : s.filter(x -> x.getFileName().toString().matches("seg-\\d+\\.log")).sorted().toList()) {
                long b = Long.parseLong(p.getFileName().toString().substring(4, 24));
                if (b <= first.position()) {
                    seg = p;
                    base = b;
                }
            }
        }
        assertTrue(seg != null && last.endPosition() - base < Files.size(seg), "both records in one sealed segment");
        byte[] junk = new byte[(int) (last.endPosition() - first.position())];
        Arrays.fill(junk, (byte) 0x5A);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(first.position() - base);
            f.write(junk);
        }
    }
}
