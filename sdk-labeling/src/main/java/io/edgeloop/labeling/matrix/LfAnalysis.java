package io.edgeloop.labeling.matrix;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Computes {@link LfStats} for every labelling function of a matrix in one pass.
 *
 * <p>Thread-safe: static methods only.
 */
public final class LfAnalysis {
    private LfAnalysis() {
    }

    /**
     * Analyses a matrix without gold labels.
     *
     * @param matrix the votes
     * @return one entry per LF, in column order
     */
    public static List<LfStats> of(LabelMatrix matrix) {
        int[] none = new int[matrix.rows()];
        java.util.Arrays.fill(none, -1);
        return of(matrix, none);
    }

    /**
     * Analyses a matrix with gold labels.
     *
     * @param matrix the votes
     * @param gold   gold label per row, -1 where unknown
     * @return one entry per LF, in column order
     * @throws IllegalArgumentException when the gold labels are not one per row, each -1 or a class
     */
    public static List<LfStats> of(LabelMatrix matrix, int[] gold) {
        Objects.requireNonNull(matrix, "matrix");
        Objects.requireNonNull(gold, "gold");
        if (gold.length != matrix.rows()) {
            throw new IllegalArgumentException(gold.length + " gold labels for " + matrix.rows() + " rows");
        }
        int m = matrix.lfs();
        int k = matrix.numClasses();
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] < -1 || gold[i] >= k) {
                // A label >= k was counted as a wrong vote of every LF that fired on the row.
                throw new IllegalArgumentException("gold label " + gold[i] + " for row " + i + " is not a class in [0, "
                        + k + ") nor -1 (unknown)");
            }
        }
        long[] votes = new long[m];
        long[] overlap = new long[m];
        long[] conflict = new long[m];
        long[] right = new long[m];
        long[] withGold = new long[m];
        boolean[][] pol = new boolean[m][k];
        byte[] row = new byte[m];
        int[] perClass = new int[k];
        for (int i = 0; i < matrix.rows(); i++) {
            matrix.row(i, row);
            java.util.Arrays.fill(perClass, 0);
            int voters = 0;
            for (int j = 0; j < m; j++) {
                if (row[j] >= 0) {
                    perClass[row[j]]++;
                    voters++;
                }
            }
            for (int j = 0; j < m; j++) {
                int v = row[j];
                if (v < 0) {
                    continue;
                }
                votes[j]++;
                pol[j][v] = true;
                if (voters > 1) {
                    overlap[j]++;
                }
                if (voters > perClass[v]) {
                    conflict[j]++;
                }
                if (gold[i] >= 0) {
                    withGold[j]++;
                    if (gold[i] == v) {
                        right[j]++;
                    }
                }
            }
        }
        double n = Math.max(1, matrix.rows());
        List<LfStats> out = new ArrayList<>(m);
        for (int j = 0; j < m; j++) {
            List<Integer> p = new ArrayList<>();
            for (int c = 0; c < k; c++) {
                if (pol[j][c]) {
                    p.add(c);
                }
            }
            out.add(new LfStats(matrix.lfNames().get(j), votes[j], votes[j] / n, overlap[j] / n, conflict[j] / n, p,
                    withGold[j] == 0 ? Double.NaN : (double) right[j] / withGold[j], withGold[j]));
        }
        return out;
    }
}
