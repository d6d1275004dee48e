package io.edgeloop.quantize.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Integer decision trees in flat arrays: node {@code n} splits when {@code feature[n] >= 0}, going to
 * {@code right[n]} when {@code input[feature[n]] > threshold[n]} and to {@code left[n]} otherwise; a leaf holds
 * {@code value[n]}. Classification: each tree adds one vote to class {@code value[leaf]}; the outputs are the
 * votes. With vote vectors ({@link #hasVotes()}), {@code value[leaf]} is a row of {@code votes} instead and each
 * tree adds {@code votes[value[leaf] * classes + c]} to output {@code c} (int16 weights; one unit is
 * {@link #voteScale()}). Regression: the output is the sum of the leaf values ({@link #dequantizeOutput} divides by the number
 * of trees).
 *
 * <p>Thresholds are integers in the quantized input domain. The split proof: for every integer input {@code q}
 * of the valid range, {@code q > threshold[n]} exactly when the float model's split
 * {@code dequantize(q) > floatThreshold[n]} holds; {@link #verifySplits()} re-checks it at load time.
 *
 * <p>Thread-safe: immutable.
 */
public final class IntTreeEnsemble implements IntModel {
    private final String scheme;
    private final List<String> featureNames;
    private final List<String> classNames;
    private final InputQuantization input;
    private final int[] roots;
    private final int[] feature;
    private final long[] threshold;
    private final double[] floatThreshold;
    private final int[] left;
    private final int[] right;
    private final int[] value;
    private final double leafScale;
    private final int[] votes;
    private final double voteScale;
    private final int droppedSplits;
    private final InputScaleFit inputScaleFit;

    /**
     * @param scheme         scheme name
     * @param featureNames   feature names, non-empty and distinct
     * @param classNames     class names (non-empty and distinct), empty for regression
     * @param input          input quantization
     * @param roots          root node of each tree
     * @param feature        per node split feature or -1
     * @param threshold      per node integer threshold
     * @param floatThreshold per node float threshold (for the proof)
     * @param left           per node {@code <=} child
     * @param right          per node {@code >} child
     * @param value          per node leaf value (class index or quantized leaf value)
     * @param leafScale      the real value of one leaf step (1 for classification)
     */
    public IntTreeEnsemble(String scheme, List<String> featureNames, List<String> classNames, InputQuantization input,
            int[] roots, int[] feature, long[] threshold, double[] floatThreshold, int[] left, int[] right, int[] value,
            double leafScale) {
        this(scheme, featureNames, classNames, input, roots, feature, threshold, floatThreshold, left, right, value,
                leafScale, null, 1);
    }

    /**
     * A classifier whose leaves add vote vectors.
     *
     * @param scheme         scheme name
     * @param featureNames   feature names, non-empty and distinct
     * @param classNames     class names (non-empty and distinct), empty for regression
     * @param input          input quantization
     * @param roots          root node of each tree
     * @param feature        per node split feature or -1
     * @param threshold      per node integer threshold
     * @param floatThreshold per node float threshold (for the proof)
     * @param left           per node {@code <=} child
     * @param right          per node {@code >} child
     * @param value          per node leaf value: the leaf's row of {@code votes} when votes are given
     * @param leafScale      the real value of one leaf step (1 for classification)
     * @param votes          rows of {@code classes} int16 vote weights, or {@code null} for one-class leaves
     * @param voteScale      the real value of one vote unit (1 without votes)
     */
    public IntTreeEnsemble(String scheme, List<String> featureNames, List<String> classNames, InputQuantization input,
            int[] roots, int[] feature, long[] threshold, double[] floatThreshold, int[] left, int[] right, int[] value,
            double leafScale, int[] votes, double voteScale) {
        this(scheme, featureNames, classNames, input, roots, feature, threshold, floatThreshold, left, right, value,
                leafScale, votes, voteScale, -1, null);
    }

    private IntTreeEnsemble(String scheme, List<String> featureNames, List<String> classNames, InputQuantization input,
            int[] roots, int[] feature, long[] threshold, double[] floatThreshold, int[] left, int[] right, int[] value,
            double leafScale, int[] votes, double voteScale, int droppedSplits, InputScaleFit inputScaleFit) {
        this.droppedSplits = droppedSplits;
        this.inputScaleFit = inputScaleFit;
        this.votes = votes == null ? null : votes.clone();
        this.voteScale = voteScale;
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        this.featureNames = List.copyOf(featureNames);
        this.classNames = List.copyOf(classNames);
        io.edgeloop.quantize.ir.DistinctNames.require(this.featureNames, "feature name");
        io.edgeloop.quantize.ir.DistinctNames.require(this.classNames, "class name");
        this.input = Objects.requireNonNull(input, "input");
        this.roots = roots.clone();
        this.feature = feature.clone();
        this.threshold = threshold.clone();
        this.floatThreshold = floatThreshold.clone();
        this.left = left.clone();
        this.right = right.clone();
        this.value = value.clone();
        this.leafScale = leafScale;
        int n = feature.length;
        if (input.size() > Short.MAX_VALUE) {
            throw new IllegalArgumentException("input size " + input.size() + " exceeds the generated C's int16 feature "
                    + "indices (at most " + Short.MAX_VALUE + " features)");
        }
        if (classNames.size() > 65535) {
            throw new IllegalArgumentException(classNames.size() + " classes exceed the generated C's uint16 class "
                    + "indices (at most 65535)");
        }
        if (roots.length == 0 || threshold.length != n || floatThreshold.length != n || left.length != n
                || right.length != n || value.length != n) {
            throw new IllegalArgumentException("Tree arrays must have equal lengths and at least one root");
        }
        for (int r : roots) {
            if (r < 0 || r >= n) {
                throw new IllegalArgumentException("Root " + r + " is outside [0, " + n + ")");
            }
        }
        for (int i = 0; i < n; i++) {
            if (feature[i] >= input.size()) {
                throw new IllegalArgumentException("Node " + i + " splits on feature " + feature[i] + " of " + input.size());
            }
            if (feature[i] >= 0 && (left[i] <= i || right[i] <= i || left[i] >= n || right[i] >= n)) {
                throw new IllegalArgumentException("Node " + i + " has children " + left[i] + "/" + right[i]
                        + "; children must follow their parent");
            }
            if (feature[i] < 0 && votes != null) {
                if (value[i] < 0 || (long) (value[i] + 1) * classNames.size() > votes.length) {
                    throw new IllegalArgumentException("Leaf " + i + " points at vote row " + value[i] + " of "
                            + votes.length / Math.max(1, classNames.size()));
                }
            } else if (feature[i] < 0 && !classNames.isEmpty() && (value[i] < 0 || value[i] >= classNames.size())) {
                throw new IllegalArgumentException("Leaf " + i + " votes for class " + value[i] + " of "
                        + classNames.size());
            }
        }
        if (classNames.isEmpty()) {
            // Regression sums one leaf per tree in int32 (on the device too): prove no sum can overflow.
            long maxLeaf = 0;
            for (int i = 0; i < n; i++) {
                if (feature[i] < 0) {
                    maxLeaf = Math.max(maxLeaf, Math.abs((long) value[i]));
                }
            }
            if (maxLeaf * roots.length > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(roots.length + " trees of leaf values up to " + maxLeaf
                        + " can overflow the int32 regression sum (trees x max |leaf| must be <= 2^31 - 1)");
            }
        }
        if (!(leafScale > 0)) {
            throw new IllegalArgumentException("leafScale must be positive, got " + leafScale);
        }
        if (votes != null) {
            if (classNames.isEmpty() || votes.length == 0 || votes.length % classNames.size() != 0) {
                throw new IllegalArgumentException("Vote vectors need a classifier and rows of " + classNames.size()
                        + " weights, got " + votes.length + " weights");
            }
            long maxAbs = 0;
            for (int v : votes) {
                if (v < Short.MIN_VALUE + 1 || v > Short.MAX_VALUE) {
                    throw new IllegalArgumentException("Vote weight " + v + " does not fit int16 [-32767, 32767]");
                }
                maxAbs = Math.max(maxAbs, Math.abs((long) v));
            }
            if (maxAbs * roots.length > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(roots.length + " trees of votes up to " + maxAbs
                        + " can overflow the int32 class scores");
            }
            if (votes.length / classNames.size() > 65535) {
                throw new IllegalArgumentException("More than 65535 vote rows");
            }
            if (!(voteScale > 0) || Double.isInfinite(voteScale)) {
                throw new IllegalArgumentException("voteScale must be finite and positive, got " + voteScale);
            }
        }
    }

    /** @return whether leaves add vote vectors instead of one vote */
    public boolean hasVotes() {
        return votes != null;
    }

    /**
     * @param row a vote row
     * @param c   a class
     * @return the int16 weight leaf row {@code row} adds to class {@code c}
     * @throws IllegalStateException without vote vectors
     */
    public int vote(int row, int c) {
        if (votes == null) {
            throw new IllegalStateException("The leaves vote for one class each");
        }
        return votes[row * classNames.size() + c];
    }

    /** @return the number of vote rows (0 without vote vectors) */
    public int voteRows() {
        return votes == null ? 0 : votes.length / classNames.size();
    }

    /** @return the real value of one vote unit */
    public double voteScale() {
        return voteScale;
    }

    /**
     * Checks the split proof for every node: {@code dequantize(threshold) <= floatThreshold} (or threshold is
     * below the range) and {@code dequantize(threshold + 1) > floatThreshold} (or threshold + 1 is above it).
     *
     * @throws IllegalArgumentException naming the first node whose integer split differs from the float split
     */
    public void verifySplits() {
        for (int n = 0; n < feature.length; n++) {
            int f = feature[n];
            if (f < 0) {
                continue;
            }
            long t = threshold[n];
            boolean lowOk = t < input.min() || input.dequantize(f, (int) t) <= floatThreshold[n];
            boolean highOk = t >= input.max() || input.dequantize(f, (int) (t + 1)) > floatThreshold[n];
            if (t < input.min() - 1L || t > input.max() || !lowOk || !highOk) {
                throw new IllegalArgumentException("Tree node " + n + ": integer threshold " + t
                        + " does not reproduce the float split x[" + f + "] > " + floatThreshold[n]);
            }
        }
    }

    /**
     * This model recording how many splits of the float model it has no counterpart for (see
     * {@link #droppedSplits()}); the quantizer sets it, {@code report.json} reports it.
     *
     * @param dropped the count, {@code >= 0}
     * @return a copy of this model carrying the count
     */
    public IntTreeEnsemble withDroppedSplits(int dropped) {
        if (dropped < 0) {
            throw new IllegalArgumentException("dropped splits " + dropped + " < 0");
        }
        return new IntTreeEnsemble(scheme, featureNames, classNames, input, roots, feature, threshold, floatThreshold,
                left, right, value, leafScale, votes, voteScale, dropped, inputScaleFit);
    }

    /**
     * What fitting the input scales to the split thresholds achieved on the calibration rows (the quantizer's
     * {@code fitted} tree input scales): counts of (split, calibration row) pairs whose reading lies within about
     * one input step of the split's threshold, the only pairs an input cell can decide unlike the float model.
     *
     * <p>Thread-safe: immutable.
     *
     * @param pairs                    the pairs judged
     * @param decidedAsFloatCalibrated of those, the pairs the calibrated scales decided as the float model does
     * @param decidedAsFloatFitted     of those, the pairs the fitted scales decide as the float model does
     * @param featuresFitted           features whose candidate scales were scanned
     * @param featuresKeptForBudget    features with pairs that kept the calibrated scale because the model's work
     *                                 bound left them no candidate
     */
    public record InputScaleFit(long pairs, long decidedAsFloatCalibrated, long decidedAsFloatFitted,
            int featuresFitted, int featuresKeptForBudget) {
    }

    /**
     * This model recording what its fitted input scales achieved ({@link #inputScaleFit()}); the quantizer sets it,
     * {@code report.json} reports it.
     *
     * @param fit the counts
     * @return a copy of this model carrying them
     */
    public IntTreeEnsemble withInputScaleFit(InputScaleFit fit) {
        return new IntTreeEnsemble(scheme, featureNames, classNames, input, roots, feature, threshold, floatThreshold,
                left, right, value, leafScale, votes, voteScale, droppedSplits, Objects.requireNonNull(fit, "fit"));
    }

    /**
     * @return what fitting the input scales achieved, or empty when the scales were not fitted or the model was read
     *         from {@code model.json}
     */
    public java.util.Optional<InputScaleFit> inputScaleFit() {
        return java.util.Optional.ofNullable(inputScaleFit);
    }

    /**
     * Splits of the float model that the integer model does not have: a split whose integer threshold is constant
     * over the whole input range (and the subtree it never takes) is dropped. The quantizer widens each feature's
     * input range to cover every threshold on it, so this is 0 for models it makes with exact thresholds.
     *
     * @return the count, or empty when not known (a model read from {@code model.json})
     */
    public java.util.OptionalInt droppedSplits() {
        return droppedSplits < 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(droppedSplits);
    }

    /** @return number of split nodes over all trees */
    public int splits() {
        int splits = 0;
        for (int f : feature) {
            splits += f >= 0 ? 1 : 0;
        }
        return splits;
    }

    /** @return number of trees */
    public int trees() {
        return roots.length;
    }

    /** @return number of nodes over all trees */
    public int nodes() {
        return feature.length;
    }

    /**
     * @param t tree
     * @return its root node
     */
    public int root(int t) {
        return roots[t];
    }

    /**
     * @param n node
     * @return split feature or -1
     */
    public int feature(int n) {
        return feature[n];
    }

    /**
     * @param n node
     * @return integer threshold
     */
    public long threshold(int n) {
        return threshold[n];
    }

    /**
     * @param n node
     * @return float threshold
     */
    public double floatThreshold(int n) {
        return floatThreshold[n];
    }

    /**
     * @param n node
     * @return left child
     */
    public int left(int n) {
        return left[n];
    }

    /**
     * @param n node
     * @return right child
     */
    public int right(int n) {
        return right[n];
    }

    /**
     * @param n node
     * @return leaf value
     */
    public int value(int n) {
        return value[n];
    }

    /** @return the real value of one leaf step */
    public double leafScale() {
        return leafScale;
    }

    @Override
    public InputQuantization input() {
        return input;
    }

    @Override
    public List<String> featureNames() {
        return featureNames;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public String kind() {
        return "tree-ensemble";
    }

    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public int outputSize() {
        return classNames.isEmpty() ? 1 : classNames.size();
    }

    @Override
    public void predict(int[] in, int[] out) {
        checkInput(in);
        checkOutput(out);
        java.util.Arrays.fill(out, 0);
        for (int r : roots) {
            int n = r;
            while (feature[n] >= 0) {
                n = in[feature[n]] > threshold[n] ? right[n] : left[n];
            }
            if (votes != null) {
                int base = value[n] * out.length;
                for (int c = 0; c < out.length; c++) {
                    out[c] += votes[base + c];
                }
            } else if (classNames.isEmpty()) {
                out[0] += value[n];
            } else {
                out[value[n]]++;
            }
        }
    }

    @Override
    public double dequantizeOutput(int o, int q) {
        return classNames.isEmpty() ? leafScale * q / roots.length : votes != null ? voteScale * q : q;
    }

    @Override
    public int predictClass(int[] in) {
        int[] out = predict(in);
        return io.edgeloop.quantize.ir.FloatModel.argmax(out);
    }

    /**
     * @return bytes per threshold on the device: the input type's width when every threshold fits it (the
     *         quantizer drops splits that are constant over the input range, whose thresholds would not), else
     *         one step wider
     */
    public int thresholdBytes() {
        int inputBytes = input.max() <= Byte.MAX_VALUE ? 1 : input.max() <= Short.MAX_VALUE ? 2 : 4;
        long lo = inputBytes == 1 ? Byte.MIN_VALUE : inputBytes == 2 ? Short.MIN_VALUE : Integer.MIN_VALUE;
        long hi = inputBytes == 1 ? Byte.MAX_VALUE : inputBytes == 2 ? Short.MAX_VALUE : Integer.MAX_VALUE;
        for (int n = 0; n < feature.length; n++) {
            if (feature[n] >= 0 && (threshold[n] < lo || threshold[n] > hi)) {
                return inputBytes * 2;
            }
        }
        return inputBytes;
    }

    /** @return whether every split's left child is the next node (pre-order), so the device needs no left links */
    public boolean implicitLeft() {
        for (int n = 0; n < feature.length; n++) {
            if (feature[n] >= 0 && left[n] != n + 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Bytes of the tree tables on the device: per node the feature index, the threshold ({@link #thresholdBytes()}),
     * the right link, the left link unless {@link #implicitLeft()}, and the value ({@link #valueBytes()}); the roots;
     * the int16 vote vectors.
     *
     * @return parameter bytes
     */
    @Override
    public long parameterBytes() {
        int n = feature.length;
        int featureBytes = input.size() <= 127 ? 1 : 2;
        int links = implicitLeft() ? 1 : 2;
        return (long) n * (featureBytes + thresholdBytes() + 2L * links + valueBytes()) + 2L * roots.length
                + (votes == null ? 0 : 2L * votes.length);
    }

    /** @return bytes of a node's value: an int32 regression leaf, a vote row index, or a class index */
    public int valueBytes() {
        return classNames.isEmpty() ? 4 : votes != null ? 2 : classNames.size() > 255 ? 2 : 1;
    }

    /**
     * The float32 baseline: the same flat layout (implicit left links too) with the same integer types for feature
     * indices, child links, roots and class indices (a float32 C build stores those as integers too), and float32
     * thresholds, regression leaf values and vote weights.
     *
     * @return float32 parameter bytes
     */
    @Override
    public long float32ParameterBytes() {
        int n = feature.length;
        int featureBytes = input.size() <= 127 ? 1 : 2;
        int links = implicitLeft() ? 1 : 2;
        return (long) n * (featureBytes + 4 + 2L * links + valueBytes()) + 2L * roots.length
                + (votes == null ? 0 : 4L * votes.length);
    }

    @Override
    public double parameterRatioFloor() {
        long splits = 0;
        for (int f : feature) {
            splits += f >= 0 ? 1 : 0;
        }
        long leaves = feature.length - splits;
        int featureBytes = input.size() <= 127 ? 1 : 2;
        int inputBytes = input.max() <= Byte.MAX_VALUE ? 1 : input.max() <= Short.MAX_VALUE ? 2 : 4;
        int valueBytes = classNames.isEmpty() ? 4 : votes != null ? 0 : 1;
        long rows = votes == null ? 0 : votes.length;
        long q = splits * (featureBytes + inputBytes) + leaves * valueBytes + 2 * rows;
        long f = splits * (featureBytes + 4L) + leaves * valueBytes + 4 * rows;
        return (double) q / f;
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("roots", roots.clone());
        m.put("feature", feature.clone());
        m.put("threshold", threshold.clone());
        m.put("floatThreshold", floatThreshold.clone());
        m.put("left", left.clone());
        m.put("right", right.clone());
        m.put("value", value.clone());
        m.put("leafScale", leafScale);
        if (votes != null) {
            m.put("votes", votes.clone());
            m.put("voteScale", voteScale);
        }
        return m;
    }
}
