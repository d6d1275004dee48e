package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.matrix.VoteCounts;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * A Snorkel-style conditionally independent label model: {@code P(y | votes) ∝ p_y ∏_{j voted} μ_j(vote | y)}
 * where abstains carry no information (as in Snorkel's LabelModel), each LF has one accuracy {@code a_j}
 * ({@code μ_j(y | y) = a_j}, errors spread evenly over the other classes), and the class balance is the
 * validation prior when one is known (as WRENCH passes it to Snorkel) or learned otherwise. Accuracies are kept above chance
 * ({@code 1/k + }{@value #MARGIN}), Snorkel's identifiability assumption. Accuracies start at
 * Snorkel's {@code prec_init = 0.7} and are fitted by EM with a Beta pseudo-count pulling them towards it, which
 * keeps rarely-firing LFs from running to 0 or 1. Expert answers ({@link FitData#goldRows()}) count with their
 * known class in every EM step (semi-supervised EM). Fitting differs from Snorkel's matrix-completion SGD; the
 * factorisation is the same restricted to symmetric per-LF accuracies.
 *
 * <p>Fitted from {@link VoteCounts}, so per-device counts merge. Thread-safe: immutable once fitted.
 */
public final class SnorkelStyleModel extends RowModel {
    /** Initial and prior accuracy of every LF. */
    public static final double PREC_INIT = 0.7;
    /** Weight, in pseudo-votes, of the pull towards {@link #PREC_INIT}. */
    public static final double PSEUDO_VOTES = 2.0;
    /** Accuracies are kept at least this far above chance (1 / k). */
    public static final double MARGIN = 0.05;
    private static final double TOL = 1e-5;
    private static final int MAX_ITERATIONS = 200;
    private static final int CHUNK = 2048;

    private final int k;
    private final double[] logPrior;
    private final double[] accuracy;
    private final double[] logAccuracy;
    private final boolean priorFixed;
    private final int iterations;

    private SnorkelStyleModel(List<String> lfNames, int k, double[] logPrior, double[] accuracy, boolean priorFixed,
            int iterations) {
        super(lfNames);
        this.k = k;
        this.logPrior = logPrior;
        this.accuracy = accuracy;
        this.logAccuracy = logTables(accuracy, k);
        this.priorFixed = priorFixed;
        this.iterations = iterations;
    }

    /**
     * Fits the model.
     *
     * @param data training counts, optionally a class prior
     * @return the fitted model
     */
    public static SnorkelStyleModel fit(FitData data) {
        VoteCounts vc = data.counts();
        int k = vc.numClasses();
        int m = vc.lfs();
        double[] logPrior = new double[k];
        Optional<double[]> balance = data.fixedClassBalance();
        boolean fixed = balance.isPresent();
        if (fixed) {
            for (int c = 0; c < k; c++) {
                logPrior[c] = Math.log(balance.get()[c]);
            }
        } else {
            Arrays.fill(logPrior, -Math.log(k));
        }
        // Snorkel's identifiability assumption: LFs are better than random. Without it EM can settle on the
        // label-flipped optimum, where every LF is worse than chance.
        double floor = 1.0 / k + MARGIN;
        double[] acc = new double[m];
        Arrays.fill(acc, PREC_INIT);
        int it = 0;
        int u = vc.distinct();
        byte[] pat = vc.copyPatterns();
        double[] goldSums = goldSums(data, m, k);
        double goldRows = data.goldLabels().map(g -> g.length).orElse(0);
        while (it < Math.min(data.maxIterations(), MAX_ITERATIONS)) {
            it++;
            double[] lp = logPrior;
            double[] a = logTables(acc, k);
            int chunks = (u + CHUNK - 1) / CHUNK;
            double[][] partial = new double[chunks][];
            IntStream.range(0, chunks).parallel().forEach(ch -> {
                double[] sums = new double[2 * m + k];
                byte[] row = new byte[m];
                double[] t = new double[k];
                for (int p = ch * CHUNK, end = Math.min(u, p + CHUNK); p < end; p++) {
                    System.arraycopy(pat, p * m, row, 0, m);
                    scores(row, m, k, lp, a, t);
                    softmaxInPlace(t);
                    double cnt = vc.count(p);
                    for (int j = 0; j < m; j++) {
                        if (row[j] >= 0) {
                            sums[2 * j] += cnt * t[row[j]];
                            sums[2 * j + 1] += cnt;
                        }
                    }
                    for (int c = 0; c < k; c++) {
                        sums[2 * m + c] += cnt * t[c];
                    }
                }
                partial[ch] = sums;
            });
            // Semi-supervised EM: expert-labelled rows count with their known class in every step.
            double[] sum = goldSums.clone();
            for (double[] s : partial) {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += s[i];
                }
            }
            double change = 0;
            double[] nextAcc = new double[m];
            for (int j = 0; j < m; j++) {
                double x = (sum[2 * j] + PSEUDO_VOTES * PREC_INIT) / (sum[2 * j + 1] + PSEUDO_VOTES);
                nextAcc[j] = Math.min(0.999, Math.max(floor, x));
                change = Math.max(change, Math.abs(nextAcc[j] - acc[j]));
            }
            acc = nextAcc;
            if (!fixed) {
                double[] next = new double[k];
                for (int c = 0; c < k; c++) {
                    next[c] = Math.log(Math.max(1e-12, sum[2 * m + c] / (vc.total() + goldRows)));
                    change = Math.max(change, Math.abs(Math.exp(next[c]) - Math.exp(logPrior[c])));
                }
                logPrior = next;
            }
            if (change < TOL) {
                break;
            }
        }
        return new SnorkelStyleModel(vc.lfNames(), k, logPrior, acc, fixed, it);
    }

    /** The M-step sums of the expert-labelled rows: [2j] right votes, [2j+1] votes of LF j, [2m+c] rows of class c. */
    private static double[] goldSums(FitData data, int m, int k) {
        double[] sums = new double[2 * m + k];
        if (data.goldRows().isEmpty()) {
            return sums;
        }
        LabelMatrix g = data.goldRows().get();
        int[] labels = data.goldLabels().get();
        for (int i = 0; i < g.rows(); i++) {
            for (int j = 0; j < m; j++) {
                int v = g.get(i, j);
                if (v >= 0) {
                    sums[2 * j] += v == labels[i] ? 1 : 0;
                    sums[2 * j + 1] += 1;
                }
            }
            sums[2 * m + labels[i]] += 1;
        }
        return sums;
    }

    /** Per LF, log of a right and of a wrong vote: [2j] = log a_j, [2j+1] = log((1 - a_j) / (k - 1)). */
    private static double[] logTables(double[] acc, int k) {
        double[] t = new double[2 * acc.length];
        for (int j = 0; j < acc.length; j++) {
            t[2 * j] = Math.log(acc[j]);
            t[2 * j + 1] = Math.log((1 - acc[j]) / (k - 1));
        }
        return t;
    }

    private static void scores(byte[] row, int m, int k, double[] logPrior, double[] logAcc, double[] out) {
        System.arraycopy(logPrior, 0, out, 0, k);
        for (int j = 0; j < m; j++) {
            int v = row[j];
            if (v < 0) {
                continue;
            }
            double right = logAcc[2 * j];
            double wrong = logAcc[2 * j + 1];
            for (int c = 0; c < k; c++) {
                out[c] += c == v ? right : wrong;
            }
        }
    }

    @Override
    void proba(byte[] votes, double[] out) {
        scores(votes, lfs(), k, logPrior, logAccuracy, out);
        softmaxInPlace(out);
    }

    /** @return the learned per-LF accuracies */
    public double[] accuracies() {
        return accuracy.clone();
    }

    @Override
    public String name() {
        return "snorkel";
    }

    @Override
    public int numClasses() {
        return k;
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("model", "snorkel");
        s.put("precInit", Double.toString(PREC_INIT));
        s.put("pseudoVotes", Double.toString(PSEUDO_VOTES));
        s.put("classPriorFixed", Boolean.toString(priorFixed));
        s.put("iterations", Integer.toString(iterations));
        s.put("accuracies", Arrays.toString(accuracy));
        return s;
    }
}
