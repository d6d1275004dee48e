package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.stream.IntStream;

/**
 * Base for label models that score each row on its own.
 *
 * <p>Thread-safe when subclasses are immutable.
 */
abstract class RowModel implements LabelModel {
    private static final int PARALLEL_ROWS = 50_000;

    /**
     * Probabilities for one row.
     *
     * @param votes the row's votes
     * @param out   receives the probabilities
     */
    abstract void proba(byte[] votes, double[] out);

    @Override
    public double[][] predictProba(LabelMatrix matrix) {
        checkShape(this, lfs(), matrix);
        int n = matrix.rows();
        double[][] out = new double[n][numClasses()];
        IntStream range = IntStream.range(0, (n + 4095) / 4096);
        (n >= PARALLEL_ROWS ? range.parallel() : range).forEach(chunk -> {
            byte[] row = new byte[matrix.lfs()];
            for (int i = chunk * 4096, end = Math.min(n, i + 4096); i < end; i++) {
                matrix.row(i, row);
                proba(row, out[i]);
            }
        });
        return out;
    }

    /**
     * Rejects a matrix over other labelling functions or classes than a model was fitted on.
     *
     * @param model the model
     * @param lfs   the number of labelling functions it was fitted on
     * @param matrix the matrix to score
     * @throws IllegalArgumentException when the shapes differ
     */
    static void checkShape(LabelModel model, int lfs, LabelMatrix matrix) {
        if (matrix.lfs() != lfs || matrix.numClasses() != model.numClasses()) {
            throw new IllegalArgumentException(model.name() + " was fitted on " + lfs + " labelling functions and "
                    + model.numClasses() + " classes, the matrix has " + matrix.lfs() + " and " + matrix.numClasses());
        }
    }

    /** @return the number of labelling functions the model expects */
    abstract int lfs();

    static void normalise(double[] p) {
        double s = 0;
        for (double x : p) {
            s += x;
        }
        if (s > 0 && Double.isFinite(s)) {
            for (int c = 0; c < p.length; c++) {
                p[c] /= s;
            }
        } else {
            java.util.Arrays.fill(p, 1.0 / p.length);
        }
    }

    /** Normalises log-scores into probabilities; all -infinity gives the uniform distribution. */
    static void softmaxInPlace(double[] logp) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : logp) {
            max = Math.max(max, x);
        }
        if (max == Double.NEGATIVE_INFINITY || Double.isNaN(max)) {
            java.util.Arrays.fill(logp, 1.0 / logp.length);
            return;
        }
        double s = 0;
        for (int c = 0; c < logp.length; c++) {
            logp[c] = Math.exp(logp[c] - max);
            s += logp[c];
        }
        for (int c = 0; c < logp.length; c++) {
            logp[c] /= s;
        }
    }
}
