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
 * <p>{@code O} is built from {@link VoteCounts}, so per-device counts merge; it is never formed as a d x d matrix
 * (see {@link Agreement}), and sets with {@code m * k^3} above {@link #MAX_WORK} are refused naming {@code ds} and
 * {@code snorkel}. Expert answers are not used (Snorkel's
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
    /**
     * The most multiply-adds per SGD step ({@code m * k^3}: m LFs, k classes) fitted: 2.5e8, so the 100 steps stay
     * around a minute on one core at worst (127 classes x 40 LFs: 8.2e7, seconds); larger sets are refused
     * naming {@code ds} and {@code snorkel}, which fit them by EM.
     */
    public static final long MAX_WORK = 250_000_000L;

    private final int k;
    private final double[] logPrior;
    /** log of mu clipped to [0.01, 0.99], at [(j * k + vote) * k + y]. */
    private final double[] logMu;
    private final double finalLoss;

    private SnorkelMatrixCompletion(List<String> lfNames, int k, double[] logPrior, double[] logMu, double finalLoss) {
        super(lfNames);
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
        double[] p = data.fixedClassBalance().orElseGet(() -> {
            double[] uniform = new double[k];
            Arrays.fill(uniform, 1.0 / k);
            return uniform;
        });
        long work = (long) d * k * k;
        if (work > MAX_WORK) {
            throw new IllegalArgumentException("snorkel-mc: " + m + " LFs x " + k + " classes is too large for "
                    + "matrix completion (" + m + " * " + k + "^3 = " + work + " multiply-adds per step, each of its "
                    + EPOCHS + " steps; the limit is " + MAX_WORK + "); use ds or snorkel, which fit it by EM");
        }
        Agreement o = new Agreement(vc);
        double[] mu = new double[d * k];
        double scale = new Random(data.seed()).nextDouble();
        for (int j = 0; j < m; j++) {
            for (int y = 0; y < k; y++) {
                int a = j * k + y;
                mu[a * k + y] = Math.min(1, Math.max(0, o.diag[a] * PREC_INIT / p[y])) * scale;
            }
        }
        double[] velocity = new double[d * k];
        double[] grad = new double[d * k];
        double loss = 0;
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            loss = o.gradient(mu, p, grad);
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

    /**
     * {@code O = X'X / n} kept as what it is made of: the distinct vote patterns (each a one-hot row of {@code X}:
     * at most one index per LF) with their share of the rows. The loss and its gradient use only products with
     * {@code O} ({@code O mu}, {@code tr(O mu P mu')}: one pass over the patterns) and k x k Gram matrices of
     * {@code mu} ({@code mu' mu} and each LF block's), never the d x d matrix: per step about
     * {@code 3 m k^3 + patterns * m * k} multiply-adds instead of {@code 2 d^2 k} (d = m k; 127 classes x 40 LFs: 0.25 G
     * instead of 6.5 G, and no 206 MB {@code O}), with the LF blocks computed in parallel.
     */
    static final class Agreement {
        final int m;
        final int k;
        final int d;
        /** The on-indices (lf * k + vote) of each distinct pattern. */
        final int[][] on;
        /** Each pattern's share of the rows. */
        final double[] weight;
        /** {@code diag(O)}: the share of rows where LF j votes v, at j * k + v. */
        final double[] diag;
        /** {@code ||mask * O||^2}: O off the LFs' own blocks (a constant of the loss). */
        final double offBlockSquares;
        /**
         * The dense {@code O} when it has no more cells than the patterns have index pairs, else null: then
         * {@code O mu} from it costs no more than the pass over the patterns (1M x 20 rows with 744,996 distinct
         * patterns and d = 40: 1,600 cells against millions of pairs; measured by review s9 at 3.9-4.6 s of CPU per
         * fit through the patterns, 100 steps).
         */
        final double[] denseO;

        Agreement(VoteCounts vc) {
            this(vc, true);
        }

        /**
         * @param vc            the vote counts
         * @param denseProducts whether {@code O mu} may come from the dense {@code O} (false: always the pattern
         *                      pass; for tests of both paths)
         */
        Agreement(VoteCounts vc, boolean denseProducts) {
            m = vc.lfs();
            k = vc.numClasses();
            d = m * k;
            on = new int[vc.distinct()][];
            weight = new double[vc.distinct()];
            diag = new double[d];
            double total = Math.max(1, vc.total());
            byte[] row = new byte[m];
            int[] buf = new int[m];
            for (int q = 0; q < vc.distinct(); q++) {
                vc.pattern(q, row);
                int n = 0;
                for (int j = 0; j < m; j++) {
                    if (row[j] >= 0) {
                        buf[n++] = j * k + row[j];
                    }
                }
                on[q] = Arrays.copyOf(buf, n);
                weight[q] = vc.count(q) / total;
                for (int x = 0; x < n; x++) {
                    diag[on[q][x]] += weight[q];
                }
            }
            // ||mask * O||^2 = sum over pairs of distinct indices (a, b) of O_ab^2 (one index per LF in a pattern, so
            // the own blocks hold only the diagonal). O_ab sums over patterns: into a dense d x d array when that is
            // no larger than the pair list, else by sorting the pair keys (key << 32 | pattern).
            long pairs = 0;
            for (int[] idx : on) {
                pairs += (long) idx.length * (idx.length - 1);
            }
            double squares = 0;
            long cells = (long) d * d;
            double[] keep = null;
            if (cells <= 1L << 22 || cells <= pairs && cells <= 1L << 25) {
                double[] o = dense();
                if (denseProducts && cells <= pairs) {
                    keep = o;
                }
                for (int a = 0; a < d; a++) {
                    for (int b = 0; b < d; b++) {
                        squares += a == b ? 0 : o[a * d + b] * o[a * d + b];
                    }
                }
            } else {
                if (pairs > Integer.MAX_VALUE - 8 || cells >= 1L << 32) {
                    throw new IllegalArgumentException("snorkel-mc: " + pairs + " LF agreement pairs; too many to "
                            + "fit, use ds or snorkel");
                }
                long[] keys = new long[(int) pairs];
                int at = 0;
                for (int q = 0; q < on.length; q++) {
                    for (int a : on[q]) {
                        for (int b : on[q]) {
                            if (a != b) {
                                keys[at++] = ((long) a * d + b) << 32 | q;
                            }
                        }
                    }
                }
                Arrays.sort(keys);
                for (int i = 0; i < at;) {
                    long key = keys[i] >>> 32;
                    double sum = 0;
                    while (i < at && keys[i] >>> 32 == key) {
                        sum += weight[(int) (keys[i++] & 0xffffffffL)];
                    }
                    squares += sum * sum;
                }
            }
            offBlockSquares = squares;
            denseO = keep;
        }

        /** The dense {@code O}, d x d (for tests and small sets). */
        double[] dense() {
            double[] o = new double[d * d];
            for (int q = 0; q < on.length; q++) {
                for (int a : on[q]) {
                    for (int b : on[q]) {
                        o[a * d + b] += weight[q];
                    }
                }
            }
            return o;
        }

        /**
         * The loss {@code ||mask * (O - mu P mu')||^2 + ||rowsum(mu P) - diag(O)||^2} and its gradient (into
         * {@code grad}), as {@link SnorkelMatrixCompletion#gradient(double[], double[], double[], int, int, double[])}
         * computes them from the dense O, but from the structure: with {@code A = mu P mu'},
         * {@code ||mask * (O - A)||^2 = ||mask * O||^2 - 2 <mask * O, A> + ||A||^2 - sum_j ||A_jj||^2}, where
         * {@code ||A||^2 = tr(G P G P)} for {@code G = mu' mu} and {@code A_jj}'s for the block Gram {@code G_j}; and
         * the gradient {@code -4 (mask * (O - A)) mu P = -4 (O mu - diag(O) mu - mu P G + [mu_j P G_j]_j) P}.
         */
        double gradient(double[] mu, double[] p, double[] grad) {
            // Per LF block j (k rows of mu): G_j = mu_j' mu_j, in parallel; G = sum_j G_j in LF order (deterministic).
            double[][] blockGram = new double[m][];
            java.util.stream.IntStream.range(0, m).parallel().forEach(j -> blockGram[j] = gram(mu, j * k, k));
            double[] g = new double[k * k];
            for (double[] gj : blockGram) {
                for (int i = 0; i < g.length; i++) {
                    g[i] += gj[i];
                }
            }
            // O mu, one pass over the patterns: s_q = mu' x_q, then O mu += w_q x_q s_q'.
            double[] oMu = new double[d * k];
            double[] sq = new double[k];
            double traceOA = 0;
            if (denseO != null) {
                // O mu = sum_b O_ab mu_b; tr(O mu P mu') = sum_a sum_y p_y mu_ay (O mu)_ay
                for (int a = 0; a < d; a++) {
                    for (int b = 0; b < d; b++) {
                        double o = denseO[a * d + b];
                        if (o != 0) {
                            for (int y = 0; y < k; y++) {
                                oMu[a * k + y] += o * mu[b * k + y];
                            }
                        }
                    }
                    for (int y = 0; y < k; y++) {
                        traceOA += p[y] * mu[a * k + y] * oMu[a * k + y];
                    }
                }
            }
            for (int q = 0; denseO == null && q < on.length; q++) {
                Arrays.fill(sq, 0);
                for (int a : on[q]) {
                    for (int y = 0; y < k; y++) {
                        sq[y] += mu[a * k + y];
                    }
                }
                double w = weight[q];
                double t = 0;
                for (int y = 0; y < k; y++) {
                    t += p[y] * sq[y] * sq[y];
                }
                traceOA += w * t;
                for (int a : on[q]) {
                    for (int y = 0; y < k; y++) {
                        oMu[a * k + y] += w * sq[y];
                    }
                }
            }
            double[] gp = new double[k * k]; // G P (column y scaled by p_y)
            for (int x = 0; x < k; x++) {
                for (int y = 0; y < k; y++) {
                    gp[x * k + y] = g[x * k + y] * p[y];
                }
            }
            double normA = traceOfSquare(gp, k);
            double[] blockNorm = new double[m];
            double[] diagOA = new double[m];
            java.util.stream.IntStream.range(0, m).parallel().forEach(j -> {
                double[] gjp = new double[k * k];
                double[] gj = blockGram[j];
                for (int x = 0; x < k; x++) {
                    for (int y = 0; y < k; y++) {
                        gjp[x * k + y] = gj[x * k + y] * p[y];
                    }
                }
                blockNorm[j] = traceOfSquare(gjp, k);
                double od = 0;
                // Rows of block j: grad = -4 (O mu - diag(O) mu - mu P G + mu_j P G_j) P, plus the diagonal term.
                double[] row = new double[k];
                for (int v = 0; v < k; v++) {
                    int a = j * k + v;
                    double aa = 0;
                    for (int y = 0; y < k; y++) {
                        aa += p[y] * mu[a * k + y] * mu[a * k + y];
                    }
                    od += diag[a] * aa;
                    Arrays.fill(row, 0);
                    for (int x = 0; x < k; x++) {
                        double px = p[x] * mu[a * k + x];
                        if (px == 0) {
                            continue;
                        }
                        for (int y = 0; y < k; y++) {
                            row[y] += px * (g[x * k + y] - gj[x * k + y]);
                        }
                    }
                    double s = -diag[a];
                    for (int y = 0; y < k; y++) {
                        s += mu[a * k + y] * p[y];
                    }
                    for (int y = 0; y < k; y++) {
                        double r = oMu[a * k + y] - diag[a] * mu[a * k + y] - row[y];
                        grad[a * k + y] = -4 * r * p[y] + 2 * s * p[y];
                    }
                }
                diagOA[j] = od;
            });
            double offBlockOA = traceOA;
            double blocks = 0;
            double diagTerm = 0;
            for (int j = 0; j < m; j++) {
                offBlockOA -= diagOA[j];
                blocks += blockNorm[j];
            }
            for (int a = 0; a < d; a++) {
                double s = -diag[a];
                for (int y = 0; y < k; y++) {
                    s += mu[a * k + y] * p[y];
                }
                diagTerm += s * s;
            }
            return offBlockSquares - 2 * offBlockOA + normA - blocks + diagTerm;
        }

        /** {@code mu_rows' mu_rows} for {@code rows} rows from {@code from}: k x k. */
        private double[] gram(double[] mu, int from, int rows) {
            double[] out = new double[k * k];
            for (int a = from; a < from + rows; a++) {
                for (int x = 0; x < k; x++) {
                    double v = mu[a * k + x];
                    if (v == 0) {
                        continue;
                    }
                    for (int y = 0; y < k; y++) {
                        out[x * k + y] += v * mu[a * k + y];
                    }
                }
            }
            return out;
        }

        /** {@code tr(B B)} for a k x k matrix B. */
        private static double traceOfSquare(double[] b, int k) {
            double t = 0;
            for (int x = 0; x < k; x++) {
                for (int y = 0; y < k; y++) {
                    t += b[x * k + y] * b[y * k + x];
                }
            }
            return t;
        }
    }

    /**
     * The loss and its gradient with respect to mu (into {@code grad}) from the dense {@code O}: the plain form of
     * the formula, O(d^2 k) per call; the fit uses {@link Agreement#gradient}, which tests check against this and
     * against finite differences.
     */
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
        for (int j = 0; j < lfs(); j++) {
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
