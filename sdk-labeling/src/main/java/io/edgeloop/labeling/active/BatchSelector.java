package io.edgeloop.labeling.active;

import io.edgeloop.labeling.train.FeatureTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Picks a diverse batch rather than the top-n near-duplicates. Candidates (rows not excluded, with complete
 * features) are taken in order of score; rows whose feature vector equals one already taken are set aside, so the
 * pool holds {@code poolFactor x batch} rows with distinct feature vectors, reaching as far down the ranking as it
 * must (or every distinct candidate when there are fewer). From that pool it greedily adds the row with the
 * largest {@code score x distance to the nearest row already chosen} (standardised feature space), starting from
 * the most informative, so no two rows of a batch share a feature vector while distinct candidates remain. Only
 * when the candidates hold fewer distinct vectors than the batch is the rest filled with the set-aside rows, in
 * score order. Rows chosen in earlier batches can be passed in, so their vectors count as taken too. Deterministic:
 * ties go to the lower row index.
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
     * @param features features per row (for distances and to recognise identical rows)
     * @param exclude  rows not to ask (already answered or skipped)
     * @param batch    how many rows to pick (0 or less picks none)
     * @return the chosen rows, in choice order
     */
    public List<Integer> select(double[] scores, FeatureTable features, Set<Integer> exclude, int batch) {
        return select(scores, features, exclude, List.of(), batch);
    }

    /**
     * As {@link #select(double[], FeatureTable, Set, int)}, treating the feature vectors of {@code chosenBefore}
     * (rows chosen in earlier batches whose answers have not changed the scores, such as a run's unanswered queue
     * questions) as taken: a row sharing one is picked only when no candidate with a new vector remains.
     *
     * @param scores       informativeness per row
     * @param features     features per row (for distances and to recognise identical rows)
     * @param exclude      rows not to ask (already answered or skipped)
     * @param chosenBefore rows whose feature vectors count as already chosen
     * @param batch        how many rows to pick (0 or less picks none)
     * @return the chosen rows, in choice order
     */
    public List<Integer> select(double[] scores, FeatureTable features, Set<Integer> exclude,
            Collection<Integer> chosenBefore, int batch) {
        int n = scores.length;
        Integer[] order = IntStream.range(0, n).filter(i -> !exclude.contains(i) && features.complete(i)).boxed()
                .toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i));
        // long: a huge batch times the pool factor must not wrap around to a negative pool.
        long wanted = Math.min(order.length, Math.max(0, (long) batch) * poolFactor);
        List<Integer> distinct = new ArrayList<>();
        List<Integer> setAside = new ArrayList<>();
        Set<Vector> seen = new HashSet<>();
        for (int row : chosenBefore) {
            seen.add(new Vector(features.row(row)));
        }
        for (int p = 0; p < order.length && distinct.size() < wanted; p++) {
            (seen.add(new Vector(features.row(order[p]))) ? distinct : setAside).add(order[p]);
        }
        int pool = distinct.size();
        if (pool == 0) {
            // Every candidate repeats a vector already chosen (a queue's pending questions): repeat, best scores
            // first, rather than return an empty batch, which a caller reads as "nothing left to ask".
            return List.copyOf(setAside.subList(0, Math.min(setAside.size(), Math.max(0, batch))));
        }
        int d = features.names().size();
        double[] mean = new double[d];
        double[] sd = new double[d];
        for (int p = 0; p < pool; p++) {
            double[] r = features.row(distinct.get(p));
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / pool;
            }
        }
        for (int p = 0; p < pool; p++) {
            double[] r = features.row(distinct.get(p));
            for (int j = 0; j < d; j++) {
                sd[j] += (r[j] - mean[j]) * (r[j] - mean[j]) / pool;
            }
        }
        double[][] z = new double[pool][d];
        for (int p = 0; p < pool; p++) {
            double[] r = features.row(distinct.get(p));
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
            chosen.add(distinct.get(pick));
            for (int p = 0; p < pool; p++) {
                double dist = 0;
                for (int j = 0; j < d; j++) {
                    double x = z[p][j] - z[pick][j];
                    dist += x * x;
                }
                nearest[p] = Math.min(nearest[p], Math.sqrt(dist));
            }
            int next = -1;
            double best = Double.NEGATIVE_INFINITY;
            for (int p = 0; p < pool; p++) {
                if (!taken[p]) {
                    double v = (scores[distinct.get(p)] + 1e-12) * nearest[p];
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
        // Fewer distinct candidates than the batch: only then repeat a feature vector, best scores first.
        for (int p = 0; p < setAside.size() && chosen.size() < batch; p++) {
            chosen.add(setAside.get(p));
        }
        return chosen;
    }

    /** A feature vector compared by value (-0.0 counts as 0.0), to recognise identical rows. */
    private static final class Vector {
        private final double[] v;
        private final int hash;

        Vector(double[] v) {
            for (int j = 0; j < v.length; j++) {
                v[j] += 0.0;
            }
            this.v = v;
            this.hash = Arrays.hashCode(v);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Vector && Arrays.equals(v, ((Vector) o).v);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
