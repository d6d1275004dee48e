package io.edgeloop.quantize.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.ir.DecisionTree;
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
            int base = 0;
            for (DecisionTree tree : forest.trees()) {
                for (int n = 0; n < tree.size(); n++) {
                    int f = tree.feature(n);
                    if (f < 0) {
                        continue;
                    }
                    long thr = t.threshold(base + n);
                    for (long q = thr - 1; q <= thr + 1; q++) {
                        if (q < iq.min() || q > iq.max()) {
                            continue;
                        }
                        boolean floatRight = iq.dequantize(f, (int) q) > tree.threshold(n);
                        assertEquals(floatRight, q > thr, s.name() + " node " + n + " q " + q);
                        checked++;
                    }
                }
                base += tree.size();
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
