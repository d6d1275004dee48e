package io.edgeloop.labeling.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.matrix.LfAnalysis;
import io.edgeloop.labeling.model.FitData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rev-s8-label item 10: inputs that were accepted silently: gold labels >= k in {@code LfAnalysis} (counted as
 * wrong votes), a repeated row id and a version token {@code 1.0junk} in the label-matrix CSV, and a sequence
 * matrix that is not the training rows in {@code FitData} (2 rows against 5 still fitted {@code hmm}).
 */
class SilentAcceptanceTest {
    private static final String HEAD = "# edgeloop-label-matrix 1.0 classes=2\n";

    @TempDir
    Path dir;

    @Test
    @DisplayName("LfAnalysis refuses a gold label that is not a class or -1, naming row and value")
    void lfAnalysisGoldIsRangeChecked() {
        LabelMatrix m = LabelMatrix.ofRows(2, new int[][] {{0, 1}, {1, -1}, {-1, -1}});
        LfAnalysis.of(m, new int[] {0, -1, 1});
        for (int bad : new int[] {2, 7, -2}) {
            String e = assertThrows(IllegalArgumentException.class, () -> LfAnalysis.of(m, new int[] {0, bad, 1}))
                    .getMessage();
            assertTrue(e.contains("gold label " + bad + " for row 1"), e);
        }
    }

    @Test
    @DisplayName("the label-matrix CSV refuses a repeated row id and a version that is not MAJOR.MINOR digits")
    void csvRefusesRepeatedIdsAndJunkVersions() throws IOException {
        Path f = dir.resolve("m.csv");
        Files.writeString(f, HEAD + "id,a,b,gold\nw0,1,-1,1\nw1,0,0,\nw0,0,0,0\n");
        String e = assertThrows(WrenchFormatException.class, () -> LabelMatrixCsv.read(f)).getMessage();
        assertTrue(e.contains("m.csv: line 5 repeats the row id 'w0' of line 3"), e);
        for (String v : new String[] {"1.0junk", "1", "1.", "x.0", "1.0.1"}) {
            Files.writeString(f, "# edgeloop-label-matrix " + v + " classes=2\nid,a,gold\nw,1,\n");
            e = assertThrows(WrenchFormatException.class, () -> LabelMatrixCsv.read(f), v).getMessage();
            assertTrue(e.contains("m.csv: line 1 has the version '" + v + "'"), v + " -> " + e);
        }
        Files.writeString(f, "# edgeloop-label-matrix 1.7 classes=2\nid,a,gold\nw,1,\n");
        LabelMatrixCsv.read(f);
        LabelMatrix m = LabelMatrix.ofRows(2, new int[][] {{0}, {1}});
        assertThrows(IllegalArgumentException.class, () -> LabelMatrixCsv.write(f, m, List.of("a", "a"), null));
    }

    @Test
    @DisplayName("FitData refuses a sequence matrix whose row count is not the training rows'")
    void sequenceMustBeTheTrainingRows() {
        LabelMatrix train = LabelMatrix.ofRows(2, new int[][] {{0, 1}, {1, 1}, {0, 0}, {1, -1}, {-1, 0}});
        LabelMatrix other = LabelMatrix.ofRows(2, new int[][] {{0, 1}, {1, 1}});
        String e = assertThrows(IllegalArgumentException.class,
                () -> FitData.builder().train(train).sequence(other).build()).getMessage();
        assertTrue(e.contains("the sequence matrix has 2 rows, the training counts 5"), e);
        FitData.builder().train(train).sequence(train).build();
    }
}
