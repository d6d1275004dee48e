package io.edgeloop.labeling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The paired tests behind {@code auto}'s choice. */
class PairedComparisonTest {
    @Test
    @DisplayName("McNemar's exact one-sided p-value is the binomial upper tail")
    void mcNemarIsTheBinomialTail() {
        assertEquals(1.0 / 1024, PairedComparison.binomialUpperTail(10, 10), 1e-15);
        assertEquals(56.0 / 1024, PairedComparison.binomialUpperTail(10, 8), 1e-15);
        assertEquals(1.0, PairedComparison.binomialUpperTail(10, 0), 0);
        assertEquals(0.5, PairedComparison.binomialUpperTail(1, 1), 1e-15);
        // Large n stays finite and accurate: P(Bin(2000, 1/2) >= 1000) = 1/2 + P(= 1000) / 2.
        assertEquals(0.5 + 0.0178390111 / 2, PairedComparison.binomialUpperTail(2000, 1000), 1e-9);
    }

    @Test
    @DisplayName("identical predictions give p = 1; rows where both are wrong carry no information")
    void identicalPredictionsAreNotBetter() {
        int[] gold = {0, 1, 1, 0, 1};
        int[] a = {0, 1, 0, 0, 0};
        PairedComparison.Result r = PairedComparison.run(gold, a, a.clone(), 2,
                List.of(Metric.ACCURACY, Metric.F1_BINARY), 1);
        assertEquals(0, r.differing());
        assertEquals(1.0, r.maxP(), 0);
        int[] gold3 = {2, 2, 2};
        PairedComparison.Result wrongBoth = PairedComparison.run(gold3, new int[] {0, 0, 0}, new int[] {1, 1, 1}, 3,
                List.of(Metric.ACCURACY), 1);
        assertEquals(3, wrongBoth.differing());
        assertEquals(1.0, wrongBoth.maxP(), 0);
    }

    @Test
    @DisplayName("a clearly better candidate is significant on accuracy and binary F1; the posterior is seeded")
    void clearlyBetterIsSignificant() {
        Random r = new Random(5);
        int n = 600;
        int[] gold = new int[n];
        int[] base = new int[n];
        int[] cand = new int[n];
        for (int i = 0; i < n; i++) {
            gold[i] = r.nextDouble() < 0.2 ? 1 : 0;
            base[i] = r.nextDouble() < 0.7 ? gold[i] : 1 - gold[i];
            cand[i] = r.nextDouble() < 0.9 ? gold[i] : base[i];
        }
        List<Metric> both = List.of(Metric.ACCURACY, Metric.F1_BINARY);
        PairedComparison.Result better = PairedComparison.run(gold, base, cand, 2, both, 7);
        assertTrue(better.gains()[0] > 10 && better.gains()[1] > 10, java.util.Arrays.toString(better.gains()));
        assertTrue(better.maxP() < 1e-3, java.util.Arrays.toString(better.pValues()));
        PairedComparison.Result worse = PairedComparison.run(gold, cand, base, 2, both, 7);
        assertTrue(worse.pValues()[0] > 0.99 && worse.pValues()[1] > 0.99, java.util.Arrays.toString(worse.pValues()));
        assertEquals(better.pValues()[1], PairedComparison.run(gold, base, cand, 2, both, 7).pValues()[1], 0);
    }

    @Test
    @DisplayName("binary F1: removing false positives on a sample with no positives among the changed rows is not proof")
    void fewPositivesAreNotProofForF1() {
        // 30 rows, 3 positives (all found by both); the candidate turns 6 coin-flip false positives into
        // negatives. F1 jumps on the sample, but nothing was seen of the positives the change might lose.
        int n = 30;
        int[] gold = new int[n];
        int[] base = new int[n];
        int[] cand = new int[n];
        for (int i = 0; i < 3; i++) {
            gold[i] = 1;
            base[i] = 1;
            cand[i] = 1;
        }
        for (int i = 3; i < 9; i++) {
            base[i] = 1;
        }
        PairedComparison.Result r = PairedComparison.run(gold, base, cand, 2, List.of(Metric.F1_BINARY), 3);
        assertTrue(r.gains()[0] > 40, java.util.Arrays.toString(r.gains()));
        assertTrue(r.pValues()[0] > 0.02, java.util.Arrays.toString(r.pValues()));
    }
}
