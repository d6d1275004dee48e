package io.edgeloop.labeling.active;

import io.edgeloop.labeling.train.FeatureTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Picks a diverse batch rather than the top-n near-duplicates: from the {@code poolFactor x batch} most
 * informative candidates, it greedily adds the one with the largest {@code score x distance to the nearest row
 * already chosen} (standardised feature space), starting from the most informative. Deterministic: ties go to the
 * lower row index.
 *
 * <p>Thread-safe: immutable.
 */
public final class BatchSelector {
    /** The pool factor the examples and the CLI use: 5 candidates per batch slot. */
    public static final int DEFAULT_POOL_FACTOR = 5;
    private final int poolFactor;

    /**
     * @param poolFactor how many candidates per batch slot to consider, at least 1
     */
    public BatchSelector(int poolFactor) {
        if (poolFactor < 1) {
            throw new IllegalArgumentException("poolFactor must be >= 1, got " + poolFactor);
        }
        this.poolFactor = poolFactor;
    }

    /**
     * @param scores   informativeness per row
     * @param features features per row (for distances)
     * @param exclude  rows not to ask (already answered or skipped)
     * @param batch    how many rows to pick
     * @return the chosen rows, in choice order
     */
    public List<Integer> select(double[] scores, FeatureTable features, Set<Integer> exclude, int batch) {
        int n = scores.length;
        Integer[] order = IntStream.range(0, n).filter(i -> !exclude.contains(i) && features.complete(i)).boxed()
                .toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i));
        int pool = Math.min(order.length, batch * poolFactor);
        if (pool == 0) {
            return List.of();
        }
        int d = features.names().size();
        double[] mean = new double[d];
        double[] sd = new double[d];
        for (int p = 0; p < pool; p++) {
            double[] r = features.row(order[p]);
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / pool;
            }
        }
        for (int p = 0; p < pool; p++) {
            double[] r = features.row(order[p]);
            for (int j = 0; j < d; j++) {
                sd[j] += (r[j] - mean[j]) * (r[j] - mean[j]) / pool;
            }
        }
        double[][] z = new double[pool][d];
        for (int p = 0; p < pool; p++) {
            double[] r = features.row(order[p]);
            for (int j = 0; j < d; j++) {
                z[p][j] = sd[j] > 0 ? (r[j] - mean[j]) / Math.sqrt(sd[j]) : 0;
            }
        }
        List<Integer> chosen = new ArrayList<>();
        double[] nearest = new double[pool];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        boolean[] taken = new boolean[pool];
        int pick = 0;
        while (chosen.size() < Math.min(batch, pool)) {
            taken[pick] = true;
            chosen.add(order[pick]);
            for (int p = 0; p < pool; p++) {
                double dist = 0;
                for (int j = 0; j < d; j++) {
                    double x = z[p][j] - z[pick][j];
                    dist += x * x;
                }
                nearest[p] = Math.min(nearest[p], Math.sqrt(dist));
            }
            int next = -1;
            double best = -1;
            for (int p = 0; p < pool; p++) {
                if (!taken[p]) {
                    double v = (scores[order[p]] + 1e-12) * nearest[p];
                    if (v > best) {
                        best = v;
                        next = p;
                    }
                }
            }
            if (next < 0) {
                break;
            }
            pick = next;
        }
        return chosen;
    }
}
