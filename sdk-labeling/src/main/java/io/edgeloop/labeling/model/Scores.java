package io.edgeloop.labeling.model;

import java.util.Objects;

/**
 * Test figures of hard predictions against gold labels, as percentages (0-100): accuracy, binary F1 (positive
 * class 1; NaN unless there are exactly two classes) and macro F1 (over the classes present in gold or
 * predictions, as scikit-learn does). Rows with unknown gold (-1) are skipped; a prediction of -1 (no label)
 * counts as wrong. With no scored row ({@code n == 0}) every figure is NaN: undefined, not 0.
 *
 * <p>Thread-safe: immutable.
 *
 * @param accuracy accuracy in percent
 * @param f1Binary F1 of class 1 in percent, NaN for more than two classes or no scored row
 * @param f1Macro  macro-averaged F1 in percent
 * @param n        the number of scored rows
 */
public record Scores(double accuracy, double f1Binary, double f1Macro, int n) {
    /**
     * Scores predictions.
     *
     * @param predicted  predicted class per row
     * @param gold       gold class per row, -1 for unknown
     * @param numClasses the number of classes the predictions and gold labels may use: for an end model trained with
     *                   more class names than the label matrix has classes ({@code EndModelTrainer} allows it),
     *                   the number of class names, since such a model may predict the extra classes
     * @return the scores
     * @throws IllegalArgumentException when the arrays differ in length, {@code numClasses < 1}, or a gold label or
     *                                  prediction is neither -1 nor a class in {@code [0, numClasses)} (before
     *                                  2026-12-03 such a prediction silently counted as a miss)
     */
    public static Scores of(int[] predicted, int[] gold, int numClasses) {
        Objects.requireNonNull(predicted, "predicted");
        Objects.requireNonNull(gold, "gold");
        if (predicted.length != gold.length) {
            throw new IllegalArgumentException(predicted.length + " predictions for " + gold.length + " gold labels");
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        }
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] < -1 || gold[i] >= numClasses) {
                throw new IllegalArgumentException("gold label of row " + i + " is " + gold[i] + "; expected -1 "
                        + "(unknown) or a class in [0, " + numClasses + ")");
            }
            if (predicted[i] < -1 || predicted[i] >= numClasses) {
                throw new IllegalArgumentException("prediction of row " + i + " is " + predicted[i] + "; expected -1 "
                        + "(no label) or a class in [0, " + numClasses + ")");
            }
        }
        long[] tp = new long[numClasses];
        long[] fp = new long[numClasses];
        long[] fn = new long[numClasses];
        boolean[] present = new boolean[numClasses];
        int n = 0;
        int correct = 0;
        for (int i = 0; i < gold.length; i++) {
            int g = gold[i];
            if (g < 0) {
                continue;
            }
            int p = predicted[i];
            n++;
            present[g] = true;
            if (p < 0) {
                fn[g]++; // no prediction counts as a miss
                continue;
            }
            present[p] = true;
            if (p == g) {
                correct++;
                tp[g]++;
            } else {
                fp[p]++;
                fn[g]++;
            }
        }
        double macro = 0;
        int classes = 0;
        for (int c = 0; c < numClasses; c++) {
            if (present[c]) {
                macro += f1(tp[c], fp[c], fn[c]);
                classes++;
            }
        }
        double acc = n == 0 ? Double.NaN : 100.0 * correct / n;
        double bin = numClasses == 2 && n > 0 ? 100.0 * f1(tp[1], fp[1], fn[1]) : Double.NaN;
        return new Scores(acc, bin, classes == 0 ? Double.NaN : 100.0 * macro / classes, n);
    }

    private static double f1(long tp, long fp, long fn) {
        long d = 2 * tp + fp + fn;
        return d == 0 ? 0.0 : 2.0 * tp / d;
    }
}
