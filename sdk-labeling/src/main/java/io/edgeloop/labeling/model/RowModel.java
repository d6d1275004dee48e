package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Base for label models that score each row on its own.
 *
 * <p>Thread-safe when subclasses are immutable.
 */
abstract class RowModel implements LabelModel {
    private static final int PARALLEL_ROWS = 50_000;

    private final List<String> lfNames;

    /** @param lfNames the names of the labelling functions fitted on, in column order */
    RowModel(List<String> lfNames) {
        this.lfNames = List.copyOf(lfNames);
    }

    /** @return the names of the labelling functions the model was fitted on, in column order */
    final List<String> lfNames() {
        return lfNames;
    }

    /**
     * Probabilities for one row.
     *
     * @param votes the row's votes
     * @param out   receives the probabilities
     */
    abstract void proba(byte[] votes, double[] out);

    @Override
    public double[][] predictProba(LabelMatrix matrix) {
        checkShape(this, lfNames, matrix);
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
     * Rejects a matrix over other labelling functions (by name, in column order) or another class count than a
     * model was fitted on: a matrix whose columns are the same LFs in another order would otherwise be scored
     * with each LF's vote read as another's.
     *
     * @param model   the model
     * @param lfNames the labelling functions it was fitted on, in column order
     * @param matrix  the matrix to score
     * @throws IllegalArgumentException naming both lists (and the first column that differs) when they differ, or
     *                                  both class counts
     */
    static void checkShape(LabelModel model, List<String> lfNames, LabelMatrix matrix) {
        if (matrix.numClasses() != model.numClasses()) {
            throw new IllegalArgumentException(model.name() + " was fitted on " + model.numClasses()
                    + " classes, the matrix has " + matrix.numClasses());
        }
        List<String> names = matrix.lfNames();
        if (!names.equals(lfNames)) {
            int at = 0;
            while (at < Math.min(names.size(), lfNames.size()) && names.get(at).equals(lfNames.get(at))) {
                at++;
            }
            String first = at < Math.min(names.size(), lfNames.size())
                    ? "column " + at + " is '" + names.get(at) + "', fitted on '" + lfNames.get(at) + "'"
                    : "the matrix has " + names.size() + " columns, fitted on " + lfNames.size();
            throw new IllegalArgumentException(model.name() + " was fitted on labelling functions " + lfNames
                    + ", the matrix has " + names + " (" + first + "); score a matrix with the same LFs in the same "
                    + "order (LabelMatrix.withNames renames columns)");
        }
    }

    /** @return the number of labelling functions the model expects: one per name it was fitted on */
    final int lfs() {
        return lfNames.size();
    }

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
