package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.VoteCounts;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Dawid-Skene with WRENCH's semantics: one confusion table per labelling function over the outcomes
 * {abstain, class 0, ..., class k-1} (abstain is an observed outcome, so coverage carries information), class
 * marginals learned, EM started from majority-vote posteriors, computed in log space, stopped when the mean
 * absolute change of the posteriors falls below {@value #TOLERANCE}. An outcome an LF never had on any training row
 * (a vote it never cast, or an abstain from an LF that always voted), which happens when a model fitted on one
 * device's counts scores another device's rows, has estimated probability 0 under every class; it carries no
 * information about the class, so such an LF contributes no factor to that row (the other votes decide), instead of
 * making every class impossible.
 *
 * <p>Fitted from {@link VoteCounts}: every step works on distinct vote patterns weighted by their counts, so the
 * fit on merged per-device counts equals the fit on the concatenated rows. Partial sums are combined in a fixed
 * order, so results are identical whatever the number of threads.
 *
 * <p>Thread-safe: immutable once fitted.
 */
public final class DawidSkene extends RowModel {
    /** Convergence threshold on the mean absolute change of the posteriors. */
    public static final double TOLERANCE = 1e-5;
    private static final int CHUNK = 2048;

    private final int k;
    private final double[] logMarginals;
    /** log P(outcome o | class c) for LF j at [(j * k + c) * (k + 1) + o], o = vote + 1. */
    private final double[] logConfusion;
    private final int iterations;

    private DawidSkene(List<String> lfNames, int k, double[] logMarginals, double[] logConfusion, int iterations) {
        super(lfNames);
        this.k = k;
        this.logMarginals = logMarginals;
        this.logConfusion = logConfusion;
        this.iterations = iterations;
    }

    /**
     * Fits the model.
     *
     * @param data the training counts (the class prior and validation data are not used, as in WRENCH)
     * @return the fitted model
     */
    public static DawidSkene fit(FitData data) {
        VoteCounts vc = data.counts();
        int k = vc.numClasses();
        int m = vc.lfs();
        int u = vc.distinct();
        Sparse sp = new Sparse(vc);
        double[] post = new double[u * k];
        for (int p = 0; p < u; p++) {
            double s = sp.start[p + 1] - sp.start[p];
            for (int e = sp.start[p]; e < sp.start[p + 1]; e++) {
                post[p * k + sp.vote[e]]++;
            }
            for (int c = 0; c < k; c++) {
                post[p * k + c] = s > 0 ? post[p * k + c] / s : 1.0 / k;
            }
        }
        double[] sums = accumulate(sp, post, m, k, null, null, null);
        boolean[] seen = seenOutcomes(sp, data, m, k);
        double[] logMarg = new double[k];
        double[] logConf = new double[m * k * (k + 1)];
        int it = 0;
        double total = vc.total();
        double[] next = new double[u * k];
        while (it < data.maxIterations()) {
            it++;
            // M-step from the sums of the previous posteriors, then the E-step and the next sums in one pass.
            parameters(sums, sp, total, m, k, data, seen, logMarg, logConf);
            sums = accumulate(sp, post, m, k, logMarg, logConf, next);
            double change = sums[sums.length - 1];
            double[] swap = post;
            post = next;
            next = swap;
            // Without unlabelled rows (every training row answered) there is nothing to iterate: the M-step from
            // the expert-labelled rows is the fit.
            if (total == 0 || change / (total * k) < TOLERANCE) {
                break;
            }
        }
        return new DawidSkene(vc.lfNames(), k, logMarg, logConf, it);
    }

    /**
     * The patterns in sparse form (only non-abstain votes), since typical LFs abstain on most rows: work per
     * pattern is proportional to its votes, and the abstain outcome is handled through per-class totals.
     */
    private static final class Sparse {
        final int[] start;
        final int[] lf;
        final byte[] vote;
        final long[] count;
        /** Count-weighted rows on which each LF abstains. */
        final long[] abstains;

        Sparse(VoteCounts vc) {
            int u = vc.distinct();
            int m = vc.lfs();
            byte[] pat = vc.copyPatterns();
            count = vc.copyCounts();
            start = new int[u + 1];
            int nnz = 0;
            for (byte b : pat) {
                nnz += b >= 0 ? 1 : 0;
            }
            lf = new int[nnz];
            vote = new byte[nnz];
            abstains = new long[m];
            int e = 0;
            for (int p = 0; p < u; p++) {
                start[p] = e;
                for (int j = 0; j < m; j++) {
                    byte v = pat[p * m + j];
                    if (v >= 0) {
                        lf[e] = j;
                        vote[e++] = v;
                    } else {
                        abstains[j] += count[p];
                    }
                }
            }
            start[u] = e;
        }
    }

    /**
     * One pass over the patterns. With parameters: computes each pattern's posterior into {@code next} (E-step),
     * accumulates the M-step sums from it (non-abstain outcomes and per-class mass; abstain outcomes are derived
     * later) and, in the last slot, the count-weighted absolute change from {@code post}. Without parameters:
     * accumulates the sums from {@code post}. Chunks are combined in order, so the result does not depend on the
     * number of threads.
     */
    private static double[] accumulate(Sparse sp, double[] post, int m, int k, double[] logMarg, double[] logConf,
            double[] next) {
        int u = sp.count.length;
        int o = k + 1;
        int size = m * k * o + k + 1;
        double[] base = new double[k];
        boolean[] abstainImpossible = new boolean[m * k];
        int[] impossible = new int[k];
        if (logMarg != null) {
            // log-score of the all-abstain pattern; votes then add (log P(vote) - log P(abstain)).
            for (int c = 0; c < k; c++) {
                base[c] = logMarg[c];
                for (int j = 0; j < m; j++) {
                    double a = logConf[(j * k + c) * o];
                    if (a == Double.NEGATIVE_INFINITY) {
                        abstainImpossible[j * k + c] = true;
                        impossible[c]++;
                    } else {
                        base[c] += a;
                    }
                }
            }
        }
        int chunks = (u + CHUNK - 1) / CHUNK;
        double[][] partial = new double[chunks][];
        IntStream.range(0, chunks).parallel().forEach(ch -> {
            double[] acc = new double[size];
            double[] t = new double[k];
            for (int p = ch * CHUNK, end = Math.min(u, p + CHUNK); p < end; p++) {
                int e0 = sp.start[p];
                int e1 = sp.start[p + 1];
                if (logMarg != null) {
                    for (int c = 0; c < k; c++) {
                        double s = base[c];
                        int needed = impossible[c];
                        for (int e = e0; e < e1; e++) {
                            int j = sp.lf[e];
                            int cell = (j * k + c) * o;
                            if (abstainImpossible[j * k + c]) {
                                s += logConf[cell + sp.vote[e] + 1];
                                needed--;
                            } else {
                                s += logConf[cell + sp.vote[e] + 1] - logConf[cell];
                            }
                        }
                        t[c] = needed > 0 ? Double.NEGATIVE_INFINITY : s;
                    }
                    softmaxInPlace(t);
                    double d = 0;
                    for (int c = 0; c < k; c++) {
                        d += Math.abs(t[c] - post[p * k + c]);
                        next[p * k + c] = t[c];
                    }
                    acc[size - 1] += d * sp.count[p];
                } else {
                    System.arraycopy(post, p * k, t, 0, k);
                }
                double n = sp.count[p];
                for (int c = 0; c < k; c++) {
                    double w = n * t[c];
                    if (w == 0) {
                        continue;
                    }
                    acc[m * k * o + c] += w;
                    for (int e = e0; e < e1; e++) {
                        acc[(sp.lf[e] * k + c) * o + sp.vote[e] + 1] += w;
                    }
                }
            }
            partial[ch] = acc;
        });
        double[] sum = new double[size];
        for (double[] acc : partial) {
            for (int i = 0; i < size; i++) {
                sum[i] += acc[i];
            }
        }
        return sum;
    }

    private static void parameters(double[] sums, Sparse sp, double total, int m, int k, FitData data,
            boolean[] seen, double[] logMarg, double[] logConf) {
        int o = k + 1;
        double[] sum = sums.clone();
        // Abstain outcomes: class mass minus the class's non-abstain mass; exactly 0 for an LF that never abstains.
        for (int j = 0; j < m; j++) {
            for (int c = 0; c < k; c++) {
                int cell = (j * k + c) * o;
                double voted = 0;
                for (int x = 1; x < o; x++) {
                    voted += sum[cell + x];
                }
                sum[cell] = sp.abstains[j] == 0 ? 0 : Math.max(0, sum[m * k * o + c] - voted);
            }
        }
        if (data.goldRows().isPresent()) {
            // Semi-supervised EM: expert-labelled rows count with their known class.
            io.edgeloop.labeling.matrix.LabelMatrix g = data.goldRows().get();
            int[] labels = data.goldLabels().get();
            for (int i = 0; i < g.rows(); i++) {
                int c = labels[i];
                sum[m * k * o + c] += 1;
                for (int j = 0; j < m; j++) {
                    sum[(j * k + c) * o + g.get(i, j) + 1] += 1;
                }
            }
            total += g.rows();
        }
        for (int c = 0; c < k; c++) {
            logMarg[c] = Math.log(sum[m * k * o + c] / total);
        }
        for (int j = 0; j < m; j++) {
            for (int c = 0; c < k; c++) {
                int base = (j * k + c) * o;
                double s = 0;
                for (int x = 0; x < o; x++) {
                    s += sum[base + x];
                }
                // A class without mass (no row, soft or gold, falls in it) gets a uniform table, a distribution like
                // the others; its marginal is 0, so it can never win a row (TemporalModel excludes it as well).
                for (int x = 0; x < o; x++) {
                    logConf[base + x] = s > 0 ? Math.log(sum[base + x] / s) : -Math.log(o);
                }
            }
            // An outcome no training row (unlabelled or answered) ever had for this LF has estimated probability 0
            // under every class: it would make every class impossible and throw away the row's other votes. It
            // carries no information about the class, so the LF contributes no factor (log 1 for every class), as
            // an abstain does in majority vote. Training rows never look these cells up, so the fit is unchanged.
            for (int x = 0; x < o; x++) {
                if (!seen[j * o + x]) {
                    for (int c = 0; c < k; c++) {
                        logConf[(j * k + c) * o + x] = 0;
                    }
                }
            }
        }
    }

    /** Which outcomes (abstain, class 0, ...) each LF had on some training row, unlabelled or answered, at [j * o + x]. */
    private static boolean[] seenOutcomes(Sparse sp, FitData data, int m, int k) {
        int o = k + 1;
        boolean[] seen = new boolean[m * o];
        for (int e = 0; e < sp.vote.length; e++) {
            seen[sp.lf[e] * o + sp.vote[e] + 1] = true;
        }
        for (int j = 0; j < m; j++) {
            seen[j * o] = sp.abstains[j] > 0;
        }
        data.goldRows().ifPresent(g -> {
            for (int i = 0; i < g.rows(); i++) {
                for (int j = 0; j < m; j++) {
                    seen[j * o + g.get(i, j) + 1] = true;
                }
            }
        });
        return seen;
    }

    static void logScores(byte[] row, int m, int k, double[] logMarg, double[] logConf, double[] out) {
        int o = k + 1;
        for (int c = 0; c < k; c++) {
            double s = logMarg[c];
            for (int j = 0; j < m; j++) {
                s += logConf[(j * k + c) * o + row[j] + 1];
            }
            out[c] = s;
        }
    }

    /**
     * Log-likelihood of a row's votes under each class, without the class marginal: used by temporal models, which
     * must leave out the classes whose {@linkplain #classMarginals() marginal} is 0 (their table is uniform, not
     * learned).
     *
     * @param row the votes
     * @param out receives log P(votes | class)
     */
    void logLikelihood(byte[] row, double[] out) {
        logScores(row, lfs(), k, new double[k], logConfusion, out);
    }

    @Override
    void proba(byte[] votes, double[] out) {
        logScores(votes, lfs(), k, logMarginals, logConfusion, out);
        softmaxInPlace(out);
    }

    /** @return the learned class marginals */
    public double[] classMarginals() {
        return Arrays.stream(logMarginals).map(Math::exp).toArray();
    }

    /** @return the number of EM iterations run */
    public int iterations() {
        return iterations;
    }

    @Override
    public String name() {
        return "ds";
    }

    @Override
    public int numClasses() {
        return k;
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("model", "ds");
        s.put("tolerance", Double.toString(TOLERANCE));
        s.put("iterations", Integer.toString(iterations));
        s.put("classMarginals", Arrays.toString(classMarginals()));
        return s;
    }
}
