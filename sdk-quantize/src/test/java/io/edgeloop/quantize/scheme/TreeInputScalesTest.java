package io.edgeloop.quantize.scheme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.ir.DecisionTree;
import io.edgeloop.quantize.ir.TreeEnsembleModel;
import io.edgeloop.quantize.runtime.InputQuantization;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.IntTreeEnsemble;
import io.edgeloop.quantize.runtime.ModelFormat;
import io.edgeloop.quantize.runtime.QuantizedArtifact;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fitted tree input scales ({@link TreeInputScales#FITTED}): a synthetic feature read in hundredths, split by a chain
 * of thresholds of the two kinds Tribuo produces next to such readings: exactly on a reading (a midpoint of two
 * hundredths that is a third: readings on it go left) and one ulp below one (readings on 25.69 go right of
 * 25.689999999999998). Consecutive leaves hold different classes, so a reading on the wrong side of any threshold
 * changes the prediction.
 */
class TreeInputScalesTest {
    private static final double[] TIES = {21.37, 22.41, 23.53, 24.67};
    private static final double[] ULP_BELOW = {25.69, 26.83, 27.19, 28.71};

    /** Thresholds ascending: the ties, then one ulp below each of ULP_BELOW. */
    private static double[] thresholds() {
        double[] t = new double[TIES.length + ULP_BELOW.length];
        for (int i = 0; i < TIES.length; i++) {
            t[i] = TIES[i];
            t[TIES.length + i] = Math.nextDown(ULP_BELOW[i]);
        }
        return t;
    }

    /** One tree: node k splits on thresholds()[k]; its left child is a leaf of class k % 2, its right node k + 1. */
    private static TreeEnsembleModel chain() {
        double[] t = thresholds();
        int splits = t.length;
        int n = 2 * splits + 1;
        int[] feature = new int[n];
        double[] threshold = new double[n];
        int[] left = new int[n];
        int[] right = new int[n];
        double[] value = new double[n];
        // nodes 0..splits-1 split; node splits + k is the left leaf of split k; the last node the final right leaf
        for (int k = 0; k < splits; k++) {
            feature[k] = 0;
            threshold[k] = t[k];
            left[k] = splits + k;
            right[k] = k + 1 < splits ? k + 1 : n - 1;
            feature[splits + k] = -1;
            value[splits + k] = k % 2;
        }
        feature[n - 1] = -1;
        value[n - 1] = splits % 2;
        return new TreeEnsembleModel(List.of("temperature"), List.of("even", "odd"),
                List.of(new DecisionTree(feature, threshold, left, right, value)));
    }

    /** Readings 20.00 to 30.00 in hundredths, as a CSV parser gives them. */
    private static double[][] calibration() {
        double[][] rows = new double[1001][];
        for (int i = 0; i <= 1000; i++) {
            rows[i] = new double[] {(2000 + i) / 100.0};
        }
        return rows;
    }

    /** The readings next to the thresholds: on each tie and on each reading the ulp-below thresholds sit under. */
    private static List<Double> nearReadings() {
        List<Double> r = new ArrayList<>();
        for (double v : TIES) {
            r.add(v);
        }
        for (double v : ULP_BELOW) {
            r.add(v);
        }
        return r;
    }

    private static List<Double> decidedUnlikeFloat(TreeEnsembleModel fm, IntModel m) {
        List<Double> out = new ArrayList<>();
        for (double v : nearReadings()) {
            double[] x = {v};
            if (m.predictClass(m.input().quantize(x)) != fm.predictClass(x)) {
                out.add(v);
            }
        }
        return out;
    }

    private static IntModel quantize(Scheme scheme, TreeInputScales scales) {
        return new ModelQuantizer(scheme, Calibration.MIN_MAX).withTreeInputScales(scales).quantize(chain(),
                calibration());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"int16", "int32"})
    @DisplayName("readings on a threshold and one ulp above it decide as float with fitted scales, and did not before")
    void nearReadingsDecideAsFloatOnlyWhenFitted(String name) {
        Scheme scheme = Scheme.of(name, 0);
        TreeEnsembleModel fm = chain();
        List<Double> before = decidedUnlikeFloat(fm, quantize(scheme, TreeInputScales.CALIBRATED));
        assertTrue(!before.isEmpty(), "the calibrated scale already decides every near reading as float; the "
                + "example no longer shows the problem");
        IntModel fitted = quantize(scheme, TreeInputScales.FITTED);
        assertEquals(List.of(), decidedUnlikeFloat(fm, fitted), "calibrated scale missed " + before);
        IntTreeEnsemble.InputScaleFit fit = ((IntTreeEnsemble) fitted).inputScaleFit().orElseThrow();
        assertTrue(fit.pairs() >= nearReadings().size(), fit.toString());
        assertEquals(fit.pairs(), fit.decidedAsFloatFitted(), fit.toString());
        assertTrue(fit.decidedAsFloatCalibrated() < fit.pairs(), fit.toString());
    }

    @Test
    @DisplayName("fitting is deterministic: the same model and rows give the same scales and the same model.json")
    void deterministic() throws Exception {
        IntModel a = quantize(Scheme.INT32, TreeInputScales.FITTED);
        IntModel b = new ModelQuantizer(Scheme.INT32, Calibration.MIN_MAX).quantize(chain(), calibration());
        assertEquals(a.input().scale(0), b.input().scale(0));
        assertEquals(a.input().zeroPoint(0), b.input().zeroPoint(0));
        assertArrayEquals(ModelFormat.toBytes(artifact(a)), ModelFormat.toBytes(artifact(b)));
    }

    private static QuantizedArtifact artifact(IntModel m) {
        return new QuantizedArtifact(m, TargetProfile.JVM, "min-max",
                Provenance.capture("quantized-model", TreeInputScalesTest.class).createdAt(java.time.Instant.EPOCH)
                        .build());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"int16", "int32"})
    @DisplayName("the fitted range still covers the calibrated one, keeps every split and passes the split proof, "
            + "also after a model.json round trip")
    void rangeStillFitsAndSplitsStayExact(String name) throws Exception {
        Scheme scheme = Scheme.of(name, 0);
        IntModel cal = quantize(scheme, TreeInputScales.CALIBRATED);
        IntTreeEnsemble fitted = (IntTreeEnsemble) quantize(scheme, TreeInputScales.FITTED);
        InputQuantization c = cal.input();
        InputQuantization f = fitted.input();
        assertTrue(f.scale(0) > c.scale(0) && f.scale(0) <= c.scale(0) * (scheme == Scheme.INT32 ? 2 : 1.1),
                f.scale(0) + " against " + c.scale(0));
        assertTrue(f.dequantize(0, f.min()) <= c.dequantize(0, c.min()) + c.scale(0) / 2
                && f.dequantize(0, f.max()) >= c.dequantize(0, c.max()) - c.scale(0) / 2, "covered range shrank");
        assertEquals(20.0, f.dequantize(0, f.quantize(0, 20.0)), f.scale(0));
        assertTrue(f.quantize(0, 20.0) > f.min() && f.quantize(0, 30.0) < f.max(), "calibration values clamped");
        assertEquals(thresholds().length, fitted.splits());
        assertEquals(0, fitted.droppedSplits().orElseThrow());
        fitted.verifySplits();
        IntTreeEnsemble back = (IntTreeEnsemble) ModelFormat.fromBytes(ModelFormat.toBytes(artifact(fitted))).model();
        back.verifySplits();
        assertEquals(f.scale(0), back.input().scale(0));
    }

    @Test
    @DisplayName("int8 keeps the calibrated scale: fitting is not applied there")
    void int8Unchanged() {
        IntModel cal = quantize(Scheme.INT8, TreeInputScales.CALIBRATED);
        IntModel fitted = quantize(Scheme.INT8, TreeInputScales.FITTED);
        assertEquals(cal.input().scale(0), fitted.input().scale(0));
        assertEquals(cal.input().zeroPoint(0), fitted.input().zeroPoint(0));
        assertTrue(((IntTreeEnsemble) fitted).inputScaleFit().isEmpty(), "no fit to report");
    }

    @Test
    @DisplayName("a feature without readings near its thresholds keeps the calibrated scale")
    void farThresholdsKeepCalibratedScale() {
        double[] thr = {25.005};
        double[] col = new double[1001];
        for (int i = 0; i <= 1000; i++) {
            col[i] = (2000 + i) / 100.0;
        }
        TreeScaleFit.Fit fit = TreeScaleFit.fit(0x1p-28, -(25L << 28), s -> -Math.round(25 / s),
                Integer.MIN_VALUE, Integer.MAX_VALUE, thr, new int[] {1}, col, 1.0, TreeScaleFit.WORK);
        assertEquals(0x1p-28, fit.scale());
        assertEquals(0, fit.pairs());
    }

    @Test
    @DisplayName("a feature without calibration pairs keeps the calibrated scale exactly, even where its phantom "
            + "readings decide unlike float")
    void featureWithoutPairsIsNotMovedByPhantoms() {
        // 25.25 lies on the 2^-28 grid, so the phantom 25.25 shares the cell of its threshold one ulp below and
        // decides unlike float at s0; the readings (20.00 .. 24.00) are nowhere near. The old scan moved the scale
        // (to 3.725327551364899E-9) for the phantoms alone.
        double t = 25.25 - Math.ulp(25.25);
        double[] col = new double[401];
        for (int i = 0; i <= 400; i++) {
            col[i] = (2000 + i) / 100.0;
        }
        TreeScaleFit.Fit fit = TreeScaleFit.fit(0x1p-28, -(25L << 28), s -> -Math.round(25 / s),
                Integer.MIN_VALUE, Integer.MAX_VALUE, new double[] {t}, new int[] {1}, col, 1.0, TreeScaleFit.WORK);
        assertEquals(0x1p-28, fit.scale());
        assertEquals(-(25L << 28), fit.zeroPoint());
        assertEquals(0, fit.pairs());
        assertTrue(!fit.scanned(), fit.toString());
    }

    @Test
    @DisplayName("a feature whose work share pays for no candidate keeps the calibrated scale and says so")
    void featureWithoutWorkShareKeepsCalibratedScale() {
        double[] thr = {25.689999999999998};
        double[] col = {25.69, 25.69, 26.0};
        TreeScaleFit.Fit full = TreeScaleFit.fit(0x1p-28, -(25L << 28), s -> -Math.round(25 / s),
                Integer.MIN_VALUE, Integer.MAX_VALUE, thr, new int[] {1}, col, 1.0, TreeScaleFit.WORK);
        assertTrue(full.scanned(), full.toString());
        // One real pair (25.69, weight 2) and two phantoms: 3 evaluations a candidate, so 2 pay for none.
        TreeScaleFit.Fit none = TreeScaleFit.fit(0x1p-28, -(25L << 28), s -> -Math.round(25 / s),
                Integer.MIN_VALUE, Integer.MAX_VALUE, thr, new int[] {1}, col, 1.0, 2);
        assertEquals(0x1p-28, none.scale());
        assertTrue(!none.scanned(), none.toString());
        assertEquals(full.pairs(), none.pairs());
        assertEquals(none.before(), none.after());
    }

    @Test
    @DisplayName("the model's work budget is shared by pair counts, never exceeded, and untouched when it suffices")
    void workBudgetIsSharedByPairCounts() {
        long w = TreeScaleFit.WORK;
        long[] pairs = {0, 1, 3, 1000, 1000};
        long[] demand = {0, w, w, w, 5_000};
        long[] share = TreeScaleFit.allot(pairs, demand, 10_000_000L);
        long sum = 0;
        for (long x : share) {
            sum += x;
        }
        assertTrue(sum <= 10_000_000L, java.util.Arrays.toString(share));
        assertEquals(0, share[0], "no pairs, no work");
        assertEquals(5_000, share[4], "never more than asked");
        assertTrue(share[1] < share[2] && share[2] < share[3], java.util.Arrays.toString(share));
        // What feature 4 left goes to the others: feature 3 gets its pair share of the rest.
        assertEquals((long) Math.floor((10_000_000L - 5_000) * (1000.0 / 1004)), share[3]);
        assertArrayEquals(demand, TreeScaleFit.allot(pairs, demand, 4 * w), "enough budget: everyone gets its ask");
    }

    @Test
    @DisplayName("an unknown mode is refused naming both")
    void unknownModeRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TreeInputScales.of("fit"));
        assertTrue(e.getMessage().contains("fitted") && e.getMessage().contains("calibrated"), e.getMessage());
        assertEquals(TreeInputScales.CALIBRATED, TreeInputScales.of(" Calibrated "));
    }
}
