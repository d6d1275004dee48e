package io.edgeloop.labeling.train;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Training targets for an end model: per row a class (or -1 for "no label"), a weight, and whether the label
 * came from an expert (gold) rather than the label model.
 *
 * <p>Built from label-model probabilities: the class is the most probable one, the weight its probability
 * rescaled so a uniform guess weighs 0 and certainty weighs 1; rows where every LF abstained can be dropped.
 * Expert answers override with weight 1 ({@link #withGold(int, int)}); {@link WeakLabelSet} does both in one call
 * and records the labels' provenance (LF set, label model, answers count and digest), which plain
 * {@code WeakLabels} do not carry.
 *
 * <p>Thread-safe: immutable.
 */
public final class WeakLabels {
    private final int numClasses;
    private final int[] labels;
    private final float[] weights;
    private final boolean[] gold;

    private WeakLabels(int numClasses, int[] labels, float[] weights, boolean[] gold) {
        this.numClasses = numClasses;
        this.labels = labels;
        this.weights = weights;
        this.gold = gold;
    }

    /**
     * Labels from probabilities alone: no row is gold, even where the probabilities are an expert's one-hot answer
     * (as in {@code ActiveLearner.Result.probabilities()}); pass the answers to {@link WeakLabelSet} (or
     * {@link #withGold(int, int)}) so they count as gold.
     *
     * @param probs    label-model probabilities per row
     * @param covered  per row, whether any LF voted (rows not covered get no label), or null to keep all rows
     * @param minWeight rows whose confidence weight falls below this get no label, in [0, 1)
     * @return weak labels
     */
    public static WeakLabels fromProbabilities(double[][] probs, boolean[] covered, double minWeight) {
        Objects.requireNonNull(probs, "probs");
        int n = probs.length;
        int k = n == 0 ? 2 : probs[0].length;
        int[] y = new int[n];
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            int best = io.edgeloop.labeling.model.Predictions.argmax(probs[i], i);
            double conf = (probs[i][best] - 1.0 / k) / (1 - 1.0 / k);
            if ((covered != null && !covered[i]) || conf < minWeight || conf <= 0) {
                y[i] = -1;
                w[i] = 0;
            } else {
                y[i] = best;
                w[i] = (float) conf;
            }
        }
        return new WeakLabels(k, y, w, new boolean[n]);
    }

    /**
     * @param row   the row
     * @param label the expert's class
     * @return a copy with the row labelled as gold, weight 1
     */
    public WeakLabels withGold(int row, int label) {
        if (label < 0 || label >= numClasses) {
            throw new IllegalArgumentException("gold label " + label + " outside [0, " + numClasses + ")");
        }
        int[] y = labels.clone();
        float[] w = weights.clone();
        boolean[] g = gold.clone();
        y[row] = label;
        w[row] = 1f;
        g[row] = true;
        return new WeakLabels(numClasses, y, w, g);
    }

    /**
     * All answers at once: one copy of the arrays, where calling {@link #withGold(int, int)} per answer copies them
     * per answer (quadratic: 10 s for 10,000 answers on 1M rows).
     *
     * @param answers the expert's class by row
     * @return a copy with every answered row labelled as gold, weight 1
     * @throws IllegalArgumentException when an answer's row or class is out of range
     */
    public WeakLabels withGold(Map<Integer, Integer> answers) {
        Objects.requireNonNull(answers, "answers");
        int[] y = labels.clone();
        float[] w = weights.clone();
        boolean[] g = gold.clone();
        for (Map.Entry<Integer, Integer> a : answers.entrySet()) {
            int row = a.getKey();
            int label = a.getValue();
            if (row < 0 || row >= y.length) {
                throw new IllegalArgumentException("gold row " + row + " outside [0, " + y.length + ")");
            }
            if (label < 0 || label >= numClasses) {
                throw new IllegalArgumentException("gold label " + label + " for row " + row + " outside [0, "
                        + numClasses + ")");
            }
            y[row] = label;
            w[row] = 1f;
            g[row] = true;
        }
        return new WeakLabels(numClasses, y, w, g);
    }

    /**
     * A copy where rows without a label take the given label and weight (self-training); labelled and gold rows
     * are kept.
     *
     * @param y per row a class or -1
     * @param w per row a weight
     * @return the new labels
     */
    WeakLabels adopt(int[] y, float[] w) {
        int[] ny = labels.clone();
        float[] nw = weights.clone();
        for (int i = 0; i < ny.length; i++) {
            if (ny[i] < 0 && y[i] >= 0) {
                ny[i] = y[i];
                nw[i] = w[i];
            }
        }
        return new WeakLabels(numClasses, ny, nw, gold.clone());
    }

    /** @return the number of rows */
    public int size() {
        return labels.length;
    }

    /** @return the number of classes */
    public int numClasses() {
        return numClasses;
    }

    /**
     * @param row the row
     * @return its class, -1 for none
     */
    public int label(int row) {
        return labels[row];
    }

    /**
     * @param row the row
     * @return its weight in [0, 1]
     */
    public float weight(int row) {
        return weights[row];
    }

    /**
     * @param row the row
     * @return true when the label came from an expert
     */
    public boolean isGold(int row) {
        return gold[row];
    }

    /** @return the number of labelled rows */
    public long labelled() {
        return Arrays.stream(labels).filter(l -> l >= 0).count();
    }

    /** @return the number of gold rows */
    public long goldCount() {
        int c = 0;
        for (boolean b : gold) {
            c += b ? 1 : 0;
        }
        return c;
    }
}
