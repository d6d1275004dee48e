package io.edgeloop.quantize.scheme;

import io.edgeloop.quantize.ir.Activation;
import io.edgeloop.quantize.ir.DecisionTree;
import io.edgeloop.quantize.ir.DenseLayer;
import io.edgeloop.quantize.ir.FeatureScaling;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.ir.NetworkModel;
import io.edgeloop.quantize.ir.SingleLogit;
import io.edgeloop.quantize.ir.TreeEnsembleModel;
import io.edgeloop.quantize.runtime.InputQuantization;
import io.edgeloop.quantize.runtime.IntLayer;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.IntNetwork;
import io.edgeloop.quantize.runtime.IntTreeEnsemble;
import io.edgeloop.quantize.runtime.Requantization;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Post-training quantization of a {@link FloatModel} into an {@link IntModel}. All float arithmetic happens
 * here; the product is integer-only.
 *
 * <p>Networks: per-feature input quantization, with the input scales, zero points and the feature scaling folded
 * into the first layer; symmetric per-output-channel weights; activations calibrated on the float model's
 * intermediate values; per-channel integer multiplier and shift chosen as precise as the accumulator proof
 * allows; each bias corrected for the mean error the rounded weights make on the calibration rows (Nagel et al.
 * 2019, "Data-Free Quantization", bias correction; exact in the integer model, which only sees a different bias);
 * weight scales per channel or per tensor ({@link WeightScales}), the last layer of an argmax classifier without
 * requantisation when its scale is shared, and two-class heads reduced to one logit ({@link SingleLogit}).
 * Optionally (off by default) AdaRound-style rounding directions for linear int8 models ({@link AdaptiveRounding}).
 * Inputs: int8 networks keep {@link #INT8_NETWORK_MARGIN} beyond the calibrated range, int16 half a range, the
 * int32 Q format a power-of-two scale around an int64 zero point.
 * Trees: thresholds mapped to the largest integer whose dequantized value is {@code <=} the float model's threshold,
 * so every split decides as the float model on the value each quantized input stands for (optionally, and without
 * that guarantee, first aligned with the calibration values they separate: {@link TreeThresholds#ALIGNED},
 * {@link #alignThresholds})
 * (see {@link IntTreeEnsemble#verifySplits()}); int16 and int32 split features' input scales fitted so calibration
 * readings next to a threshold decide as the float model ({@link TreeInputScales#FITTED});
 * nodes re-emitted in pre-order,
 * left child first (no left links on the device), and splits that are constant over the integer input range
 * dropped, so thresholds fit the input type.
 *
 * <p>Thread-safe: immutable.
 */
public final class ModelQuantizer {
    private static final Logger LOG = LoggerFactory.getLogger(ModelQuantizer.class);

    private final Scheme scheme;
    private final Calibration calibration;
    private final WeightScales weightScales;
    private final boolean biasCorrection;
    private final boolean adaptiveRounding;
    private final TreeThresholds treeThresholds;
    private final TreeInputScales treeInputScales;

    /**
     * A quantizer choosing weight scales automatically ({@link WeightScales#AUTO}).
     *
     * @param scheme      the scheme
     * @param calibration the range method
     */
    public ModelQuantizer(Scheme scheme, Calibration calibration) {
        this(scheme, calibration, WeightScales.AUTO);
    }

    /**
     * @param scheme       the scheme
     * @param calibration  the range method
     * @param weightScales per-channel, per-tensor or automatic weight scales for dense layers
     */
    public ModelQuantizer(Scheme scheme, Calibration calibration, WeightScales weightScales) {
        this(scheme, calibration, weightScales, true);
    }

    /**
     * @param scheme         the scheme
     * @param calibration    the range method
     * @param weightScales   per-channel, per-tensor or automatic weight scales for dense layers
     * @param biasCorrection whether each dense layer's bias absorbs the mean error its rounded weights make on
     *                       the calibration rows (on by default; off gives plain TFLite-style post-training
     *                       quantization)
     */
    public ModelQuantizer(Scheme scheme, Calibration calibration, WeightScales weightScales, boolean biasCorrection) {
        this(scheme, calibration, weightScales, biasCorrection, false);
    }

    /**
     * @param scheme           the scheme
     * @param calibration      the range method
     * @param weightScales     per-channel, per-tensor or automatic weight scales for dense layers
     * @param biasCorrection   whether each dense layer's bias absorbs the mean error its rounded weights make on
     *                         the calibration rows
     * @param adaptiveRounding whether a linear model's int8 weights and biases are rounded up or down to agree best
     *                         with the float model on the calibration rows ({@link AdaptiveRounding}); off by
     *                         default (nearest rounding): it raises agreement on the calibration rows but was
     *                         neutral on held-out rows (-0.15 to +0.1 points on four data sets)
     */
    public ModelQuantizer(Scheme scheme, Calibration calibration, WeightScales weightScales, boolean biasCorrection,
            boolean adaptiveRounding) {
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        this.calibration = Objects.requireNonNull(calibration, "calibration");
        this.weightScales = Objects.requireNonNull(weightScales, "weightScales");
        this.biasCorrection = biasCorrection;
        this.adaptiveRounding = adaptiveRounding;
        this.treeThresholds = TreeThresholds.EXACT;
        this.treeInputScales = TreeInputScales.FITTED;
    }

    private ModelQuantizer(ModelQuantizer q, TreeThresholds treeThresholds, TreeInputScales treeInputScales) {
        this.scheme = q.scheme;
        this.calibration = q.calibration;
        this.weightScales = q.weightScales;
        this.biasCorrection = q.biasCorrection;
        this.adaptiveRounding = q.adaptiveRounding;
        this.treeThresholds = Objects.requireNonNull(treeThresholds, "treeThresholds");
        this.treeInputScales = Objects.requireNonNull(treeInputScales, "treeInputScales");
    }

    /**
     * @param treeThresholds how tree thresholds are mapped ({@link TreeThresholds#EXACT} by default;
     *                       {@link TreeThresholds#ALIGNED} drops the exact-split guarantee)
     * @return this quantizer with that mapping
     */
    public ModelQuantizer withTreeThresholds(TreeThresholds treeThresholds) {
        return new ModelQuantizer(this, treeThresholds, treeInputScales);
    }

    /**
     * @param treeInputScales how a tree model's input scales are chosen ({@link TreeInputScales#FITTED} by default;
     *                        {@link TreeInputScales#CALIBRATED} keeps the calibrated range's scale)
     * @return this quantizer with that choice
     */
    public ModelQuantizer withTreeInputScales(TreeInputScales treeInputScales) {
        return new ModelQuantizer(this, treeThresholds, treeInputScales);
    }

    /** @return how a tree model's input scales are chosen */
    public TreeInputScales treeInputScales() {
        return treeInputScales;
    }

    /** @return how tree thresholds are mapped */
    public TreeThresholds treeThresholds() {
        return treeThresholds;
    }

    /**
     * @param model       the float model
     * @param calibration representative raw feature rows
     * @return the integer model
     * @throws IllegalArgumentException when the data does not match the model, a feature's calibration values break
     *                                  {@link ColumnScale}'s rule (the message names the row, feature and value) or
     *                                  a proof fails
     */
    public IntModel quantize(FloatModel model, double[][] calibration) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(calibration, "calibration");
        if (calibration.length == 0) {
            throw new IllegalArgumentException("Calibration needs at least one row");
        }
        if (model.classNames().size() == 1) {
            throw new IllegalArgumentException("the model is a classifier with one class ('" + model.classNames().get(0)
                    + "'): it predicts that class for every input; train it on data with at least two labels");
        }
        requireUsableScales(model, calibration);
        if (this.calibration == Calibration.AUTO) {
            return auto(model, calibration).model();
        }
        InputQuantization in = inputQuantization(calibration, model.featureNames(), model instanceof NetworkModel,
                model instanceof TreeEnsembleModel ? thresholdRanges((TreeEnsembleModel) model) : null);
        if (model instanceof NetworkModel) {
            return quantizeNetwork((NetworkModel) model, calibration, in);
        }
        if (treeInputScales == TreeInputScales.FITTED && TreeScaleFit.widening(scheme) > 0) {
            FittedInputs fitted = fitTreeInputScales((TreeEnsembleModel) model, in, calibration);
            return quantizeTrees((TreeEnsembleModel) model, fitted.in(), calibration).withInputScaleFit(fitted.fit());
        }
        return quantizeTrees((TreeEnsembleModel) model, in, calibration);
    }

    /** A tree model's fitted input quantization and what the fit achieved on the calibration rows. */
    private record FittedInputs(InputQuantization in, IntTreeEnsemble.InputScaleFit fit) {
    }

    /**
     * Refits each split feature's scale ({@link TreeScaleFit}) so calibration readings in the same input cell as a
     * threshold decide as the float model; the real centre of the covered range is kept, and the covered range
     * only grows. Thresholds are untouched: they are mapped exactly afterwards.
     */
    private FittedInputs fitTreeInputScales(TreeEnsembleModel model, InputQuantization in, double[][] rows) {
        double eps = TreeScaleFit.widening(scheme);
        int n = in.size();
        double[] scale = new double[n];
        long[] zp = new long[n];
        java.util.Map<Integer, java.util.TreeMap<Double, Integer>> splits = new java.util.HashMap<>();
        for (DecisionTree t : model.trees()) {
            for (int k = 0; k < t.size(); k++) {
                int f = t.feature(k);
                if (f >= 0 && f < n && Double.isFinite(t.threshold(k))) {
                    splits.computeIfAbsent(f, x -> new java.util.TreeMap<>()).merge(t.threshold(k), 1, Integer::sum);
                }
            }
        }
        double mid = ((double) in.min() + in.max()) / 2;
        double[] col = new double[rows.length];
        double[][] thr = new double[n][];
        int[][] count = new int[n][];
        long[] rowPairs = new long[n];
        long[] demand = new long[n];
        for (int f = 0; f < n; f++) {
            scale[f] = in.scale(f);
            zp[f] = in.zeroPoint(f);
            java.util.TreeMap<Double, Integer> ts = splits.get(f);
            if (ts == null) {
                continue;
            }
            thr[f] = new double[ts.size()];
            count[f] = new int[ts.size()];
            int j = 0;
            for (java.util.Map.Entry<Double, Integer> e : ts.entrySet()) {
                thr[f][j] = e.getKey();
                count[f][j++] = e.getValue();
            }
            for (int r = 0; r < rows.length; r++) {
                col[r] = rows[r][f];
            }
            rowPairs[f] = TreeScaleFit.rowPairs(thr[f], col, scale[f] * (1 + eps));
            // What the scan can use at most: every candidate over the real pairs and two phantoms per threshold.
            demand[f] = rowPairs[f] == 0 ? 0 : (long) Math.min(TreeScaleFit.WORK,
                    (double) TreeScaleFit.MAX_CANDIDATES * (rowPairs[f] + 2.0 * thr[f].length));
        }
        long[] work = TreeScaleFit.allot(rowPairs, demand, TreeScaleFit.MODEL_WORK);
        long pairs = 0;
        long before = 0;
        long after = 0;
        int fittedFeatures = 0;
        int keptForBudget = 0;
        for (int f = 0; f < n; f++) {
            if (rowPairs[f] == 0) {
                continue;
            }
            for (int r = 0; r < rows.length; r++) {
                col[r] = rows[r][f];
            }
            java.util.Arrays.sort(col);
            // The real value the middle of the integer range stands for stays where calibration put it.
            double centre = scale[f] * (mid - zp[f]);
            TreeScaleFit.Fit fit = TreeScaleFit.fit(scale[f], zp[f],
                    s -> FixedPoint.roundHalfAwayFromZero(mid - centre / s), in.min(), in.max(), thr[f], count[f], col,
                    eps, work[f]);
            scale[f] = fit.scale();
            zp[f] = fit.zeroPoint();
            pairs += fit.pairs();
            before += fit.before();
            after += fit.after();
            if (fit.scanned()) {
                fittedFeatures++;
            } else if (fit.pairs() > 0) {
                keptForBudget++;
            }
        }
        return new FittedInputs(new InputQuantization(scale, zp, in.min(), in.max()),
                new IntTreeEnsemble.InputScaleFit(pairs, before, after, fittedFeatures, keptForBudget));
    }

    /**
     * Refuses calibration data that breaks {@link ColumnScale}'s rule (the one {@code train} applies): one value near
     * 1e300 stretches every range method's range (min-max and mse keep it; a percentile of few rows can too) until
     * every real reading of the feature falls in one quantization step, and the model silently loses the feature.
     */
    private static void requireUsableScales(FloatModel model, double[][] rows) {
        // Shape and finiteness first, each named by row and feature: a NaN used to reach ColumnScale, whose
        // message blamed another row and value ("the column's standard deviation is NaN ... too large"), and a
        // null row was a bare NullPointerException. Rows count from 1 in every message.
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] == null) {
                throw new IllegalArgumentException("Calibration row " + (r + 1) + " (counting from 1) is null");
            }
            if (rows[r].length != model.inputSize()) {
                throw new IllegalArgumentException("Calibration row " + (r + 1) + " (counting from 1) has "
                        + rows[r].length + " values; the model takes " + model.inputSize());
            }
            for (int f = 0; f < rows[r].length; f++) {
                if (!Double.isFinite(rows[r][f])) {
                    throw new IllegalArgumentException("Calibration row " + (r + 1) + " (counting from 1), feature '"
                            + model.featureNames().get(f) + "' is " + rows[r][f] + ": calibration needs real "
                            + "readings (a failed sensor read is no value the model takes); drop or fix that row");
                }
            }
        }
        java.util.Optional<ColumnScale.Problem> bad = ColumnScale.firstProblem(rows);
        if (bad.isPresent()) {
            ColumnScale.Problem p = bad.get();
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Calibration row %d (counting from 1), "
                    + "feature '%s' holds %s: the column's standard deviation is %s in double arithmetic (%s; train "
                    + "refuses such a column too), so no usable range can be calibrated; fix or remove that row",
                    p.row() + 1, model.featureNames().get(p.column()), p.value(), p.std(), p.cause()));
        }
    }

    /**
     * A quantized model with the calibration method that produced it.
     *
     * <p>Thread-safe: immutable; the model may be used from several threads.
     *
     * @param model       the integer model
     * @param calibration the method used (never {@link Calibration#AUTO})
     */
    public record Result(IntModel model, Calibration calibration) {
    }

    /**
     * Like {@link #quantize}, also reporting which calibration method was used (relevant for
     * {@link Calibration#AUTO}).
     *
     * @param model the float model
     * @param rows  calibration rows
     * @return the model and its method
     */
    public Result quantizeDetailed(FloatModel model, double[][] rows) {
        Result r;
        if (calibration == Calibration.AUTO) {
            Objects.requireNonNull(rows, "calibration");
            if (rows.length == 0) {
                throw new IllegalArgumentException("Calibration needs at least one row");
            }
            requireUsableScales(model, rows);
            r = auto(model, rows);
        } else {
            r = new Result(quantize(model, rows), calibration);
        }
        resolutionWarnings(r.model(), model.featureNames(), rows).forEach(LOG::warn);
        return r;
    }

    /** Fewer steps than this over a feature's calibrated span: int32 resolves it worse than int16 would (2^15). */
    static final double COARSE_STEPS = 1 << 15;

    /**
     * Features the Q format resolves coarsely: it keeps a feature's zero point within 2^39 and coarsens the scale when
     * the offset needs it, so a feature whose offset dwarfs its spread ({@code 1e15 +- 1e4}) is left with fewer steps
     * over its calibrated span than int16 would give it (2^15). The model is valid, but less exact than int32 promises;
     * {@link #quantizeDetailed} logs each of these at WARN. Other schemes never coarsen (they refuse such a feature).
     *
     * @param m     a model this quantizer made from {@code rows}
     * @param names the feature names, or null
     * @param rows  the calibration rows
     * @return one message per coarse feature, naming it and the cure; empty for other schemes
     */
    public List<String> resolutionWarnings(IntModel m, List<String> names, double[][] rows) {
        List<String> out = new ArrayList<>();
        if (!scheme.powerOfTwo() || rows == null || rows.length == 0) {
            return out;
        }
        InputQuantization in = m.input();
        for (int f = 0; f < in.size(); f++) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (double[] row : rows) {
                lo = Math.min(lo, row[f]);
                hi = Math.max(hi, row[f]);
            }
            double steps = (hi - lo) / in.scale(f);
            if (hi > lo && steps < COARSE_STEPS) {
                out.add(String.format(Locale.ROOT, "int32: feature '%s' spans [%s, %s], far from zero for its spread, "
                        + "so its zero point caps its scale at %s: %.0f steps over its calibrated span (int16 would "
                        + "give 32768); subtract a constant from it (re-centre it) before training for full Q-format "
                        + "resolution", names == null || f >= names.size() ? String.valueOf(f) : names.get(f), lo, hi,
                        in.scale(f), steps));
            }
        }
        return out;
    }

    private Result auto(FloatModel model, double[][] rows) {
        int step = Math.max(1, rows.length / 5000);
        List<Result> results = new java.util.ArrayList<>();
        double[] scores = new double[3];
        double bestScore = Double.NEGATIVE_INFINITY;
        // Fitting tree input scales costs far more than quantizing a tree: range methods are compared with
        // calibrated scales and only the chosen one is fitted (three fits made auto 3x the cost of one).
        boolean fitChosen = treeInputScales == TreeInputScales.FITTED && model instanceof TreeEnsembleModel
                && TreeScaleFit.widening(scheme) > 0;
        TreeInputScales compared = fitChosen ? TreeInputScales.CALIBRATED : treeInputScales;
        for (Calibration c : new Calibration[] {Calibration.MIN_MAX, Calibration.PERCENTILE, Calibration.MSE}) {
            IntModel m = new ModelQuantizer(scheme, c, weightScales, biasCorrection, adaptiveRounding)
                    .withTreeThresholds(treeThresholds).withTreeInputScales(compared).quantize(model, rows);
            scores[results.size()] = fidelity(m, model, rows, step);
            bestScore = Math.max(bestScore, scores[results.size()]);
            results.add(new Result(m, c));
        }
        // The most faithful range method; with automatic weight scales, the smallest model among those that meet
        // the rule a smaller layer must meet (a range method whose per-tensor layers fail it keeps per-channel ones
        // and would otherwise win on agreement alone, undoing the size the others reached within the budget).
        boolean bySize = weightScales == WeightScales.AUTO && model instanceof NetworkModel;
        double floor = bySize ? acceptable(model, bestScore) : bestScore;
        Result best = null;
        double chosen = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < results.size(); i++) {
            if (scores[i] < floor) {
                continue;
            }
            IntModel m = results.get(i).model();
            if (best == null || m.parameterBytes() < best.model().parameterBytes()
                    || (m.parameterBytes() == best.model().parameterBytes() && scores[i] > chosen)) {
                best = results.get(i);
                chosen = scores[i];
            }
        }
        if (fitChosen) {
            Calibration c = best.calibration();
            best = new Result(new ModelQuantizer(scheme, c, weightScales, biasCorrection, adaptiveRounding)
                    .withTreeThresholds(treeThresholds).withTreeInputScales(treeInputScales).quantize(model, rows), c);
        }
        return best;
    }

    /**
     * How close an integer model is to its float model on (every {@code step}-th) calibration row: for classifiers
     * the percentage of rows where both predict the same class, for regression minus the summed squared error.
     */
    private static double fidelity(IntModel m, FloatModel model, double[][] rows, int step) {
        double score = 0;
        int n = 0;
        for (int r = 0; r < rows.length; r += step) {
            n++;
            int[] q = m.input().quantize(rows[r]);
            if (model.isClassifier()) {
                score += m.predictClass(q) == model.predictClass(rows[r]) ? 1 : 0;
            } else {
                int[] out = m.predict(q);
                double[] f = model.scores(rows[r]);
                for (int o = 0; o < out.length; o++) {
                    double d = m.dequantizeOutput(o, out[o]) - f[o];
                    score -= d * d;
                }
            }
        }
        return model.isClassifier() ? 100.0 * score / n : score;
    }

    /**
     * The input quantization a network gets (see {@link #INT8_NETWORK_MARGIN} for how it differs from a tree's).
     *
     * @param rows raw calibration rows
     * @return per-feature input quantization for this scheme
     */
    public InputQuantization inputQuantization(double[][] rows) {
        return inputQuantization(rows, null, true, null);
    }

    /**
     * @return per feature the smallest and largest finite split threshold on it, or null when no split uses it
     */
    private static double[][] thresholdRanges(TreeEnsembleModel model) {
        double[][] r = new double[model.inputSize()][];
        for (DecisionTree t : model.trees()) {
            for (int n = 0; n < t.size(); n++) {
                int f = t.feature(n);
                double v = t.threshold(n);
                if (f < 0 || f >= r.length || !Double.isFinite(v)) {
                    continue;
                }
                if (r[f] == null) {
                    r[f] = new double[] {v, v};
                } else {
                    r[f][0] = Math.min(r[f][0], v);
                    r[f][1] = Math.max(r[f][1], v);
                }
            }
        }
        return r;
    }

    /**
     * The margin, as a fraction of the calibrated span, added beyond each end of an int8 network input's range, so
     * the calibrated range fills the middle 80 % of int8 (costing log2(1.25) = 0.32 bits of resolution). A network
     * extrapolates linearly beyond the calibration data and clamping cuts that off: on the UCI occupancy test file
     * datatest.txt 17 of the 20 rows the int8 logistic regression decided unlike the float model had a feature
     * (Temperature) clamped at the calibrated maximum. Trees get no margin, but each tree feature's range is widened
     * to cover every split threshold on that feature plus two steps: thresholds need not lie inside the calibration
     * data (calibration on a subset of the training data, a model trained elsewhere), and a threshold at or beyond
     * the calibrated extreme would otherwise become constant over the input range and its split be dropped (an
     * occupancy CART calibrated on 1,000 of its 8,143 training rows lost 14 of its 39 splits at int8 and 9.8 points
     * of accuracy). With every threshold strictly inside, a value beyond the range is clamped to a value on the same
     * side of every threshold, so clamping never changes a tree's decision.
     */
    public static final double INT8_NETWORK_MARGIN = 0.125;

    /**
     * @param rows    raw calibration rows
     * @param names   the feature names for error messages, or null
     * @param network whether the inputs feed a network (int8 then keeps a margin beyond the calibrated range)
     * @param splits  for trees, per feature the smallest and largest split threshold on it (null entries for unused
     *                features), which the range is widened to cover; null for networks
     * @throws IllegalArgumentException when a feature's offset is too large for its range: its zero point would
     *                                  exceed {@link InputQuantization#ZERO_POINT_LIMIT} (int8 and int16; the Q
     *                                  format coarsens the feature's scale instead)
     */
    private InputQuantization inputQuantization(double[][] rows, List<String> names, boolean network,
            double[][] splits) {
        int n = rows[0].length;
        double[] scale = new double[n];
        long[] zp = new long[n];
        double[] col = new double[rows.length];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < rows.length; r++) {
                col[r] = rows[r][i];
            }
            double[] range = calibration.range(col, (long) scheme.valueMax() - scheme.valueMin());
            double lo = range[0];
            double hi = range[1];
            if (hi - lo <= Math.max(Math.abs(lo), Math.abs(hi)) * 1e-12) {
                double w = Math.max(Math.abs(lo), 1e-6);
                lo -= w;
                hi += w;
            }
            if (splits != null && splits[i] != null) {
                // Every threshold strictly inside the range, two steps (of the widened span) from either end, so
                // its integer threshold T satisfies min <= T < max and no split is constant over the input range.
                double levels = (double) scheme.valueMax() - scheme.valueMin();
                double wlo = Math.min(lo, splits[i][0]);
                double whi = Math.max(hi, splits[i][1]);
                double step = (whi - wlo) / levels;
                if (splits[i][0] < lo + 2 * step || splits[i][1] > hi - 2 * step) {
                    lo = wlo - 2 * step;
                    hi = whi + 2 * step;
                }
            }
            if (scheme.powerOfTwo()) {
                // Q format with a zero point: the smallest power-of-two scale that fits the calibrated span into
                // +-2^Q_VALUE_BITS around the zero point (2 bits of headroom in int32), the zero point putting the
                // range's centre at 0. An offset feature (1e9 +- 1e3) keeps its resolution instead of spending it
                // on the offset; the scale grows only as far as |zero point| <= 2^39 (exact folding) requires.
                double s = powerOfTwoScale((hi - lo) / 2, 1L << Scheme.Q_VALUE_BITS);
                double centre = lo / 2 + hi / 2;
                while (Math.abs(centre / s) > InputQuantization.ZERO_POINT_LIMIT - 1) {
                    s *= 2;
                }
                scale[i] = s;
                zp[i] = -FixedPoint.roundHalfAwayFromZero(centre / s);
                continue;
            }
            if (scheme.valueBits() >= 16) {
                // Headroom: the calibrated range fills the middle half of int16, so field values up to half
                // a range beyond calibration are not clamped.
                double half = (hi - lo) / 2;
                lo -= half;
                hi += half;
            } else if (network) {
                double margin = (hi - lo) * INT8_NETWORK_MARGIN;
                lo -= margin;
                hi += margin;
            }
            scale[i] = (hi - lo) / ((double) scheme.valueMax() - scheme.valueMin());
            // Offset features (a pressure in Pa, a timestamp) have zero points far outside the value type;
            // they are int64 and folded exactly, but beyond 2^39 x / scale would no longer be exact.
            double z = scheme.valueMin() - lo / scale[i];
            if (!(Math.abs(z) <= InputQuantization.ZERO_POINT_LIMIT)) {
                throw new IllegalArgumentException("Feature " + (names == null ? String.valueOf(i)
                        : "'" + names.get(i) + "'") + " ranges over [" + range[0] + ", " + range[1] + "], too "
                        + "narrow for its offset: its zero point " + z + " exceeds 2^39 in magnitude; subtract "
                        + "a constant from the feature (or rescale it) before training");
            }
            zp[i] = FixedPoint.roundHalfAwayFromZero(z);
        }
        return new InputQuantization(scale, zp, scheme.valueMin(), scheme.valueMax());
    }

    /** Largest power-of-two scale 2^-f with maxAbs / scale <= limit. */
    private static double powerOfTwoScale(double maxAbs, long limit) {
        if (maxAbs == 0) {
            return 1;
        }
        int f = (int) Math.floor(Math.log(limit / maxAbs) / Math.log(2));
        while (maxAbs * Math.scalb(1.0, f) > limit) {
            f--;
        }
        while (maxAbs * Math.scalb(1.0, f + 1) <= limit) {
            f++;
        }
        return Math.scalb(1.0, -f);
    }

    private IntNetwork quantizeNetwork(NetworkModel original, double[][] calib, InputQuantization in) {
        NetworkModel model = SingleLogit.apply(original);
        int nl = model.layers().size();
        Requantization[] plan = new Requantization[nl];
        if (weightScales == WeightScales.PER_CHANNEL || scheme.powerOfTwo()) {
            // Q format (int32) favours accuracy over size: per-channel power-of-two scales, exact shifts.
            java.util.Arrays.fill(plan, Requantization.PER_CHANNEL);
            return quantizeNetwork(model, calib, in, plan);
        }
        if (weightScales == WeightScales.PER_TENSOR) {
            java.util.Arrays.fill(plan, Requantization.PER_TENSOR);
            plan[nl - 1] = compactLast(model);
            return quantizeNetworkOrFallback(model, calib, in, plan);
        }
        java.util.Arrays.fill(plan, Requantization.PER_CHANNEL);
        IntNetwork best = quantizeNetwork(model, calib, in, plan);
        int step = Math.max(1, calib.length / 5000);
        double baseline = fidelity(best, original, calib, step);
        double floor = acceptable(model, baseline);
        for (int l = nl - 1; l >= 0; l--) {
            Requantization[] candidate = plan.clone();
            candidate[l] = l == nl - 1 ? compactLast(model) : Requantization.PER_TENSOR;
            IntNetwork m;
            try {
                m = quantizeNetworkOrFallback(model, calib, in, candidate);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (m.parameterBytes() < best.parameterBytes() && fidelity(m, original, calib, step) >= floor) {
                plan = candidate;
                best = m;
            }
        }
        return best;
    }

    /**
     * The least fidelity {@link WeightScales#AUTO} accepts for a smaller model, given the best one's: for a classifier
     * the agreement within {@link WeightScales#AUTO_TOLERANCE_POINTS} of the best or at least {@code 100 -
     * AUTO_BUDGET_SHARE x} the scheme's accuracy budget, whichever is lower; for regression within 1 % of the
     * best's squared error.
     */
    private double acceptable(FloatModel model, double best) {
        if (!model.isClassifier()) {
            return best - Math.abs(best) * 0.01;
        }
        return Math.min(best - WeightScales.AUTO_TOLERANCE_POINTS,
                100 - WeightScales.AUTO_BUDGET_SHARE * scheme.accuracyBudgetPoints());
    }

    /** The compact mode for the last layer: raw accumulators for an argmax classifier, else per-tensor. */
    private static Requantization compactLast(NetworkModel model) {
        DenseLayer last = model.layers().get(model.layers().size() - 1);
        return model.isClassifier() && last.activation() == Activation.NONE ? Requantization.NONE
                : Requantization.PER_TENSOR;
    }

    /** Quantizes with the plan; a last layer whose accumulators do not fit 32 bits falls back from NONE to per-tensor. */
    private IntNetwork quantizeNetworkOrFallback(NetworkModel model, double[][] calib, InputQuantization in,
            Requantization[] plan) {
        try {
            return quantizeNetwork(model, calib, in, plan);
        } catch (AccumulatorTooWide e) {
            Requantization[] p = plan.clone();
            p[p.length - 1] = Requantization.PER_TENSOR;
            return quantizeNetwork(model, calib, in, p);
        }
    }

    /** A layer without requantization whose accumulators are not proved to fit 32 bits. */
    private static final class AccumulatorTooWide extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        AccumulatorTooWide(String message) {
            super(message);
        }
    }

    /**
     * Quantizes with the plan; for a linear model (one dense layer, no activation) with int8 weights also with
     * adaptive rounding ({@link AdaptiveRounding}), keeping whichever agrees better with the float model on the
     * calibration rows (adaptive rounding on ties: it also minimised the outputs' squared error).
     */
    private IntNetwork quantizeNetwork(NetworkModel model, double[][] calib, InputQuantization in,
            Requantization[] plan) {
        IntNetwork nearest = build(model, calib, in, plan, false);
        if (!adaptiveRounding || scheme.weightBits() != 8 || model.layers().size() != 1
                || model.layers().get(0).activation() != Activation.NONE) {
            return nearest;
        }
        IntNetwork adaptive;
        try {
            adaptive = build(model, calib, in, plan, true);
        } catch (IllegalArgumentException e) {
            return nearest;
        }
        int step = Math.max(1, calib.length / 5000);
        return fidelity(adaptive, model, calib, step) >= fidelity(nearest, model, calib, step) ? adaptive : nearest;
    }

    private IntNetwork build(NetworkModel model, double[][] calib, InputQuantization in, Requantization[] plan,
            boolean adaptive) {
        List<DenseLayer> layers = model.layers();
        // Trace the float model to calibrate every layer's output.
        List<double[][]> outs = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            outs.add(new double[layers.get(l).outputs()][calib.length]);
        }
        for (int r = 0; r < calib.length; r++) {
            List<double[]> t = model.trace(calib[r]);
            for (int l = 0; l < layers.size(); l++) {
                double[] v = t.get(l + 1);
                for (int o = 0; o < v.length; o++) {
                    outs.get(l)[o][r] = v[o];
                }
            }
        }
        int n0 = model.inputSize();
        double[] inScale = new double[n0];
        long[] inZp = new long[n0];
        FeatureScaling fs = model.scaling();
        // Mean of each layer's real inputs over the calibration rows: raw features, then activations.
        double[] inMean = new double[n0];
        for (double[] row : calib) {
            for (int i = 0; i < n0; i++) {
                inMean[i] += row[i] / calib.length;
            }
        }
        for (int i = 0; i < n0; i++) {
            inScale[i] = in.scale(i) * fs.scale(i);
            inZp[i] = in.zeroPoint(i);
        }
        long inMin = in.min();
        long inMax = in.max();
        List<IntLayer> result = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            DenseLayer layer = layers.get(l);
            int ni = layer.inputs();
            int no = layer.outputs();
            double[] realBias = layer.bias();
            double[] rawBias = layer.bias();
            if (l == 0) {
                for (int o = 0; o < no; o++) {
                    for (int i = 0; i < ni; i++) {
                        realBias[o] += layer.weight(o, i) * fs.offset(i);
                    }
                }
            }
            long inAbs = Math.max(Math.abs(inMin), Math.abs(inMax));
            long wMax;
            if (scheme.powerOfTwo()) {
                // As wide as the 64-bit accumulator bound allows (the inputs may take the whole int32 range).
                wMax = Math.min(Integer.MAX_VALUE, Long.highestOneBit((1L << 61) / ((long) ni * inAbs)));
            } else {
                wMax = (1L << (scheme.weightBits() - 1)) - 1;
            }
            int[] wq = new int[ni * no];
            long[] bq = new long[no];
            double[] sw = new double[no];
            double[] bUnrounded = new double[no];
            double layerMaxAbs = 0;
            double layerBiasAbs = 0;
            for (int o = 0; o < no; o++) {
                for (int i = 0; i < ni; i++) {
                    layerMaxAbs = Math.max(layerMaxAbs, Math.abs(layer.weight(o, i) * inScale[i]));
                }
                layerBiasAbs = Math.max(layerBiasAbs, Math.abs(realBias[o]));
            }
            for (int o = 0; o < no; o++) {
                double maxAbs = 0;
                for (int i = 0; i < ni; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(layer.weight(o, i) * inScale[i]));
                }
                double biasAbs = Math.abs(realBias[o]);
                if (plan[l] != Requantization.PER_CHANNEL) {
                    maxAbs = layerMaxAbs;
                    biasAbs = layerBiasAbs;
                }
                if (maxAbs == 0) {
                    // All weights zero (a pruned or constant layer): the output is the bias, so the scale only has
                    // to carry the bias precisely (as wide as a 32-bit bias of the value's own width allows).
                    sw[o] = biasAbs == 0 ? 1 : scheme.powerOfTwo() ? powerOfTwoScale(biasAbs, ZERO_WEIGHT_BIAS_LIMIT)
                            : biasAbs / ZERO_WEIGHT_BIAS_LIMIT;
                } else {
                    sw[o] = scheme.powerOfTwo() ? powerOfTwoScale(maxAbs, wMax) : maxAbs / wMax;
                }
                long zpFold = 0; // layers after the first: their input zero points lie in the value type
                for (int i = 0; i < ni; i++) {
                    long q = FixedPoint.roundHalfAwayFromZero(layer.weight(o, i) * inScale[i] / sw[o]);
                    q = Math.max(-wMax, Math.min(wMax, q));
                    wq[o * ni + i] = (int) q;
                    zpFold += l == 0 ? 0 : q * inZp[i];
                }
                // Bias correction: remove the mean output error the rounded weights make on the calibration rows.
                double corr = 0;
                for (int i = 0; i < ni && biasCorrection; i++) {
                    if (inScale[i] != 0) {
                        double realScale = l == 0 ? fs.scale(i) : 1;
                        corr += (wq[o * ni + i] * sw[o] / inScale[i] - layer.weight(o, i)) * realScale * inMean[i];
                    }
                }
                double b = (realBias[o] - corr) / sw[o];
                if (l == 0) {
                    // Same sum, regrouped so no term carries a feature's offset: an offset feature (zero point
                    // near 2^39) would otherwise leave two huge terms whose difference loses the bias's low bits.
                    b = rawBias[o] / sw[o];
                    for (int i = 0; i < ni; i++) {
                        if (inScale[i] == 0) {
                            b += layer.weight(o, i) * fs.offset(i) / sw[o];
                            continue;
                        }
                        double wReal = layer.weight(o, i) * inScale[i] / sw[o];
                        double centre = inZp[i] + (biasCorrection ? inMean[i] / in.scale(i) : 0);
                        b += wReal * (fs.offset(i) / inScale[i] - inZp[i]) + (wReal - wq[o * ni + i]) * centre;
                    }
                }
                if (Math.abs(b) > 0x1p60) {
                    throw new IllegalArgumentException("Layer " + l + " output " + o + ": bias " + realBias[o]
                            + " is too large for the weights' scale; the calibration range is likely degenerate");
                }
                bUnrounded[o] = b;
                bq[o] = FixedPoint.roundHalfAwayFromZero(b) - zpFold;
            }
            if (adaptive && l == 0) {
                adaptiveRounding(model, calib, in, layer, inScale, inZp, inMean, sw, wMax, bUnrounded, wq, bq,
                        outs.get(0));
            }
            boolean last = l == layers.size() - 1;
            if (plan[l] == Requantization.NONE) {
                // The outputs are the accumulators, in units of the shared weight scale.
                BigInteger bound = BigInteger.ZERO;
                for (int o = 0; o < no; o++) {
                    BigInteger b = BigInteger.valueOf(bq[o]).abs();
                    for (int i = 0; i < ni; i++) {
                        b = b.add(BigInteger.valueOf(Math.abs((long) wq[o * ni + i])).multiply(BigInteger.valueOf(inAbs)));
                    }
                    bound = bound.max(b);
                }
                if (!last || bound.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
                    throw new AccumulatorTooWide("Layer " + l + ": accumulator bound " + bound
                            + " does not fit the 32-bit outputs of a layer without requantization");
                }
                result.add(new IntLayer(ni, no, scheme.weightBits(), wq, bq, Requantization.NONE, new int[0], new int[0],
                        0, Integer.MIN_VALUE, Integer.MAX_VALUE, (int) inMin, (int) inMax, sw[0], "none"));
                break;
            }
            // Output quantization. The last layer writes scores at least 16 bits wide: int8 scores tie too often
            // for argmax to keep the float model's decisions.
            long typeMin = scheme.valueMin();
            long typeMax = scheme.valueMax();
            if (last && scheme.valueBits() < 16) {
                typeMin = Short.MIN_VALUE;
                typeMax = Short.MAX_VALUE;
            }
            double[] all = flatten(outs.get(l));
            double[] range = calibration.range(all, typeMax - typeMin);
            double lo = Math.min(0, range[0]);
            double hi = Math.max(0, range[1]);
            double sOut;
            int zp;
            if (scheme.powerOfTwo()) {
                sOut = powerOfTwoScale(Math.max(-lo, hi), 1L << Scheme.Q_VALUE_BITS);
                zp = 0;
            } else {
                if (hi - lo == 0) {
                    hi = 1e-6;
                }
                sOut = (hi - lo) / ((double) typeMax - typeMin);
                zp = (int) Math.max(typeMin, Math.min(typeMax, FixedPoint.roundHalfAwayFromZero(typeMin - lo / sOut)));
            }
            int outMin = (int) typeMin;
            int outMax = (int) typeMax;
            if (layer.activation() != Activation.NONE) {
                outMin = Math.max(outMin, zp);
            }
            if (layer.activation() == Activation.RELU6) {
                outMax = (int) Math.min(outMax, zp + FixedPoint.roundHalfAwayFromZero(6 / sOut));
            }
            int[] mult = new int[no];
            int[] shift = new int[no];
            BigInteger inAbsB = BigInteger.valueOf(inAbs);
            BigInteger[] bounds = new BigInteger[no];
            BigInteger layerBound = BigInteger.ZERO;
            for (int o = 0; o < no; o++) {
                BigInteger bound = BigInteger.valueOf(bq[o]).abs();
                for (int i = 0; i < ni; i++) {
                    bound = bound.add(BigInteger.valueOf(Math.abs((long) wq[o * ni + i])).multiply(inAbsB));
                }
                if (bound.bitLength() > 62) {
                    throw new IllegalArgumentException("Layer " + l + " output " + o + ": accumulator bound " + bound
                            + " leaves no room for exact requantisation in 64 bits");
                }
                bounds[o] = bound;
                layerBound = layerBound.max(bound);
            }
            if (plan[l] == Requantization.PER_TENSOR) {
                // One multiplier for every output: it must be exact for the largest accumulator bound.
                mult = multiplierFor(sw[0] / sOut, layerBound.longValueExact());
                shift = new int[] {mult[1]};
                mult = new int[] {mult[0]};
            } else {
                for (int o = 0; o < no; o++) {
                    int[] ms = multiplierFor(sw[o] / sOut, bounds[o].longValueExact());
                    mult[o] = ms[0];
                    shift[o] = ms[1];
                }
            }
            result.add(new IntLayer(ni, no, scheme.powerOfTwo() ? 32 : scheme.weightBits(), wq, bq, plan[l], mult, shift, zp,
                    outMin, outMax, (int) inMin, (int) inMax, sOut,
                    layer.activation().name().toLowerCase(Locale.ROOT)));
            inScale = new double[no];
            java.util.Arrays.fill(inScale, sOut);
            inMean = new double[no];
            for (int o = 0; o < no; o++) {
                for (double v : outs.get(l)[o]) {
                    inMean[o] += v / calib.length;
                }
            }
            inZp = new long[no];
            java.util.Arrays.fill(inZp, zp);
            inMin = outMin;
            inMax = outMax;
        }
        return new IntNetwork(scheme.name(), model.featureNames(), model.classNames(), in, result);
    }

    /** Rounds the first layer's weights and biases up or down by {@link AdaptiveRounding} (its zero points are folded). */
    private void adaptiveRounding(NetworkModel model, double[][] calib, InputQuantization in, DenseLayer layer,
            double[] inScale, long[] inZp, double[] inMean, double[] sw, long wMax, double[] bUnrounded, int[] wq,
            long[] bq, double[][] floatOut) {
        int ni = layer.inputs();
        int no = layer.outputs();
        double[] wReal = new double[ni * no];
        for (int o = 0; o < no; o++) {
            for (int i = 0; i < ni; i++) {
                wReal[o * ni + i] = inScale[i] == 0 ? wq[o * ni + i] : layer.weight(o, i) * inScale[i] / sw[o];
            }
        }
        double[] centre = new double[ni];
        for (int i = 0; i < ni; i++) {
            centre[i] = inScale[i] == 0 ? 0 : inZp[i] + (biasCorrection ? inMean[i] / in.scale(i) : 0);
        }
        int[][] q = new int[calib.length][];
        int[] target = model.isClassifier() ? new int[calib.length] : null;
        for (int r = 0; r < calib.length; r++) {
            q[r] = in.quantize(calib[r]);
            if (target != null) {
                target[r] = model.predictClass(calib[r]);
            }
        }
        AdaptiveRounding.refine(ni, no, q, wReal, bUnrounded, wq, bq, centre, sw, target, floatOut, wMax);
    }

    /** The magnitude a zero-weight layer's largest bias is quantized to: 2^30 units, exact to 30 bits. */
    private static final long ZERO_WEIGHT_BIAS_LIMIT = 1L << 30;

    /**
     * Chooses {@code (M, n)} (for an accumulator bound of 0, {@code (0, 0)}: the output is the zero point) with {@code M / 2^n} closest to {@code real}, {@code M < 2^31},
     * {@code bound * M < 2^63} and {@code n <= 62}, preferring the largest {@code n}.
     *
     * @param real  the real multiplier, finite and non-negative
     * @param bound the accumulator bound
     * @return {@code {M, n}}
     */
    static int[] multiplierFor(double real, long bound) {
        if (bound == 0) {
            // The accumulator is always 0 (zero weights and bias): any multiplier gives the zero point.
            return new int[] {0, 0};
        }
        BigInteger limit = BigInteger.valueOf(Long.MAX_VALUE);
        for (int n = 62; n >= 0; n--) {
            double scaled = Math.scalb(real, n);
            if (scaled >= 0x1p31 - 0.5) {
                continue;
            }
            long m = FixedPoint.roundHalfAwayFromZero(scaled);
            if (BigInteger.valueOf(bound).multiply(BigInteger.valueOf(m)).compareTo(limit) <= 0) {
                return new int[] {(int) m, n};
            }
        }
        throw new IllegalArgumentException("Requantisation multiplier " + real + " cannot be represented for accumulator bound "
                + bound);
    }

    private static double[] flatten(double[][] m) {
        int n = 0;
        for (double[] r : m) {
            n += r.length;
        }
        double[] f = new double[n];
        int k = 0;
        for (double[] r : m) {
            System.arraycopy(r, 0, f, k, r.length);
            k += r.length;
        }
        return f;
    }

    private IntTreeEnsemble quantizeTrees(TreeEnsembleModel original, InputQuantization in, double[][] calib) {
        TreeEnsembleModel model = treeThresholds == TreeThresholds.ALIGNED ? alignThresholds(original, in, calib)
                : original;
        List<DecisionTree> trees = model.trees();
        int total = 0;
        double leafMax = 0;
        for (DecisionTree t : trees) {
            total += t.size();
            for (int n = 0; n < t.size(); n++) {
                if (t.feature(n) < 0) {
                    leafMax = Math.max(leafMax, Math.abs(t.value(n)));
                }
            }
        }
        boolean regression = model.classNames().isEmpty();
        double leafScale = 1;
        if (regression) {
            long leafLimit = scheme.powerOfTwo() ? 1L << Scheme.Q_VALUE_BITS : scheme.valueMax();
            leafLimit = Math.min(leafLimit, Integer.MAX_VALUE / trees.size());
            leafScale = leafMax == 0 ? 1 : scheme.powerOfTwo() ? powerOfTwoScale(leafMax, leafLimit) : leafMax / leafLimit;
        }
        boolean voting = !regression && trees.stream().anyMatch(DecisionTree::hasVotes);
        int classes = model.outputSize();
        double voteMax = 0;
        int leaves = 0;
        if (voting) {
            for (DecisionTree t : trees) {
                for (int n = 0; n < t.size(); n++) {
                    if (t.feature(n) < 0) {
                        leaves++;
                        for (double w : leafVotes(t, n, classes)) {
                            voteMax = Math.max(voteMax, Math.abs(w));
                        }
                    }
                }
            }
        }
        // Vote weights become int16 with one scale, small enough that no sum over the trees overflows int32.
        long voteLimit = Math.min(Short.MAX_VALUE, Integer.MAX_VALUE / trees.size());
        double voteScale = voteMax == 0 ? 1 : voteMax / voteLimit;
        int[] votes = voting ? new int[leaves * classes] : null;
        int row = 0;
        int[] roots = new int[trees.size()];
        int[] feature = new int[total];
        long[] thr = new long[total];
        double[] fthr = new double[total];
        int[] left = new int[total];
        int[] right = new int[total];
        int[] value = new int[total];
        // Re-emit every tree in pre-order, left child first (so a split's left child is always the next node and
        // needs no link on the device), dropping splits whose integer threshold makes them constant for every
        // valid input (T = min - 1: always right; T = max: always left), so thresholds fit the input type.
        int g = 0;
        java.util.ArrayDeque<int[]> stack = new java.util.ArrayDeque<>();
        for (int k = 0; k < trees.size(); k++) {
            DecisionTree t = trees.get(k);
            roots[k] = g;
            stack.push(new int[] {0, -1});
            while (!stack.isEmpty()) {
                int[] e = stack.pop();
                int n = e[0];
                long tq = 0;
                while (t.feature(n) >= 0) {
                    tq = integerThreshold(in, t.feature(n), t.threshold(n));
                    if (tq < in.min()) {
                        n = t.right(n);
                    } else if (tq >= in.max()) {
                        n = t.left(n);
                    } else {
                        break;
                    }
                }
                if (e[1] >= 0) {
                    right[e[1]] = g;
                }
                feature[g] = t.feature(n);
                if (t.feature(n) >= 0) {
                    fthr[g] = t.threshold(n);
                    thr[g] = tq;
                    left[g] = g + 1;
                    stack.push(new int[] {t.right(n), g});
                    stack.push(new int[] {t.left(n), -1});
                } else if (voting) {
                    double[] w = leafVotes(t, n, classes);
                    for (int c = 0; c < classes; c++) {
                        votes[row * classes + c] = (int) FixedPoint.roundHalfAwayFromZero(w[c] / voteScale);
                    }
                    value[g] = row++;
                } else {
                    value[g] = regression ? (int) FixedPoint.roundHalfAwayFromZero(t.value(n) / leafScale) : (int) t.value(n);
                }
                g++;
            }
        }
        feature = java.util.Arrays.copyOf(feature, g);
        thr = java.util.Arrays.copyOf(thr, g);
        fthr = java.util.Arrays.copyOf(fthr, g);
        left = java.util.Arrays.copyOf(left, g);
        right = java.util.Arrays.copyOf(right, g);
        value = java.util.Arrays.copyOf(value, g);
        if (votes != null) {
            votes = java.util.Arrays.copyOf(votes, row * classes);
        }
        IntTreeEnsemble m = new IntTreeEnsemble(scheme.name(), model.featureNames(), model.classNames(), in, roots,
                feature, thr, fthr, left, right, value, leafScale, votes, voting ? voteScale : 1);
        m.verifySplits();
        int floatSplits = 0;
        for (DecisionTree t : trees) {
            for (int n = 0; n < t.size(); n++) {
                floatSplits += t.feature(n) >= 0 ? 1 : 0;
            }
        }
        int dropped = floatSplits - m.splits();
        if (dropped > 0) {
            LOG.warn("{} of {} tree splits are constant over the quantized input range and were dropped (report.json "
                    + "droppedSplits)", dropped, floatSplits);
        }
        return m.withDroppedSplits(dropped);
    }

    /**
     * The float threshold a split is quantized against: the model's threshold {@code t}, moved by less than one
     * input step when rounding would carry a calibration value across it. With {@code lo} the largest calibration
     * value {@code <= t} and {@code hi} the smallest {@code > t} (the gap the split separates), the integer
     * threshold must satisfy {@code quantize(lo) <= T < quantize(hi)} so both values, and hence every calibration
     * value, decide after rounding as the float model decides them raw. When the plain mapping of {@code t}
     * breaks that (Tribuo puts thresholds one ulp below common data values: room occupancy's S1_Temp split at
     * 25.689999999999998 sent a reading of 25.69 left once rounded to the int32 grid), {@code T} is clamped into
     * that interval and the returned threshold is the value closest to {@code t} in
     * {@code [dequantize(T), dequantize(T + 1))} within the gap {@code [lo, hi)}, so the split proof holds for it
     * and it decides every calibration row as {@code t} does. Unchanged when the split has calibration values on
     * one side only, or when {@code lo} and {@code hi} round to one integer (int8 steps wider than the gap).
     */
    private static double recentre(InputQuantization in, double[][] sorted, double[][] calib, int f, double t) {
        if (sorted[f] == null) {
            double[] col = new double[calib.length];
            for (int r = 0; r < calib.length; r++) {
                col[r] = calib[r][f];
            }
            java.util.Arrays.sort(col);
            sorted[f] = col;
        }
        double[] col = sorted[f];
        // First index with col[k] > t.
        int a = 0;
        int b = col.length;
        while (a < b) {
            int mid = (a + b) >>> 1;
            if (col[mid] > t) {
                b = mid;
            } else {
                a = mid + 1;
            }
        }
        if (a == 0 || a == col.length) {
            return t;
        }
        double lo = col[a - 1];
        double hi = col[a];
        long qLo = in.quantize(f, lo);
        long qHi = in.quantize(f, hi);
        long plain = integerThreshold(in, f, t);
        if (qLo >= qHi || (plain >= qLo && plain < qHi)) {
            return t;
        }
        long target = Math.max(qLo, Math.min(qHi - 1, plain));
        double from = Math.max(lo, in.dequantize(f, (int) target));
        double to = Math.min(hi, in.dequantize(f, (int) (target + 1)));
        if (!(from < to)) {
            return t;
        }
        double moved = t < from ? from : Math.nextDown(to);
        return integerThreshold(in, f, moved) == target ? moved : t;
    }

    /**
     * The float model an integer tree ensemble is proved against: {@code model} with every split threshold as
     * {@link #quantize} stores it ({@code floatThreshold} in the model format), moved by less than one input step
     * when rounding would carry a calibration value across it (see the class documentation). The integer trees
     * decide every quantized input as this model decides the value the input stands for; this model decides every
     * calibration row as {@code model} does (checked here).
     *
     * @param model       the float trees
     * @param in          the input quantization
     * @param calibration the calibration rows
     * @return the trees with aligned thresholds (same nodes, leaves and votes)
     * @throws IllegalStateException when an aligned tree would decide a calibration row differently (a bug)
     */
    public static TreeEnsembleModel alignThresholds(TreeEnsembleModel model, InputQuantization in,
            double[][] calibration) {
        double[][] sorted = new double[model.inputSize()][];
        List<DecisionTree> aligned = new ArrayList<>();
        for (DecisionTree t : model.trees()) {
            int size = t.size();
            int[] feature = new int[size];
            double[] threshold = new double[size];
            int[] left = new int[size];
            int[] right = new int[size];
            double[] value = new double[size];
            double[][] votes = t.hasVotes() ? new double[size][] : null;
            for (int n = 0; n < size; n++) {
                feature[n] = t.feature(n);
                left[n] = t.left(n);
                right[n] = t.right(n);
                if (feature[n] >= 0) {
                    threshold[n] = recentre(in, sorted, calibration, feature[n], t.threshold(n));
                } else {
                    value[n] = t.value(n);
                    if (votes != null) {
                        votes[n] = t.votes(n);
                    }
                }
            }
            DecisionTree a = new DecisionTree(feature, threshold, left, right, value, votes);
            for (double[] row : calibration) {
                if (a.leaf(row) != t.leaf(row)) {
                    throw new IllegalStateException("An aligned threshold decides calibration row "
                            + java.util.Arrays.toString(row) + " unlike the model");
                }
            }
            aligned.add(a);
        }
        return new TreeEnsembleModel(model.featureNames(), model.classNames(), aligned);
    }

    /** A leaf's class votes: its vote vector, or one vote for its class. */
    private static double[] leafVotes(DecisionTree t, int n, int classes) {
        if (t.hasVotes()) {
            return t.votes(n);
        }
        double[] w = new double[classes];
        w[(int) t.value(n)] = 1;
        return w;
    }

    /**
     * The largest integer {@code T} in [min - 1, max] with {@code dequantize(T) <= t} (T = min - 1 when no valid
     * input is {@code <= t}).
     *
     * @param in the input quantization
     * @param f  the feature
     * @param t  the float threshold
     * @return the integer threshold
     */
    public static long integerThreshold(InputQuantization in, int f, double t) {
        double c = Math.floor(t / in.scale(f)) + in.zeroPoint(f);
        long cand = (long) Math.max(in.min() - 1.0, Math.min(in.max(), c));
        while (cand >= in.min() && in.dequantize(f, (int) cand) > t) {
            cand--;
        }
        while (cand < in.max() && in.dequantize(f, (int) (cand + 1)) <= t) {
            cand++;
        }
        return cand;
    }
}
