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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flipped payload bit costs one record, and the frame's header (its CRC intact) says which: the loss names the
 * stream and sequence, so {@code buffer verify} counts it in {@code recordsKnownLost}. It used to give the file and
 * offset only, and verify said 0 records known lost for it (review s13buf).
 */
class CorruptFrameNamesRecordTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a corrupt frame's loss names its stream and sequence, in sealed and last segments, read-only or not")
    void corruptFrameLossNamesTheRecord() throws Exception {
        Path buf = dir.resolve("b");
        List<Appended> all = new ArrayList<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(buf).deviceId("d").durability(Durability.none())
                .segmentBytes(4096).open()) {
            for (int i = 1; i <= 60; i++) {
                all.add(b.append("s", Payloads.of(i, 100)));
            }
        }
        Appended sealed = all.get(2); // in the first segment, read by readers
        Appended last = all.get(all.size() - 2); // in the last segment, scanned on open
        flipPayloadByte(buf, sealed);
        flipPayloadByte(buf, last);
        for (boolean readOnly : new boolean[] {true, false}) {
            try (DurableBuffer b = DurableBuffer.builder().directory(buf).readOnly(readOnly).open()) {
                assertEquals(58, DiskFullTest.readAll(b).size());
                LossReport r = b.lossReport();
                List<Long> named = new ArrayList<>();
                for (Loss l : r.losses()) {
                    assertEquals(Loss.Kind.CORRUPT_FRAME, l.kind(), r.toString());
                    assertEquals("s", l.stream(), r.toString());
                    assertEquals(1, l.records(), r.toString());
                    named.add(l.firstSequence());
                }
                assertEquals(List.of(sealed.sequence(), last.sequence()), named.stream().sorted().toList(),
                        (readOnly ? "read-only: " : "writable: ") + r);
            }
        }
    }

    /** Flips a bit in the middle of a record's payload (the frame header stays intact). */
    private static void flipPayloadByte(Path buf, Appended a) throws Exception {
        Path seg = null;
        long base = -1;
        try (Stream<Path> s = Files.list(buf)) {
            for (Path p : s.filter(x -> x.getFileName().toString().matches("seg-\\d+\\.log")).sorted().toList()) {
                long b = Long.parseLong(p.getFileName().toString().substring(4, 24));
                if (b <= a.position()) {
                    seg = p;
                    base = b;
                }
            }
        }
        assertTrue(seg != null);
        long at = a.position() - base + (a.endPosition() - a.position()) - 50;
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(at);
            int v = f.read();
            f.seek(at);
            f.write(v ^ 0x10);
        }
    }
}
