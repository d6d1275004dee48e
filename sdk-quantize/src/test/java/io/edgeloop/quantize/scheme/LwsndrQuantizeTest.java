package io.edgeloop.quantize.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.Lwsndr;
import io.edgeloop.quantize.ir.DecisionTree;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.ir.TreeEnsembleModel;
import io.edgeloop.quantize.runtime.InputQuantization;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #5's accuracy budgets on a real set outside the design ({@link Lwsndr}: LWSNDR single-hop motes, split by
 * device): int8 within 0.5 points of float, int16 within 0.1, int32 within 0.01, on the test motes' 9,458 rows (one
 * row is 0.0106 points, so int32 must decide every row as float does), with the event class's F1 beside them.
 *
 * <p>With the calibrated input scales ({@link TreeInputScales#CALIBRATED}, the only ones before 2026-12-03) the
 * forest with exact tree thresholds misses int32's budget: 4 rows carry {@code temperature_d12 = 0.31}, exactly the
 * threshold {@code (0.30 + 0.32) / 2} of a split in three trees whose bootstrap rows at that node held no 0.31 (the
 * training rows do). The float split {@code x > T} sends them left; where the input cell around 0.31 has its centre
 * above 0.31 (in all three schemes there) the exact mapping must send that cell right, because it decides as the
 * float model does on the cell's value. The test asserts that this is the only cause ({@link #tiesOnly}). Fitted
 * input scales (the default) put the int16 and int32 cells holding 0.31 on the float side and meet every budget with
 * exact thresholds, as aligned thresholds (which drop the exact-split guarantee) do.
 */
class LwsndrQuantizeTest {
    private static final double[] BUDGET = {0.5, 0.1, 0.01};
    /** Figures per model, printed as one table at the end. */
    private static final Map<String, String> TABLE = new TreeMap<>();

    /** Accuracy (percent), event F1 and the rows decided unlike the float model (their indices). */
    private record Score(double accuracy, double eventF1, List<Integer> disagreements) {
    }

    private static Score score(String[] predicted, String[] reference, List<String> labels) {
        int ok = 0;
        int tp = 0;
        int fp = 0;
        int fn = 0;
        List<Integer> differ = new ArrayList<>();
        for (int i = 0; i < predicted.length; i++) {
            boolean p = predicted[i].equals(Lwsndr.EVENT);
            boolean t = labels.get(i).equals(Lwsndr.EVENT);
            ok += predicted[i].equals(labels.get(i)) ? 1 : 0;
            tp += p && t ? 1 : 0;
            fp += p && !t ? 1 : 0;
            fn += !p && t ? 1 : 0;
            if (!predicted[i].equals(reference[i])) {
                differ.add(i);
            }
        }
        double f1 = tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
        return new Score(100.0 * ok / predicted.length, f1, differ);
    }

    private static String[] predict(FloatModel m, double[][] x) {
        String[] out = new String[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = m.classNames().get(m.predictClass(x[i]));
        }
        return out;
    }

    private static String[] predict(IntModel m, double[][] x) {
        String[] out = new String[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = m.classNames().get(m.predictClass(m.input().quantize(x[i])));
        }
        return out;
    }

    /**
     * Whether a row decided unlike the float model owes that to threshold ties only: on the float path of some tree
     * the reading and its quantized value fall on different sides of a split, and at every such split (the first on
     * each tree's path: the integer tree leaves the float path there) the reading is the threshold itself, within
     * one ulp (Tribuo's midpoint of two two-decimal values can land on a third, or one ulp beside it).
     */
    private static boolean tiesOnly(TreeEnsembleModel fm, InputQuantization iq, double[] x) {
        int[] q = iq.quantize(x);
        boolean flipped = false;
        for (DecisionTree t : fm.trees()) {
            int n = 0;
            while (t.feature(n) >= 0) {
                int f = t.feature(n);
                double thr = t.threshold(n);
                boolean raw = x[f] > thr;
                if (raw != iq.dequantize(f, q[f]) > thr) {
                    // the integer tree leaves the float path here: is this split a tie?
                    if (Math.abs(x[f] - thr) > Math.ulp(thr)) {
                        return false;
                    }
                    flipped = true;
                    break;
                }
                n = raw ? t.right(n) : t.left(n);
            }
        }
        return flipped;
    }

    /**
     * Quantizes in every scheme and checks each against its budget on the test motes.
     *
     * @param tieExempt schemes (indices into {@link Lwsndr#SCHEMES}) whose rows decided unlike float may exceed
     *                  the budget if every one of them is a threshold tie ({@link #tiesOnly})
     */
    private static void check(String algo, TreeThresholds thresholds, List<Integer> tieExempt) {
        check(algo, thresholds, TreeInputScales.FITTED, tieExempt);
    }

    private static void check(String algo, TreeThresholds thresholds, TreeInputScales scales, List<Integer> tieExempt) {
        CsvData test = Lwsndr.test();
        FloatModel fm = Lwsndr.floatModel(algo);
        double[][] x = test.rowsInOrder(fm.featureNames());
        String[] flt = predict(fm, x);
        Score f = score(flt, flt, test.labels());
        assertEquals(TribuoTraining.accuracy(Lwsndr.tribuo(algo), test), f.accuracy(), 1e-9,
                "the imported float model predicts as Tribuo does");
        String name = algo + (algo.equals("logistic") ? "" : " (" + thresholds.id() + ", " + scales.id() + " scales)");
        List<String> failures = new ArrayList<>();
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %.3f %% / %.3f |", name,
                f.accuracy(), f.eventF1()));
        for (int s = 0; s < Lwsndr.SCHEMES.size(); s++) {
            Scheme scheme = Lwsndr.SCHEMES.get(s);
            IntModel m = Lwsndr.quantized(algo, scheme, thresholds, scales);
            Score q = score(predict(m, x), flt, test.labels());
            long ties = fm instanceof TreeEnsembleModel ? q.disagreements().stream()
                    .filter(i -> tiesOnly((TreeEnsembleModel) fm, m.input(), x[i])).count() : 0;
            row.append(String.format(Locale.ROOT, " %.3f %% / %.3f (%d differ%s) |", q.accuracy(), q.eventF1(),
                    q.disagreements().size(), ties > 0 ? ", " + ties + " ties" : ""));
            boolean within = Math.abs(q.accuracy() - f.accuracy()) <= BUDGET[s] + 1e-9;
            boolean explained = tieExempt.contains(s) && ties == q.disagreements().size();
            if (!within && !explained) {
                failures.add(String.format(Locale.ROOT, "%s %s: float %.3f %% quantized %.3f %% (budget %.2f; %d of "
                        + "%d rows decided unlike float, %d of them threshold ties)", name, scheme.name(), f.accuracy(),
                        q.accuracy(), BUDGET[s], q.disagreements().size(), test.size(), ties));
            }
        }
        TABLE.put(name, row.toString());
        System.out.println("LWSNDR " + row);
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    @Test
    @DisplayName("the device split keeps both environments and events on each side")
    void splitCoversBothSides() {
        CsvData train = Lwsndr.train();
        CsvData test = Lwsndr.test();
        // SOURCE.md's counts: motes 1 + 3 = 4417 + 5039 rows with 117 events, motes 2 + 4 = 4417 + 5041 with 32.
        assertEquals(4417 + 5039, train.size());
        assertEquals(4417 + 5041, test.size());
        assertEquals(117, train.labels().stream().filter(Lwsndr.EVENT::equals).count());
        assertEquals(32, test.labels().stream().filter(Lwsndr.EVENT::equals).count());
        assertEquals(Lwsndr.FEATURES, train.features());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"logistic", "cart"})
    @DisplayName("logistic regression and CART trained on motes 1 and 3 keep every budget on motes 2 and 4")
    void keepsEveryBudget(String algo) {
        check(algo, TreeThresholds.EXACT, List.of());
    }

    @Test
    @DisplayName("the forest with exact thresholds and fitted input scales (the default) keeps every budget, int32 "
            + "within 0.01")
    void forestKeepsEveryBudget() {
        check("forest", TreeThresholds.EXACT, List.of());
    }

    @Test
    @DisplayName("with calibrated input scales the forest keeps int8's and int16's budgets; int32 misses its own by "
            + "threshold ties only")
    void forestWithCalibratedScalesMissesInt32ByTiesOnly() {
        check("forest", TreeThresholds.EXACT, TreeInputScales.CALIBRATED, List.of(2));
    }

    @Test
    @DisplayName("the forest with aligned thresholds keeps every budget, int32 within 0.01")
    void forestAlignedKeepsEveryBudget() {
        check("forest", TreeThresholds.ALIGNED, List.of());
    }

    @AfterAll
    static void printTable() {
        System.out.println("LWSNDR, train motes 1+3, test motes 2+4 (" + Lwsndr.test().size()
                + " rows): accuracy / event F1 (rows decided unlike float)\n| model | float | int8 | int16 | int32 |\n"
                + "|---|---|---|---|---|");
        TABLE.values().forEach(System.out::println);
    }
}
