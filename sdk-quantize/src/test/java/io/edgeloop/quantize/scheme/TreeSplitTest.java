package io.edgeloop.quantize.scheme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.ir.DecisionTree;
import io.edgeloop.quantize.ir.TreeEnsembleModel;
import io.edgeloop.quantize.runtime.InputQuantization;
import io.edgeloop.quantize.runtime.IntTreeEnsemble;
import org.junit.jupiter.api.DisplayName;
import java.util.List;
import org.junit.jupiter.api.Test;

class TreeSplitTest {
    @Test
    @DisplayName("every integer split equals the float split at the threshold and one step either side, in every scheme")
    void splitsAreExactAtThresholdAndNeighbours() {
        double[][] rows = TestModels.wideRows(20, 3000, 5);
        TreeEnsembleModel forest = TestModels.forest(20, rows, 10, 6, false, 9);
        for (Scheme s : new Scheme[] {Scheme.INT8, Scheme.INT16, Scheme.INT32}) {
            IntTreeEnsemble t = (IntTreeEnsemble) new ModelQuantizer(s, Calibration.MIN_MAX).quantize(forest, rows);
            InputQuantization iq = t.input();
            int checked = 0;
            for (int g = 0; g < t.nodes(); g++) {
                int f = t.feature(g);
                if (f < 0) {
                    continue;
                }
                // Splits that are constant over the input range were dropped: every kept threshold is inside it.
                long thr = t.threshold(g);
                assertTrue(thr >= iq.min() && thr < iq.max(), s.name() + " node " + g + " threshold " + thr);
                assertEquals(g + 1, t.left(g), "pre-order: the left child follows its parent");
                for (long q = thr - 1; q <= thr + 1; q++) {
                    if (q < iq.min() || q > iq.max()) {
                        continue;
                    }
                    boolean floatRight = iq.dequantize(f, (int) q) > t.floatThreshold(g);
                    assertEquals(floatRight, q > thr, s.name() + " node " + g + " q " + q);
                    checked++;
                }
            }
            assertEquals(true, checked > 1000, "checked " + checked);
            // Whole-model proof on quantized inputs: the integer trees reach the leaves the float trees with the
            // stored (re-centred) float thresholds reach for the value each input stands for.
            java.util.Random r = new java.util.Random(3);
            for (int k = 0; k < 20_000; k++) {
                int[] q = new int[20];
                double[] x = new double[20];
                for (int i = 0; i < 20; i++) {
                    long[] range = io.edgeloop.quantize.parity.TestVectors.randomRange(iq);
                    q[i] = (int) (range[0] + (long) (r.nextDouble() * (range[1] - range[0])));
                    x[i] = iq.dequantize(i, q[i]);
                }
                int[] is = t.predict(q);
                assertArrayEquals(floatTwinVotes(t, x), is, s.name() + " vector " + k);
            }
            // The re-centred thresholds decide every calibration row as the model's own thresholds do.
            for (double[] row : rows) {
                assertArrayEquals(votes(forest.scores(row)), floatTwinVotes(t, row), s.name());
            }
        }
    }

    /** Votes per class when the emitted trees are walked with their float thresholds on real values. */
    private static int[] floatTwinVotes(IntTreeEnsemble t, double[] x) {
        int[] v = new int[t.outputSize()];
        for (int k = 0; k < t.trees(); k++) {
            int n = t.root(k);
            while (t.feature(n) >= 0) {
                n = x[t.feature(n)] > t.floatThreshold(n) ? t.right(n) : t.left(n);
            }
            v[t.value(n)]++;
        }
        return v;
    }

    private static int[] votes(double[] scores) {
        int[] v = new int[scores.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (int) scores[i];
        }
        return v;
    }

    @Test
    @DisplayName("with aligned thresholds a raw reading equal to a calibration value decides as the float model even with the threshold one ulp below it")
    void alignedReadingsNextToAThresholdKeepTheirSide() {
        // Tribuo puts thresholds one ulp below common data values (the reviewer's room CART: 25.689999999999998);
        // readings come on a 0.01 grid. Rounding 25.69 to the input grid used to land at or below the threshold.
        double t = Math.nextDown(25.69);
        DecisionTree stump = new DecisionTree(new int[] {0, -1, -1}, new double[] {t, 0, 0}, new int[] {1, 0, 0},
                new int[] {2, 0, 0}, new double[] {0, 0, 1});
        TreeEnsembleModel model = new TreeEnsembleModel(List.of("S1_Temp"), List.of("left", "right"), List.of(stump));
        double[][] calib = new double[2001][1];
        for (int i = 0; i < calib.length; i++) {
            calib[i][0] = 20 + i / 100.0; // 20.00 .. 40.00 in steps of 0.01
        }
        for (Scheme s : new Scheme[] {Scheme.INT8, Scheme.INT16, Scheme.INT32}) {
            IntTreeEnsemble q = (IntTreeEnsemble) new ModelQuantizer(s, Calibration.MIN_MAX)
                    .withTreeThresholds(TreeThresholds.ALIGNED).quantize(model, calib);
            // Still between the calibration values 25.68 and 25.69.
            assertTrue(q.floatThreshold(0) >= 25.68 && q.floatThreshold(0) < 25.69, s.name() + " " + q.floatThreshold(0));
            if (s != Scheme.INT8) { // int8 steps (0.08) are wider than the data grid: its budget is 0.5 points
                for (double[] row : calib) {
                    assertEquals(model.predictClass(row), q.predictClass(q.input().quantize(row)), s.name() + " " + row[0]);
                }
                assertEquals(1, q.predictClass(q.input().quantize(new double[] {25.69})), s.name());
                assertEquals(0, q.predictClass(q.input().quantize(new double[] {25.68})), s.name());
            }
        }
    }

    @Test
    @DisplayName("by default the threshold stays the model's own, and every quantized input decides as the float model on its value")
    void exactThresholdsKeepTheModelsThreshold() {
        double t = Math.nextDown(25.69);
        DecisionTree stump = new DecisionTree(new int[] {0, -1, -1}, new double[] {t, 0, 0}, new int[] {1, 0, 0},
                new int[] {2, 0, 0}, new double[] {0, 0, 1});
        TreeEnsembleModel model = new TreeEnsembleModel(List.of("S1_Temp"), List.of("left", "right"), List.of(stump));
        double[][] calib = new double[2001][1];
        for (int i = 0; i < calib.length; i++) {
            calib[i][0] = 20 + i / 100.0;
        }
        for (Scheme s : new Scheme[] {Scheme.INT8, Scheme.INT16, Scheme.INT32}) {
            IntTreeEnsemble q = (IntTreeEnsemble) new ModelQuantizer(s, Calibration.MIN_MAX).quantize(model, calib);
            assertEquals(t, q.floatThreshold(0), 0.0, s.name());
            InputQuantization iq = q.input();
            long thr = q.threshold(0);
            for (long v = Math.max(iq.min(), thr - 3); v <= Math.min(iq.max(), thr + 3); v++) {
                int[] x = {(int) v};
                assertEquals(model.predictClass(new double[] {iq.dequantize(0, x[0])}), q.predictClass(x),
                        s.name() + " q " + v);
            }
        }
    }
}
