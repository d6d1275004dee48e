package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.VoteCounts;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Dawid-Skene with WRENCH's semantics: one confusion table per labelling function over the outcomes
 * {abstain, class 0, ..., class k-1} (abstain is an observed outcome, so coverage carries information), class
 * marginals learned, EM started from majority-vote posteriors, computed in log space, stopped when the mean
 * absolute change of the posteriors falls below {@value #TOLERANCE}.
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

    private final int lfs;
    private final int k;
    private final double[] logMarginals;
    /** log P(outcome o | class c) for LF j at [(j * k + c) * (k + 1) + o], o = vote + 1. */
    private final double[] logConfusion;
    private final int iterations;

    private DawidSkene(int lfs, int k, double[] logMarginals, double[] logConfusion, int iterations) {
        this.lfs = lfs;
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
        double[] post = new double[u * k];
        byte[] row = new byte[m];
        for (int p = 0; p < u; p++) {
            vc.pattern(p, row);
            double[] t = new double[k];
            for (int j = 0; j < m; j++) {
                if (row[j] >= 0) {
                    t[row[j]]++;
                }
            }
            normalise(t);
            System.arraycopy(t, 0, post, p * k, k);
        }
        double[] logMarg = new double[k];
        double[] logConf = new double[m * k * (k + 1)];
        int it = 0;
        double total = vc.total();
        while (it < data.maxIterations()) {
            it++;
            mStep(vc, post, logMarg, logConf, data);
            double[] next = eStep(vc, logMarg, logConf);
            double change = 0;
            for (int p = 0; p < u; p++) {
                double d = 0;
                for (int c = 0; c < k; c++) {
                    d += Math.abs(next[p * k + c] - post[p * k + c]);
                }
                change += d * vc.count(p);
            }
            post = next;
            if (change / (total * k) < TOLERANCE) {
                break;
            }
        }
        return new DawidSkene(m, k, logMarg, logConf, it);
    }

    private static void mStep(VoteCounts vc, double[] post, double[] logMarg, double[] logConf, FitData data) {
        int k = vc.numClasses();
        int m = vc.lfs();
        int u = vc.distinct();
        int o = k + 1;
        int chunks = (u + CHUNK - 1) / CHUNK;
        double[][] partial = new double[chunks][];
        IntStream.range(0, chunks).parallel().forEach(ch -> {
            double[] acc = new double[m * k * o + k];
            byte[] row = new byte[m];
            for (int p = ch * CHUNK, end = Math.min(u, p + CHUNK); p < end; p++) {
                vc.pattern(p, row);
                double cnt = vc.count(p);
                for (int c = 0; c < k; c++) {
                    double w = cnt * post[p * k + c];
                    if (w == 0) {
                        continue;
                    }
                    acc[m * k * o + c] += w;
                    for (int j = 0; j < m; j++) {
                        acc[(j * k + c) * o + row[j] + 1] += w;
                    }
                }
            }
            partial[ch] = acc;
        });
        double[] sum = new double[m * k * o + k];
        for (double[] acc : partial) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += acc[i];
            }
        }
        double total = vc.total();
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
                for (int x = 0; x < o; x++) {
                    logConf[base + x] = s > 0 ? Math.log(sum[base + x] / s) : 0.0;
                }
            }
        }
    }

    private static double[] eStep(VoteCounts vc, double[] logMarg, double[] logConf) {
        int k = vc.numClasses();
        int m = vc.lfs();
        int u = vc.distinct();
        double[] next = new double[u * k];
        int chunks = (u + CHUNK - 1) / CHUNK;
        IntStream.range(0, chunks).parallel().forEach(ch -> {
            byte[] row = new byte[m];
            double[] t = new double[k];
            for (int p = ch * CHUNK, end = Math.min(u, p + CHUNK); p < end; p++) {
                vc.pattern(p, row);
                logScores(row, m, k, logMarg, logConf, t);
                softmaxInPlace(t);
                System.arraycopy(t, 0, next, p * k, k);
            }
        });
        return next;
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
     * Log-likelihood of a row's votes under each class, without the class marginal: used by temporal models.
     *
     * @param row the votes
     * @param out receives log P(votes | class)
     */
    void logLikelihood(byte[] row, double[] out) {
        logScores(row, lfs, k, new double[k], logConfusion, out);
    }

    @Override
    void proba(byte[] votes, double[] out) {
        logScores(votes, lfs, k, logMarginals, logConfusion, out);
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
    int lfs() {
        return lfs;
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
