package io.edgeloop.labeling.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.labeling.matrix.LabelMatrix;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Majority vote with ties settled by another model: the tie rule is explicit, decisive rows never change. */
class TieBrokenVoteTest {
    private static MajorityVote mv(LabelMatrix m) {
        return MajorityVote.plain(FitData.of(m));
    }

    @Test
    @DisplayName("a decisive row with more than 1,000 votes keeps majority vote's class whatever the tie-breaker says")
    void decisiveRowsWithManyVotesNeverFlip() {
        int[][] rows = new int[1][1001];
        for (int j = 0; j < 1001; j++) {
            rows[0][j] = j < 501 ? 0 : 1;
        }
        LabelMatrix m = LabelMatrix.ofRows(2, rows);
        TieBrokenVote model = new TieBrokenVote(mv(m), new PriorModel(new double[] {1e-9, 1}));
        assertArrayEquals(new int[] {0}, model.predict(m));
        assertArrayEquals(mv(m).predictProba(m)[0], model.predictProba(m)[0], 0.0, "decisive rows are unchanged");
    }

    @Test
    @DisplayName("a tie goes to the tie-breaker's more probable class even when its probabilities differ by < 0.01")
    void tiesGoToTheTieBreakerEvenWhenItIsClose() {
        int[][] rows = new int[40][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i % 2 == 0 ? new int[] {0, 1} : new int[] {-1, -1};
        }
        LabelMatrix m = LabelMatrix.ofRows(2, rows);
        TieBrokenVote model = new TieBrokenVote(mv(m), new PriorModel(new double[] {0.496, 0.504}));
        int[] predicted = model.predict(m);
        for (int i = 0; i < rows.length; i++) {
            assertEquals(1, predicted[i], "row " + i);
        }
        // A tie-breaker that ties too leaves the hash to choose, as majority vote alone does.
        TieBrokenVote even = new TieBrokenVote(mv(m), new PriorModel(new double[] {1, 1}));
        assertArrayEquals(mv(m).predict(m), even.predict(m));
    }

    @Test
    @DisplayName("with three classes the tie-breaker chooses only among majority vote's tied classes")
    void tieBreakerChoosesAmongTiedClassesOnly() {
        LabelMatrix m = LabelMatrix.ofRows(3, new int[][] {{0, 1, -1}, {0, 0, 1}});
        TieBrokenVote model = new TieBrokenVote(mv(m), new PriorModel(new double[] {0.3, 0.2, 0.5}));
        assertArrayEquals(new int[] {0, 0}, model.predict(m), "class 2 is the tie-breaker's favourite but not tied");
    }
}
