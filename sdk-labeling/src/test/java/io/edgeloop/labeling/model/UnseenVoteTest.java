package io.edgeloop.labeling.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.matrix.LabelMatrix;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * rev-s8-label item 2: a vote an LF never cast on any training row had estimated probability 0 under every class in
 * {@code ds} (and in {@code hmm}'s emissions), so every class got log 0 and the row came out uniform, its other
 * votes thrown away. Such an outcome now contributes no factor.
 */
class UnseenVoteTest {
    /** 200 rows: LF0 and LF1 always agree (alternating classes), LF2 votes only class 0, on every fourth row. */
    private static LabelMatrix train() {
        int[][] rows = new int[200][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new int[] {i % 2, i % 2, i % 4 == 0 ? 0 : -1};
        }
        return LabelMatrix.ofRows(2, rows);
    }

    @Test
    @DisplayName("a vote never cast in training leaves the row's other votes in charge in ds and hmm")
    void unseenVoteIsNoEvidence() {
        LabelMatrix train = train();
        // LF2 never voted 1 in training; LF0 never abstained (an abstain it never had is no evidence either).
        LabelMatrix rows = LabelMatrix.ofRows(2, new int[][] {{1, 1, -1}, {1, 1, 1}, {0, 0, 1}, {-1, 1, -1}});
        FitData data = FitData.builder().train(train).sequence(train).build();
        for (LabelModel model : new LabelModel[] {DawidSkene.fit(data), TemporalModel.fit(data)}) {
            double[][] p = model.predictProbaUnordered(rows);
            double[][] withoutLf2 = model.predictProbaUnordered(
                    LabelMatrix.ofRows(2, new int[][] {{1, 1, -1}, {1, 1, -1}, {0, 0, -1}}));
            assertTrue(p[1][1] > 0.99, model.name() + " " + java.util.Arrays.toString(p[1]));
            assertTrue(p[2][0] > 0.99, model.name() + " " + java.util.Arrays.toString(p[2]));
            assertTrue(p[3][1] > 0.99, model.name() + " " + java.util.Arrays.toString(p[3]));
            assertArrayEquals(withoutLf2[1], p[1], 1e-12, model.name());
        }
    }

    @Test
    @DisplayName("outcomes seen only in answered rows are evidence, not skipped")
    void answeredRowsCountAsSeen() {
        LabelMatrix train = train();
        // One answered row where LF2 votes 1 on class 1: that outcome is now seen, and points to class 1.
        FitData data = FitData.builder().train(train)
                .gold(LabelMatrix.ofRows(2, new int[][] {{1, 1, 1}}), new int[] {1}).build();
        double[] p = DawidSkene.fit(data).predictProba(LabelMatrix.ofRows(2, new int[][] {{-1, -1, 1}, {0, 0, 1}}))[0];
        assertTrue(p[1] > p[0], java.util.Arrays.toString(p));
    }
}
