package io.edgeloop.labeling.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.TestData;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.matrix.VoteCounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    @DisplayName("reads a file that starts with a UTF-8 byte order mark, as Excel's CSV UTF-8 writes it")
    void readsAByteOrderMark() throws IOException {
        Path f = dir.resolve("excel.csv");
        Files.writeString(f, "\uFEFF# edgeloop-label-matrix 1.0 classes=2\r\nid,a,b,gold\r\nw0,1,-1,1\r\nw1,0,0,\r\n",
                java.nio.charset.StandardCharsets.UTF_8);
        assertEquals((byte) 0xEF, Files.readAllBytes(f)[0], "the file starts with the mark's bytes");
        LabelMatrixCsv.Table t = LabelMatrixCsv.read(f);
        assertEquals(List.of("w0", "w1"), t.ids());
        assertArrayEquals(new int[] {1, -1}, t.gold());
        assertEquals(List.of("a", "b"), t.matrix().lfNames());
    }

    @Test
    @DisplayName("a gold field of -1 reads as unknown, as in the gold arrays the writer takes; -2 and K are refused")
    void minusOneGoldIsUnknown() throws IOException {
        Path f = dir.resolve("g.csv");
        Files.writeString(f, "# edgeloop-label-matrix 1.0 classes=2\nid,a,gold\nw0,1,-1\nw1,0,0\nw2,1,\n");
        // before: "line 3: '-1' is not a class in [0, 2)"
        assertArrayEquals(new int[] {-1, 0, -1}, LabelMatrixCsv.read(f).gold());
        for (String bad : List.of("-2", "2")) {
            Files.writeString(f, "# edgeloop-label-matrix 1.0 classes=2\nid,a,gold\nw0,1," + bad + "\n");
            WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> LabelMatrixCsv.read(f));
            assertTrue(e.getMessage().contains("line 3: gold label '" + bad + "' is not empty or -1 (unknown) or a "
                    + "class in [0, 2)"), e.getMessage());
        }
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

    @Test
    @DisplayName("write refuses, before touching the file, what its reader would reject: LF names or ids with a comma "
            + "or line break, too few ids or gold labels, gold outside [-1, K)")
    void writeRefusesWhatReadRejects() throws IOException {
        LabelMatrix comma = LabelMatrix.of(2, 2, 2, new byte[] {1, -1, 0, 0}, List.of("co2,rising", "dark"));
        LabelMatrix plain = LabelMatrix.of(2, 2, 2, new byte[] {1, -1, 0, 0}, List.of("a", "b"));
        Path f = dir.resolve("m.csv");
        Files.writeString(f, "previous content");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabelMatrixCsv.write(f, comma, List.of("w0", "w1"), new int[] {1, -1}));
        assertTrue(e.getMessage().contains("'co2,rising'"), e.getMessage());
        for (String badId : new String[] {"w0\rx", "w0\nx", "w,0"}) {
            e = assertThrows(IllegalArgumentException.class,
                    () -> LabelMatrixCsv.write(f, plain, List.of(badId, "w1"), null));
            assertTrue(e.getMessage().contains("row 0 id"), e.getMessage());
        }
        e = assertThrows(IllegalArgumentException.class, () -> LabelMatrixCsv.write(f, plain, null, new int[] {1}));
        assertTrue(e.getMessage().contains("1 gold labels for 2 rows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LabelMatrixCsv.write(f, plain, List.of("w0"), null));
        assertTrue(e.getMessage().contains("1 ids for 2 rows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LabelMatrixCsv.write(f, plain, null, new int[] {1, 2}));
        assertTrue(e.getMessage().contains("row 1 gold label 2"), e.getMessage());
        assertEquals("previous content", Files.readString(f), "a refused write leaves the file as it was");
        Path fresh = dir.resolve("fresh.csv");
        assertThrows(IllegalArgumentException.class, () -> LabelMatrixCsv.write(fresh, plain, null, new int[] {1}));
        assertFalse(Files.exists(fresh), "no partial file");
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(f), listing.toList(), "no temporary file left");
        }
        LabelMatrixCsv.write(f, plain, List.of("w0", "w1"), new int[] {1, -1});
        assertEquals(List.of("w0", "w1"), LabelMatrixCsv.read(f).ids());
    }

    @Test
    @DisplayName("a header naming one LF twice is refused, naming the file and the LF")
    void duplicateLfNamesAreRefused() throws IOException {
        Path f = dir.resolve("dup.csv");
        Files.writeString(f, "# edgeloop-label-matrix 1.0 classes=2\nid,a,b,a,gold\nx,1,0,1,\n");
        WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> LabelMatrixCsv.read(f));
        assertTrue(e.getMessage().contains("dup.csv") && e.getMessage().contains("'a'"), e.getMessage());
    }

    @Test
    @DisplayName("concurrent writes of one file never fail and never publish a torn file (each "
            + "writer has its own temporary file)")
    void concurrentWritesNeverTear(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.csv");
        int rows = 5000;
        int[][] zeros = new int[rows][3];
        int[][] ones = new int[rows][3];
        for (int i = 0; i < rows; i++) {
            java.util.Arrays.fill(ones[i], 1);
        }
        LabelMatrix[] m = {LabelMatrix.ofRows(2, zeros),
            LabelMatrix.ofRows(2, ones)};
        java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 2; t++) {
                LabelMatrix mine = m[t];
                done.add(ex.submit(() -> {
                    for (int k = 0; k < 30; k++) {
                        LabelMatrixCsv.write(f, mine, null, null);
                        assertEquals(rows, LabelMatrixCsv.read(f).matrix().rows());
                    }
                    return 30;
                }));
            }
            for (java.util.concurrent.Future<Integer> d : done) {
                assertEquals(30, d.get());
            }
        } finally {
            ex.shutdownNow();
        }
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            assertEquals(java.util.List.of(f), s.toList(), "no temporary file left");
        }
    }
}
