package io.edgeloop.quantize.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.ir.TreeEnsembleModel;
import io.edgeloop.quantize.runtime.InputQuantization;
import io.edgeloop.quantize.runtime.IntTreeEnsemble;
import org.junit.jupiter.api.DisplayName;
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
            // Whole-model agreement on dequantized inputs: the integer votes equal the float votes.
            java.util.Random r = new java.util.Random(3);
            for (int k = 0; k < 20_000; k++) {
                int[] q = new int[20];
                double[] x = new double[20];
                for (int i = 0; i < 20; i++) {
                    long[] range = io.edgeloop.quantize.parity.TestVectors.randomRange(iq);
                    q[i] = (int) (range[0] + (long) (r.nextDouble() * (range[1] - range[0])));
                    x[i] = iq.dequantize(i, q[i]);
                }
                double[] fs = forest.scores(x);
                int[] is = t.predict(q);
                for (int o = 0; o < is.length; o++) {
                    assertEquals(fs[o], is[o], 0.0);
                }
            }
        }
    }
}
