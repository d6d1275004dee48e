package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.Locale;
import java.util.Random;

/**
 * Generated WRENCH-style label-model benchmarks, one per seed: train / optional valid / test splits of LF votes
 * with gold labels. Each seed draws a kind of set and its parameters:
 * <ul>
 *   <li>{@code symmetric}: 2-10 classes, 5-60 LFs, accuracies 0.3-0.95 (some below chance);</li>
 *   <li>{@code many-lfs}: 3-10 classes, 20-100 sparse LFs;</li>
 *   <li>{@code sparse-one-sided}: SMS-like, two classes with a rare positive class, 10-70 LFs that only ever vote
 *       their own class with coverage 0.2-5 %, scored by binary F1;</li>
 *   <li>{@code correlated}: 2-8 classes, LFs in groups that copy a parent LF's vote (shared errors);</li>
 *   <li>{@code confusable}: 3-10 classes, LFs that confuse specific pairs of classes, with a skewed class
 *       balance.</li>
 * </ul>
 * Validation splits are absent, small (30 or 100 rows) or larger (250-1000 rows). Binary sets with a positive class
 * rarer than 30 % are scored by binary F1 (as WRENCH does for SMS), all others by accuracy.
 */
final class GeneratedSets {
    private static final String[] KINDS = {"symmetric", "many-lfs", "sparse-one-sided", "correlated", "confusable"};
    private static final int[] VALID_SIZES = {0, 0, 30, 100, 250, 500, 1000};

    private GeneratedSets() {
    }

    /** One generated set. */
    record Set(String description, int k, LabelMatrix train, int[] trainGold, LabelMatrix valid, int[] validGold,
            LabelMatrix test, int[] testGold, Metric metric) {
        FitData fitData(long seed) {
            FitData.Builder b = FitData.builder().train(train).seed(seed);
            if (valid != null) {
                b.valid(valid, validGold);
            }
            return b.build();
        }

        double score(LabelModel model) {
            return metric.of(model.predict(test), testGold, k);
        }
    }

    /** Per-LF generation parameters. */
    private static final class Lfs {
        int[] side;      // class an LF only ever votes, or -1 for an LF that votes any class
        double[] cov;    // firing probability
        double[] acc;    // accuracy when firing (for one-sided LFs: how much more often it fires on its class)
        int[] parent;    // LF whose vote this one copies, or -1
        double[] copy;   // probability of copying the parent's vote
        int[][] confuse; // for confusable LFs: class -> the class it is mistaken for, or null
    }

    static Set generate(long seed) {
        return generate(seed, 1);
    }

    /** As {@link #generate(long)} with the test split {@code testScale} times larger (for design checks). */
    static Set generate(long seed, int testScale) {
        Random r = new Random(seed);
        String kind = KINDS[r.nextInt(KINDS.length)];
        int k;
        int m;
        switch (kind) {
            case "many-lfs":
                k = 3 + r.nextInt(8);
                m = 20 + r.nextInt(81);
                break;
            case "sparse-one-sided":
                k = 2;
                m = 10 + r.nextInt(61);
                break;
            case "correlated":
                k = 2 + r.nextInt(7);
                m = 6 + r.nextInt(40);
                break;
            case "confusable":
                k = 3 + r.nextInt(8);
                m = 5 + r.nextInt(50);
                break;
            default:
                k = 2 + r.nextInt(9);
                m = 5 + r.nextInt(56);
        }
        double[] prior = new double[k];
        if (kind.equals("sparse-one-sided")) {
            prior[1] = 0.05 + r.nextDouble() * 0.2;
            prior[0] = 1 - prior[1];
        } else {
            double skew = kind.equals("confusable") ? 3 : (r.nextBoolean() ? 2 : 0.5);
            double s = 0;
            for (int c = 0; c < k; c++) {
                prior[c] = 0.2 + r.nextDouble() * skew;
                s += prior[c];
            }
            for (int c = 0; c < k; c++) {
                prior[c] /= s;
            }
        }
        Lfs lfs = new Lfs();
        lfs.side = new int[m];
        lfs.cov = new double[m];
        lfs.acc = new double[m];
        lfs.parent = new int[m];
        lfs.copy = new double[m];
        lfs.confuse = new int[m][];
        for (int j = 0; j < m; j++) {
            lfs.parent[j] = -1;
            lfs.side[j] = -1;
            switch (kind) {
                case "many-lfs":
                    lfs.cov[j] = 0.01 + r.nextDouble() * 0.2;
                    lfs.acc[j] = 0.2 + r.nextDouble() * 0.7;
                    lfs.side[j] = r.nextDouble() < 0.3 ? r.nextInt(k) : -1;
                    break;
                case "sparse-one-sided":
                    lfs.cov[j] = 0.002 + r.nextDouble() * 0.05;
                    lfs.acc[j] = 0.3 + r.nextDouble() * 0.65;
                    lfs.side[j] = r.nextDouble() < 0.5 ? 1 : 0;
                    break;
                case "correlated":
                    lfs.cov[j] = 0.05 + r.nextDouble() * 0.4;
                    lfs.acc[j] = 0.35 + r.nextDouble() * 0.55;
                    if (j > 0 && r.nextDouble() < 0.6) {
                        lfs.parent[j] = r.nextInt(j);
                        lfs.copy[j] = 0.5 + r.nextDouble() * 0.45;
                    }
                    break;
                case "confusable":
                    lfs.cov[j] = 0.05 + r.nextDouble() * 0.4;
                    lfs.acc[j] = 0.4 + r.nextDouble() * 0.5;
                    lfs.confuse[j] = new int[k];
                    for (int c = 0; c < k; c++) {
                        lfs.confuse[j][c] = (c + 1 + r.nextInt(k - 1)) % k;
                    }
                    break;
                default:
                    lfs.cov[j] = 0.02 + r.nextDouble() * 0.4;
                    lfs.acc[j] = 0.3 + r.nextDouble() * 0.65;
                    lfs.side[j] = r.nextDouble() < 0.3 ? r.nextInt(k) : -1;
            }
        }
        int nTrain = 1000 + r.nextInt(4001);
        int nValid = VALID_SIZES[r.nextInt(VALID_SIZES.length)];
        int nTest = (500 + r.nextInt(1501)) * testScale;
        int[] ytr = new int[nTrain];
        int[] yv = new int[nValid];
        int[] yte = new int[nTest];
        LabelMatrix tr = votes(r, nTrain, k, prior, lfs, ytr);
        LabelMatrix va = nValid == 0 ? null : votes(r, nValid, k, prior, lfs, yv);
        LabelMatrix te = votes(r, nTest, k, prior, lfs, yte);
        Metric metric = k == 2 && prior[1] < 0.3 ? Metric.F1_BINARY : Metric.ACCURACY;
        String d = String.format(Locale.ROOT, "seed %d %s k=%d m=%d train=%d valid=%d test=%d %s", seed, kind, k, m,
                nTrain, nValid, nTest, metric);
        return new Set(d, k, tr, ytr, va, va == null ? null : yv, te, yte, metric);
    }

    private static LabelMatrix votes(Random r, int n, int k, double[] prior, Lfs lfs, int[] y) {
        int m = lfs.cov.length;
        int[][] rows = new int[n][m];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            int c = 0;
            double s = prior[0];
            while (u > s && c < k - 1) {
                s += prior[++c];
            }
            y[i] = c;
            for (int j = 0; j < m; j++) {
                int v = -1;
                if (lfs.parent[j] >= 0 && r.nextDouble() < lfs.copy[j]) {
                    v = rows[i][lfs.parent[j]];
                } else if (lfs.side[j] >= 0) {
                    if (r.nextDouble() < (c == lfs.side[j] ? lfs.cov[j] : lfs.cov[j] * (1 - lfs.acc[j]))) {
                        v = lfs.side[j];
                    }
                } else if (r.nextDouble() < lfs.cov[j]) {
                    if (r.nextDouble() < lfs.acc[j]) {
                        v = c;
                    } else if (lfs.confuse[j] != null) {
                        v = r.nextDouble() < 0.7 ? lfs.confuse[j][c] : r.nextInt(k);
                    } else {
                        v = (c + 1 + r.nextInt(k - 1)) % k;
                    }
                }
                rows[i][j] = v;
            }
        }
        return LabelMatrix.ofRows(k, rows);
    }
}
