package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.log.LossReport;
import io.edgeloop.buffer.policy.Durability;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged or deleted {@code sequences} file next to segments reclaimed after their acknowledgement: a writable open
 * reports it ({@code SEQUENCES}) and renews the epoch. A read-only open ({@code buffer verify}) reported every
 * reclaimed record as lost instead ({@code SEQUENCE_GAP}, 392 "records known lost" in review s13buf, all delivered and
 * acknowledged) and, for a deleted file, did not mention the file at all.
 */
class DamagedSequencesReadOnlyTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"deleted", "flipped"})
    @DisplayName("a read-only open reports damaged sequence marks, not the acknowledged records reclaimed before")
    void readOnlyOpenReportsTheMarksNotTheReclaimedRecords(String damage) throws Exception {
        Path buf = dir.resolve("b");
        try (DurableBuffer b = DurableBuffer.builder().directory(buf).deviceId("d").durability(Durability.none())
                .segmentBytes(4096).open()) {
            Cursor c = b.cursor("up");
            for (int i = 1; i <= 200; i++) {
                b.append("s", Payloads.of(i, 100));
            }
            List<BufferedRecord> sent = c.poll(120, 1 << 20);
            c.commit(sent.get(sent.size() - 1)); // reclaims the segments before it, raising the marks
        }
        Path marks = buf.resolve("sequences");
        if (damage.equals("deleted")) {
            Files.delete(marks);
        } else {
            try (RandomAccessFile f = new RandomAccessFile(marks.toFile(), "rw")) {
                f.seek(12);
                int v = f.read();
                f.seek(12);
                f.write(v ^ 0x20);
            }
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(buf).readOnly(true).open()) {
            check(b.lossReport(), "read-only");
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(buf).open()) {
            check(b.lossReport(), "writable");
        }
    }

    private static void check(LossReport r, String open) {
        assertTrue(r.losses().stream().anyMatch(l -> l.kind() == Loss.Kind.SEQUENCES), open + ": " + r);
        assertFalse(r.losses().stream().anyMatch(l -> l.kind() == Loss.Kind.SEQUENCE_GAP), open + ": " + r);
    }
}
