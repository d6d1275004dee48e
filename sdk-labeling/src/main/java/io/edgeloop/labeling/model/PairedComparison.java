package io.edgeloop.labeling.model;

import java.util.SplittableRandom;

/**
 * One-sided paired tests of "the candidate's predictions are better than the baseline's" on labelled rows, one
 * per metric:
 * <ul>
 *   <li>accuracy: McNemar's exact test. Only rows where exactly one of the two is right carry information; under
 *       the null hypothesis each is the candidate's with probability 1/2, so
 *       {@code p = P(Binomial(b + c, 1/2) >= b)} with {@code b} rows won and {@code c} lost by the candidate.</li>
 *   <li>binary F1: F1 is a ratio over the whole sample, so rows where the two agree matter too, and a small sample
 *       with few positives can show a large F1 gain that the population does not have. The rows are counted in
 *       the 8 cells (gold, baseline, candidate); the cell probabilities get a Dirichlet posterior (Bayes-Laplace
 *       prior, one pseudo-count per cell, so cells never seen still carry weight; Jeffreys' 1/2 per cell was
 *       overconfident when a cell was empty) and {@code p} is the posterior probability that
 *       the candidate's F1 is not above the baseline's, estimated from {@value #DRAWS} seeded draws.</li>
 * </ul>
 *
 * <p>Thread-safe: static methods only; randomness comes from the caller's seed.
 */
final class PairedComparison {
    /** Posterior draws for binary F1. */
    static final int DRAWS = 4000;
    private static final double PRIOR_COUNT = 1.0;
    /** Bit of the baseline's prediction in a cell index (see {@link #cell}). */
    private static final int BASELINE = 2;
    /** Bit of the candidate's prediction in a cell index. */
    private static final int CANDIDATE = 1;

    private PairedComparison() {
    }

    /**
     * The outcome of comparing a candidate with the baseline.
     *
     * @param gains     observed candidate-minus-baseline difference per metric, in points
     * @param pValues   one-sided p-value per metric
     * @param differing rows where the two predictions differ
     */
    record Result(double[] gains, double[] pValues, int differing) {
        /** @return the largest p-value over the metrics */
        double maxP() {
            double p = 0;
            for (double x : pValues) {
                p = Math.max(p, x);
            }
            return p;
        }

        /** @return the smallest gain over the metrics */
        double minGain() {
            double g = Double.POSITIVE_INFINITY;
            for (double x : gains) {
                g = Math.min(g, x);
            }
            return g;
        }
    }

    /**
     * Compares a candidate with a baseline.
     *
     * @param gold      gold class per row
     * @param baseline  baseline prediction per row
     * @param candidate candidate prediction per row
     * @param k         the number of classes
     * @param metrics   {@link Metric#ACCURACY} and/or {@link Metric#F1_BINARY}
     * @param seed      seed of the posterior draws
     * @return gains and p-values, in the order of {@code metrics}
     */
    static Result run(int[] gold, int[] baseline, int[] candidate, int k, java.util.List<Metric> metrics,
            long seed) {
        int n = gold.length;
        int won = 0;
        int lost = 0;
        int differing = 0;
        for (int i = 0; i < n; i++) {
            if (baseline[i] != candidate[i]) {
                differing++;
                won += candidate[i] == gold[i] ? 1 : 0;
                lost += baseline[i] == gold[i] ? 1 : 0;
            }
        }
        double[] gains = new double[metrics.size()];
        double[] p = new double[metrics.size()];
        for (int m = 0; m < gains.length; m++) {
            Metric metric = metrics.get(m);
            gains[m] = metric.of(candidate, gold, k) - metric.of(baseline, gold, k);
            switch (metric) {
                case ACCURACY:
                    p[m] = binomialUpperTail(won + lost, won);
                    break;
                case F1_BINARY:
                    p[m] = f1Posterior(gold, baseline, candidate, seed);
                    break;
                default:
                    throw new IllegalArgumentException("no paired test for " + metric);
            }
        }
        return new Result(gains, p, differing);
    }

    /** {@code P(Binomial(n, 1/2) >= b)}, summed in log space. */
    static double binomialUpperTail(int n, int b) {
        if (b <= 0) {
            return 1.0;
        }
        double logC = 0; // log C(n, i)
        double max = Double.NEGATIVE_INFINITY;
        double[] terms = new double[n - b + 1];
        for (int i = 0; i <= n; i++) {
            if (i >= b) {
                terms[i - b] = logC;
                max = Math.max(max, logC);
            }
            if (i < n) {
                logC += Math.log(n - i) - Math.log(i + 1.0);
            }
        }
        double s = 0;
        for (double t : terms) {
            s += Math.exp(t - max);
        }
        return Math.min(1.0, Math.exp(max + Math.log(s) - n * Math.log(2)));
    }

    /** Posterior probability that the candidate's binary F1 is not above the baseline's. */
    private static double f1Posterior(int[] gold, int[] baseline, int[] candidate, long seed) {
        double[] cells = new double[8];
        for (int i = 0; i < gold.length; i++) {
            cells[cell(gold[i], baseline[i], candidate[i])]++;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] w = new double[8];
        int notBetter = 0;
        for (int d = 0; d < DRAWS; d++) {
            for (int c = 0; c < 8; c++) {
                w[c] = gamma(rnd, cells[c] + PRIOR_COUNT);
            }
            // F1 is scale-free, so unnormalised cell weights serve as counts.
            if (f1(w, CANDIDATE) <= f1(w, BASELINE)) {
                notBetter++;
            }
        }
        return (1.0 + notBetter) / (1.0 + DRAWS);
    }

    /** Cell index of (gold, baseline, candidate), each 0 or 1. */
    private static int cell(int g, int a, int b) {
        return (g & 1) << 2 | (a & 1) << 1 | (b & 1);
    }

    /** F1 of class 1 for the baseline ({@link #BASELINE}) or candidate ({@link #CANDIDATE}) from cell weights. */
    private static double f1(double[] w, int bit) {
        double tp = 0;
        double fp = 0;
        double fn = 0;
        for (int c = 0; c < 8; c++) {
            boolean g = (c & 4) != 0;
            boolean pred = (c & bit) != 0;
            if (g && pred) {
                tp += w[c];
            } else if (pred) {
                fp += w[c];
            } else if (g) {
                fn += w[c];
            }
        }
        double den = 2 * tp + fp + fn;
        return den == 0 ? 0 : 2 * tp / den;
    }

    /** Gamma(shape, 1) by Marsaglia and Tsang (2000), with the shape-boost for shape below 1. */
    static double gamma(SplittableRandom rnd, double shape) {
        if (shape < 1) {
            double u = rnd.nextDouble();
            return gamma(rnd, shape + 1) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = normal(rnd);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rnd.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    private static double normal(SplittableRandom rnd) {
        // Box-Muller; one of the pair is enough here.
        double u1 = rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
