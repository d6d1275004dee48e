package io.edgeloop.quantize.scheme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.Datasets;
import io.edgeloop.quantize.importer.TribuoImporter;
import io.edgeloop.quantize.ir.DecisionTree;
import io.edgeloop.quantize.ir.TreeEnsembleModel;
import io.edgeloop.quantize.parity.TestVectors;
import io.edgeloop.quantize.runtime.InputQuantization;
import io.edgeloop.quantize.runtime.IntTreeEnsemble;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue #5's tree guarantee on the real occupancy CART and forest: for every quantized input {@code q} the integer
 * split decides as the float model's own split on {@code dequantize(q)}, proved per node and checked at the
 * threshold and one step either side, for every split, at int8, int16 and int32 (the default quantizer, whose
 * tree thresholds are {@link TreeThresholds#EXACT}).
 */
class ExactTreeSplitTest {
    private static CsvData train;

    @BeforeAll
    static void load() throws Exception {
        train = Datasets.occupancyTrain();
    }

    @Test
    @DisplayName("every split of the occupancy CART decides as the float model at T and T +- 1 in every scheme")
    void occupancyCart() {
        check((TreeEnsembleModel) new TribuoImporter().fromModel(TribuoTraining.train(train, "cart", 7)));
    }

    @Test
    @DisplayName("every split of the occupancy forest decides as the float model at T and T +- 1 in every scheme")
    void occupancyForest() {
        check((TreeEnsembleModel) new TribuoImporter().fromModel(TribuoTraining.train(train, "forest", 7)));
    }

    private static void check(TreeEnsembleModel fm) {
        double[][] calib = train.rowsInOrder(fm.featureNames());
        for (Scheme s : new Scheme[] {Scheme.INT8, Scheme.INT16, Scheme.INT32}) {
            ModelQuantizer mq = new ModelQuantizer(s, Calibration.AUTO);
            assertEquals(TreeThresholds.EXACT, mq.treeThresholds(), "the default");
            IntTreeEnsemble t = (IntTreeEnsemble) mq.quantize(fm, calib);
            InputQuantization iq = t.input();
            // Per node: the emitted trees are the float trees minus splits constant over the input range, and every
            // kept split is proved against the float model's own threshold (not a moved one).
            int[] splits = new int[1];
            for (int k = 0; k < t.trees(); k++) {
                walk(s, fm.trees().get(k), 0, t, t.root(k), iq, splits);
            }
            assertTrue(splits[0] > 20, s + " checked " + splits[0] + " splits");
            // Whole model: vectors reaching every split with T, T - 1 and T + 1 on its feature decide (per class
            // vote) exactly as the float model on the values the vectors stand for.
            List<int[]> sweep = TestVectors.thresholdSweep(t);
            int[] base = TestVectors.base(t);
            int n = 0;
            for (int[] edit : sweep) {
                int[] q = TestVectors.apply(base, edit);
                double[] x = new double[q.length];
                for (int i = 0; i < q.length; i++) {
                    x[i] = iq.dequantize(i, q[i]);
                }
                double[] fs = fm.scores(x);
                int[] expect = new int[fs.length];
                for (int c = 0; c < fs.length; c++) {
                    expect[c] = (int) fs[c];
                }
                assertArrayEquals(expect, t.predict(q), s + " sweep vector " + n);
                n++;
            }
            assertTrue(n >= splits[0], s + " sweep vectors " + n);
        }
    }

    /** Walks a float tree and its emitted integer tree together. */
    private static void walk(Scheme s, DecisionTree f, int n, IntTreeEnsemble t, int g, InputQuantization iq,
            int[] splits) {
        while (f.feature(n) >= 0) {
            long tq = ModelQuantizer.integerThreshold(iq, f.feature(n), f.threshold(n));
            if (tq < iq.min()) {
                n = f.right(n);
            } else if (tq >= iq.max()) {
                n = f.left(n);
            } else {
                break;
            }
        }
        if (f.feature(n) < 0) {
            assertEquals(-1, t.feature(g), s + " node " + g + " is a leaf");
            assertEquals((int) f.value(n), t.value(g), s + " leaf " + g);
            return;
        }
        int feat = f.feature(n);
        double thr = f.threshold(n);
        assertEquals(feat, t.feature(g), s + " node " + g + " feature");
        assertEquals(thr, t.floatThreshold(g), 0.0, s + " node " + g + ": proved against the float model's threshold");
        long tq = t.threshold(g);
        for (long q = tq - 1; q <= tq + 1; q++) {
            if (q < iq.min() || q > iq.max()) {
                continue;
            }
            assertEquals(iq.dequantize(feat, (int) q) > thr, q > tq,
                    s + " node " + g + " feature " + feat + " threshold " + thr + " q " + q);
        }
        splits[0]++;
        walk(s, f, f.left(n), t, t.left(g), iq, splits);
        walk(s, f, f.right(n), t, t.right(g), iq, splits);
    }
}
