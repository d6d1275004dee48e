package io.edgeloop.labeling.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.TestData;
import io.edgeloop.labeling.matrix.VoteCounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelMatrixCsvTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("round-trips the real SMS train matrix with ids and gold")
    void roundTrip() throws IOException {
        WrenchDataset sms = WrenchDataset.read(TestData.wrench("sms"));
        Path f = dir.resolve("sms.csv");
        LabelMatrixCsv.write(f, sms.train().matrix(), sms.train().ids(), sms.train().gold());
        LabelMatrixCsv.Table t = LabelMatrixCsv.read(f);
        assertEquals(VoteCounts.of(sms.train().matrix()), VoteCounts.of(t.matrix()));
        assertArrayEquals(sms.train().gold(), t.gold());
        assertEquals(sms.train().ids(), t.ids());
        assertEquals(sms.train().matrix().lfNames(), t.matrix().lfNames());
    }

    @Test
    @DisplayName("rejects an unknown major version, bad votes and short rows, naming the line")
    void rejectsBadFiles() throws IOException {
        Path f = dir.resolve("m.csv");
        Files.writeString(f, "# edgeloop-label-matrix 2.0 classes=2\nid,a,gold\n0,1,\n");
        WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> LabelMatrixCsv.read(f));
        assertTrue(e.getMessage().contains("version 2.0"), e.getMessage());
        Files.writeString(f, "# edgeloop-label-matrix 1.0 classes=2\nid,a,gold\n0,1,\n1,7,0\n");
        e = assertThrows(WrenchFormatException.class, () -> LabelMatrixCsv.read(f));
        assertTrue(e.getMessage().contains("line 4"), e.getMessage());
        Files.writeString(f, "# edgeloop-label-matrix 1.0 classes=2\nid,a,gold\n0,1\n");
        e = assertThrows(WrenchFormatException.class, () -> LabelMatrixCsv.read(f));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("fields"), e.getMessage());
        Files.writeString(f, "id,a,gold\n");
        assertThrows(WrenchFormatException.class, () -> LabelMatrixCsv.read(f));
        assertThrows(WrenchFormatException.class, () -> LabelMatrixCsv.read(dir.resolve("missing.csv")));
    }

    @Test
    @DisplayName("a class count outside [2, 127] is a format error naming the file and the count")
    void rejectsClassCountOutOfRange() throws IOException {
        Path f = dir.resolve("m.csv");
        for (int k : new int[] {200, 1, 0}) {
            Files.writeString(f, "# edgeloop-label-matrix 1.0 classes=" + k + "\nid,a,gold\n0,1,\n");
            WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> LabelMatrixCsv.read(f));
            assertTrue(e.getMessage().contains("m.csv") && e.getMessage().contains("classes=" + k), e.getMessage());
        }
    }
}
