package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.VoteCounts;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Snorkel's own label-model fit (Ratner et al. 2019; snorkel 0.9 {@code LabelModel}), by matrix completion on the
 * LF agreement matrix rather than EM: with one-hot votes {@code X} (n x mk, abstain all-zero) and
 * {@code O = X'X / n}, it learns {@code mu[(lf, vote), class] = P(lf = vote | Y = class)} by minimising
 * {@code ||mask * (O - mu P mu')||^2 + ||rowsum(mu P) - diag(O)||^2}, where {@code P = diag(class balance)} and the
 * mask drops each LF's own block. As in Snorkel: {@code mu} starts at
 * {@code P(lf = y) * prec_init / p_y} on its "right vote" entries (0 elsewhere) times a seeded random factor, then
 * {@value #EPOCHS} full-batch SGD steps (learning rate {@value #LEARNING_RATE}, momentum {@value #MOMENTUM}); it
 * is clamped to {@code [mu_eps, 1 - mu_eps]} with {@code mu_eps = min(0.01, 10^-ceil(log10 n))}; columns of
 * classes with equal balance are permuted to maximise the summed diagonals (label-switching symmetry); and
 * {@code P(y | votes) ∝ p_y ∏_{lf voted} mu[(lf, vote), y]} with {@code mu} clipped to [0.01, 0.99]. The class
 * balance is the validation prior when known (as WRENCH passes it), else uniform (Snorkel's default).
 *
 * <p>{@code O} is built from {@link VoteCounts}, so per-device counts merge. Expert answers are not used (Snorkel's
 * objective has no place for them; the EM-fitted {@link SnorkelStyleModel} uses them). Not used by {@code auto},
 * whose held-out evaluation predates it. Thread-safe: immutable once fitted.
 */
public final class SnorkelMatrixCompletion extends RowModel {
    /** Snorkel's {@code prec_init}. */
    public static final double PREC_INIT = 0.7;
    /** Snorkel's default number of epochs (full-batch steps). */
    public static final int EPOCHS = 100;
    /** Snorkel's default learning rate. */
    public static final double LEARNING_RATE = 0.01;
    /** Momentum of Snorkel's default SGD optimizer. */
    public static final double MOMENTUM = 0.9;
    private static final int MAX_ASSIGNMENT_DP = 16;

    private final int lfs;
    private final int k;
    private final double[] logPrior;
    /** log of mu clipped to [0.01, 0.99], at [(j * k + vote) * k + y]. */
    private final double[] logMu;
    private final double finalLoss;

    private SnorkelMatrixCompletion(List<String> lfNames, int k, double[] logPrior, double[] logMu, double finalLoss) {
        super(lfNames);
        this.lfs = lfNames.size();
        this.k = k;
        this.logPrior = logPrior;
        this.logMu = logMu;
        this.finalLoss = finalLoss;
    }

    /**
     * Fits the model.
     *
     * @param data training counts, optionally a class prior (from a validation split), and the seed
     * @return the fitted model
     * @throws IllegalArgumentException when there are no unlabelled training rows (every row answered)
     */
    public static SnorkelMatrixCompletion fit(FitData data) {
        VoteCounts vc = data.counts();
        if (vc.total() == 0) {
            throw new IllegalArgumentException("snorkel-mc learns from unlabelled training rows and does not use "
                    + "expert answers; every training row is answered: use ds, snorkel or mv");
        }
        int k = vc.numClasses();
        int m = vc.lfs();
        int d = m * k;
        double[] p = new double[k];
        if (data.classPrior().isPresent() && !data.priorFromAnswers()) {
            double[] prior = data.classPrior().get();
            double s = Arrays.stream(prior).sum();
            for (int c = 0; c < k; c++) {
                p[c] = prior[c] / s;
            }
        } else {
            Arrays.fill(p, 1.0 / k);
        }
        double[] o = agreement(vc, d);
        double[] mu = new double[d * k];
        double scale = new Random(data.seed()).nextDouble();
        for (int j = 0; j < m; j++) {
            for (int y = 0; y < k; y++) {
                int a = j * k + y;
                mu[a * k + y] = Math.min(1, Math.max(0, o[a * d + a] * PREC_INIT / p[y])) * scale;
            }
        }
        double[] velocity = new double[d * k];
        double[] grad = new double[d * k];
        double loss = 0;
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            loss = gradient(o, mu, p, m, k, grad);
            for (int i = 0; i < mu.length; i++) {
                velocity[i] = MOMENTUM * velocity[i] + grad[i];
                mu[i] -= LEARNING_RATE * velocity[i];
            }
        }
        double eps = Math.min(0.01, Math.pow(10, -Math.ceil(Math.log10(Math.max(1, vc.total())))));
        for (int i = 0; i < mu.length; i++) {
            mu[i] = Math.min(1 - eps, Math.max(eps, mu[i]));
        }
        mu = breakSymmetry(mu, p, m, k);
        double[] logMu = new double[mu.length];
        for (int i = 0; i < mu.length; i++) {
            logMu[i] = Math.log(Math.min(0.99, Math.max(0.01, mu[i])));
        }
        double[] logPrior = new double[k];
        for (int c = 0; c < k; c++) {
            logPrior[c] = Math.log(p[c]);
        }
        return new SnorkelMatrixCompletion(vc.lfNames(), k, logPrior, logMu, loss);
    }

    /** {@code O = X'X / n} over one-hot votes, from the distinct patterns. */
    private static double[] agreement(VoteCounts vc, int d) {
        int m = vc.lfs();
        int k = vc.numClasses();
        double[] o = new double[d * d];
        int[] on = new int[m];
        byte[] row = new byte[m];
        for (int q = 0; q < vc.distinct(); q++) {
            vc.pattern(q, row);
            int n = 0;
            for (int j = 0; j < m; j++) {
                if (row[j] >= 0) {
                    on[n++] = j * k + row[j];
                }
            }
            double c = vc.count(q);
            for (int x = 0; x < n; x++) {
                for (int y = 0; y < n; y++) {
                    o[on[x] * d + on[y]] += c;
                }
            }
        }
        double total = Math.max(1, vc.total());
        for (int i = 0; i < o.length; i++) {
            o[i] /= total;
        }
        return o;
    }

    /** The loss and its gradient with respect to mu (into {@code grad}). */
    static double gradient(double[] o, double[] mu, double[] p, int m, int k, double[] grad) {
        int d = m * k;
        Arrays.fill(grad, 0);
        double loss = 0;
        double[] muP = new double[d * k];
        for (int a = 0; a < d; a++) {
            for (int y = 0; y < k; y++) {
                muP[a * k + y] = mu[a * k + y] * p[y];
            }
        }
        for (int a = 0; a < d; a++) {
            int la = a / k;
            for (int b = 0; b < d; b++) {
                if (b / k == la) {
                    continue; // the LF's own block is masked
                }
                double r = o[a * d + b];
                for (int y = 0; y < k; y++) {
                    r -= muP[a * k + y] * mu[b * k + y];
                }
                loss += r * r;
                // d/dmu[a][y] of r^2 over (a,b) and (b,a): -4 r p_y mu[b][y] in total, by symmetry.
                for (int y = 0; y < k; y++) {
                    grad[a * k + y] -= 4 * r * p[y] * mu[b * k + y];
                }
            }
            double s = -o[a * d + a];
            for (int y = 0; y < k; y++) {
                s += muP[a * k + y];
            }
            loss += s * s;
            for (int y = 0; y < k; y++) {
                grad[a * k + y] += 2 * s * p[y];
            }
        }
        return loss;
    }

    /**
     * Snorkel's {@code _break_col_permutation_symmetry}: among classes of equal balance (to 3 decimals), permute
     * columns so that the sum over LFs of each LF block's diagonal, weighted by the balance, is largest.
     */
    private static double[] breakSymmetry(double[] mu, double[] p, int m, int k) {
        double[][] sum = new double[k][k]; // sum over LF blocks of mu[(j, v), y] * p_y
        for (int j = 0; j < m; j++) {
            for (int v = 0; v < k; v++) {
                for (int y = 0; y < k; y++) {
                    sum[v][y] += mu[(j * k + v) * k + y] * p[y];
                }
            }
        }
        int[] perm = new int[k]; // column y of the result takes column perm[y] of mu
        boolean[] done = new boolean[k];
        for (int c = 0; c < k; c++) {
            if (done[c]) {
                continue;
            }
            long balance = Math.round(p[c] * 1000);
            int[] group = java.util.stream.IntStream.range(c, k)
                    .filter(x -> !done[x] && Math.round(p[x] * 1000) == balance).toArray();
            for (int x : group) {
                done[x] = true;
            }
            int[] best = bestAssignment(sum, group);
            for (int i = 0; i < group.length; i++) {
                perm[group[i]] = group[best[i]];
            }
        }
        double[] out = new double[mu.length];
        for (int a = 0; a < m * k; a++) {
            for (int y = 0; y < k; y++) {
                out[a * k + y] = mu[a * k + perm[y]];
            }
        }
        return out;
    }

    /**
     * For the classes in {@code group}, the assignment {@code row group[i] -> column group[result[i]]} maximising
     * the summed {@code sum[row][column]}: exact by dynamic programming over subsets up to
     * {@value #MAX_ASSIGNMENT_DP} classes, greedy beyond.
     */
    private static int[] bestAssignment(double[][] sum, int[] group) {
        int g = group.length;
        int[] result = new int[g];
        if (g > MAX_ASSIGNMENT_DP) {
            boolean[] used = new boolean[g];
            for (int i = 0; i < g; i++) {
                int bestJ = -1;
                for (int j = 0; j < g; j++) {
                    if (!used[j] && (bestJ < 0 || sum[group[i]][group[j]] > sum[group[i]][group[bestJ]])) {
                        bestJ = j;
                    }
                }
                used[bestJ] = true;
                result[i] = bestJ;
            }
            return result;
        }
        int full = 1 << g;
        double[] best = new double[full];
        int[] choice = new int[full];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        best[0] = 0;
        for (int mask = 0; mask < full; mask++) {
            if (best[mask] == Double.NEGATIVE_INFINITY) {
                continue;
            }
            int i = Integer.bitCount(mask); // next row to assign
            if (i == g) {
                continue;
            }
            for (int j = 0; j < g; j++) {
                if ((mask & 1 << j) == 0) {
                    double v = best[mask] + sum[group[i]][group[j]];
                    int next = mask | 1 << j;
                    // Strictly greater keeps the identity among equals (the lowest column first).
                    if (v > best[next] + 1e-15) {
                        best[next] = v;
                        choice[next] = j;
                    }
                }
            }
        }
        int mask = full - 1;
        for (int i = g - 1; i >= 0; i--) {
            int j = choice[mask];
            result[i] = j;
            mask &= ~(1 << j);
        }
        return result;
    }

    @Override
    void proba(byte[] votes, double[] out) {
        System.arraycopy(logPrior, 0, out, 0, k);
        for (int j = 0; j < lfs; j++) {
            int v = votes[j];
            if (v >= 0) {
                int base = (j * k + v) * k;
                for (int y = 0; y < k; y++) {
                    out[y] += logMu[base + y];
                }
            }
        }
        softmaxInPlace(out);
    }

    @Override
    int lfs() {
        return lfs;
    }

    @Override
    public String name() {
        return "snorkel-mc";
    }

    @Override
    public int numClasses() {
        return k;
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("model", "snorkel-mc");
        s.put("precInit", Double.toString(PREC_INIT));
        s.put("epochs", Integer.toString(EPOCHS));
        s.put("learningRate", Double.toString(LEARNING_RATE));
        s.put("momentum", Double.toString(MOMENTUM));
        s.put("classBalance", Arrays.toString(Arrays.stream(logPrior).map(Math::exp).toArray()));
        s.put("finalLoss", Double.toString(finalLoss));
        return s;
    }
}
