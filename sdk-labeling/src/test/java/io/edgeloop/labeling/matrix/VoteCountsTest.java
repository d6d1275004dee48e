package io.edgeloop.labeling.matrix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.model.FitData;
import io.edgeloop.labeling.model.LabelModel;
import io.edgeloop.labeling.model.LabelModels;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class VoteCountsTest {
    static LabelMatrix synthetic(long seed, int n, int m, int k) {
        Random r = new Random(seed);
        int[][] rows = new int[n][m];
        for (int i = 0; i < n; i++) {
            int y = r.nextInt(k);
            for (int j = 0; j < m; j++) {
                rows[i][j] = r.nextDouble() < 0.4 ? (r.nextDouble() < 0.75 ? y : r.nextInt(k)) : -1;
            }
        }
        return LabelMatrix.ofRows(k, rows);
    }

    @Test
    @DisplayName("per-device counts merged equal the counts of the concatenated matrix")
    void mergeEqualsConcatenation() {
        LabelMatrix a = synthetic(1, 3000, 8, 3);
        LabelMatrix b = synthetic(2, 2000, 8, 3);
        LabelMatrix c = synthetic(3, 500, 8, 3);
        VoteCounts merged = VoteCounts.of(a).merge(VoteCounts.of(b)).merge(VoteCounts.of(c));
        VoteCounts whole = VoteCounts.of(LabelMatrix.concat(List.of(a, b, c)));
        assertEquals(whole, merged);
        assertEquals(5500, merged.total());
    }

    @Test
    @DisplayName("label models fitted on merged device counts equal the fit on the concatenation, for every model")
    void fitOnMergedCountsEqualsFitOnConcatenation() {
        LabelMatrix a = synthetic(4, 4000, 6, 2);
        LabelMatrix b = synthetic(5, 1500, 6, 2);
        LabelMatrix test = synthetic(6, 300, 6, 2);
        VoteCounts merged = VoteCounts.of(b).merge(VoteCounts.of(a));
        for (String name : List.of("mv", "ds", "snorkel", "auto")) {
            LabelModel m1 = LabelModels.fit(name, FitData.builder().counts(merged).build());
            LabelModel m2 = LabelModels.fit(name, FitData.of(LabelMatrix.concat(List.of(a, b))));
            double[][] p1 = m1.predictProba(test);
            double[][] p2 = m2.predictProba(test);
            for (int i = 0; i < p1.length; i++) {
                assertArrayEquals(p2[i], p1[i], 0.0, name + " row " + i);
            }
        }
    }

    @Test
    @DisplayName("wide matrices (too many LFs to pack a row in a long) count on the byte-array path, and merge")
    void wideMatricesCount() {
        LabelMatrix wide = synthetic(7, 2000, 40, 4);
        VoteCounts v = VoteCounts.of(wide);
        assertEquals(2000, v.total());
        VoteCounts halves = VoteCounts.of(wide.slice(0, 1000)).merge(VoteCounts.of(wide.slice(1000, 2000)));
        assertEquals(v, halves);
    }

    @Test
    @DisplayName("packed and unpacked counting agree on a matrix whose rows fit in a long")
    void packedAndUnpackedAgree() {
        LabelMatrix m = synthetic(8, 5000, 20, 3); // 2 bits x 20 LFs: packable
        VoteCounts packed = VoteCounts.of(m, true, 1);
        VoteCounts unpacked = VoteCounts.of(m, false, 1);
        assertEquals(unpacked, packed);
        assertEquals(5000, packed.total());
        assertEquals(VoteCounts.of(m), packed);
    }

    @Test
    @DisplayName("counting 200,000 rows in parallel slices gives exactly the one-pass and the unpacked counts")
    void parallelSlicesAgree() {
        LabelMatrix m = synthetic(9, 200_000, 12, 2);
        VoteCounts sliced = VoteCounts.of(m, true, 4);
        assertEquals(VoteCounts.of(m, true, 1), sliced);
        assertEquals(VoteCounts.of(m, false, 1), sliced);
        assertEquals(200_000, sliced.total());
    }

    @Test
    @DisplayName("rejects merging counts whose columns are other LFs or the same LFs in another order")
    void rejectsReorderedColumns() {
        LabelMatrix a = synthetic(1, 100, 2, 2);
        byte[] v = new byte[200];
        for (int i = 0; i < 100; i++) {
            v[2 * i] = (byte) a.get(i, 1);
            v[2 * i + 1] = (byte) a.get(i, 0);
        }
        VoteCounts ab = VoteCounts.of(LabelMatrix.of(100, 2, 2, a.raw(), List.of("light", "co2")));
        VoteCounts ba = VoteCounts.of(LabelMatrix.of(100, 2, 2, v, List.of("co2", "light")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ab.merge(ba));
        assertTrue(e.getMessage().contains("[co2, light]") && e.getMessage().contains("same order"), e.getMessage());
        assertEquals(List.of("light", "co2"), ab.merge(ab).lfNames());
    }

    @Test
    @DisplayName("rejects merging counts over different LF sets")
    void rejectsShapeMismatch() {
        assertThrows(IllegalArgumentException.class,
                () -> VoteCounts.of(synthetic(1, 10, 3, 2)).merge(VoteCounts.of(synthetic(1, 10, 4, 2))));
    }

    @Test
    @DisplayName("rejects votes outside [-1, k)")
    void rejectsBadVotes() {
        assertThrows(IllegalArgumentException.class, () -> LabelMatrix.ofRows(2, new int[][] {{0, 2}}));
    }

    @Test
    @DisplayName("LF analysis reports coverage, overlap, conflict, polarity and accuracy")
    void analysis() {
        LabelMatrix m = LabelMatrix.ofRows(2, new int[][] {{1, 1, -1}, {1, 0, -1}, {-1, 0, 0}, {-1, -1, -1}});
        List<LfStats> s = LfAnalysis.of(m, new int[] {1, 0, 0, -1});
        assertEquals(0.5, s.get(0).coverage());
        assertEquals(0.5, s.get(0).overlap());
        assertEquals(0.25, s.get(0).conflict());
        assertEquals(List.of(0, 1), s.get(1).polarity());
        assertEquals(0.5, s.get(0).empiricalAccuracy());
        assertEquals(1.0, s.get(1).empiricalAccuracy(), 1e-12);
        assertEquals(0.25, s.get(2).coverage());
        assertEquals(0.0, s.get(2).conflict());
    }

    @Test
    @DisplayName("concat and merge agree on names: both refuse columns named differently, and withNames lines them up")
    void concatAndMergeAgreeOnNames() {
        LabelMatrix defaults = LabelMatrix.ofRows(2, new int[][] {{0, -1}, {1, 1}});
        LabelMatrix named = LabelMatrix.of(1, 2, 2, new byte[] {0, 0}, List.of("near", "far"));
        assertThrows(IllegalArgumentException.class, () -> LabelMatrix.concat(List.of(defaults, named)));
        assertThrows(IllegalArgumentException.class, () -> VoteCounts.of(defaults).merge(VoteCounts.of(named)));
        LabelMatrix renamed = defaults.withNames(List.of("near", "far"));
        assertEquals(VoteCounts.of(LabelMatrix.concat(List.of(renamed, named))),
                VoteCounts.of(renamed).merge(VoteCounts.of(named)));
        assertThrows(IllegalArgumentException.class, () -> defaults.withNames(List.of("only-one")));
    }
}
