package io.edgeloop.labeling.model;

/**
 * A figure computed from per-class confusion counts, as {@link Scores} reports it (0-100).
 *
 * <p>Thread-safe: immutable constants.
 */
public enum Metric {
    /** Share of rows predicted right. */
    ACCURACY,
    /** F1 of class 1; only defined for two classes. */
    F1_BINARY,
    /** F1 averaged over the classes present in gold or predictions. */
    F1_MACRO;

    /**
     * Computes the figure from confusion counts.
     *
     * @param tp true positives per class
     * @param fp false positives per class
     * @param fn false negatives per class
     * @param n  the number of rows
     * @return the figure in percent
     */
    double of(long[] tp, long[] fp, long[] fn, long n) {
        switch (this) {
            case ACCURACY: {
                long correct = 0;
                for (long t : tp) {
                    correct += t;
                }
                return n == 0 ? 0 : 100.0 * correct / n;
            }
            case F1_BINARY:
                return 100.0 * f1(tp[1], fp[1], fn[1]);
            default: {
                double s = 0;
                int present = 0;
                for (int c = 0; c < tp.length; c++) {
                    if (tp[c] + fp[c] + fn[c] > 0) {
                        s += f1(tp[c], fp[c], fn[c]);
                        present++;
                    }
                }
                return present == 0 ? 0 : 100.0 * s / present;
            }
        }
    }

    /**
     * Computes the figure of hard predictions.
     *
     * @param predicted  predicted class per row
     * @param gold       gold class per row
     * @param numClasses the number of classes
     * @return the figure in percent
     */
    public double of(int[] predicted, int[] gold, int numClasses) {
        Scores s = Scores.of(predicted, gold, numClasses);
        switch (this) {
            case ACCURACY:
                return s.accuracy();
            case F1_BINARY:
                return s.f1Binary();
            default:
                return s.f1Macro();
        }
    }

    private static double f1(long tp, long fp, long fn) {
        long d = 2 * tp + fp + fn;
        return d == 0 ? 0.0 : 2.0 * tp / d;
    }
}
