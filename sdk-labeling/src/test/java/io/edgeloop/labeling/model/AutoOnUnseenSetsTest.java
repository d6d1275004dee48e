package io.edgeloop.labeling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code auto} against majority vote on 80 generated WRENCH-style sets it was not designed on: 2-10 classes,
 * 5-60 LFs, class imbalance, 40 % one-sided LFs, accuracies from below chance to 0.95, with and without a
 * validation split.
 */
class AutoOnUnseenSetsTest {
    private static LabelMatrix generate(Random r, int n, int m, int k, double[] prior, double[] cov, double[] acc,
            int[] side, int[] y) {
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
                if (side[j] >= 0) {
                    if (r.nextDouble() < (c == side[j] ? cov[j] : cov[j] * (1 - acc[j]))) {
                        v = side[j];
                    }
                } else if (r.nextDouble() < cov[j]) {
                    v = r.nextDouble() < acc[j] ? c : r.nextInt(k);
                }
                rows[i][j] = v;
            }
        }
        return LabelMatrix.ofRows(k, rows);
    }

    @Test
    @DisplayName("with validation, auto beats majority vote on most generated sets and gains on average; without, it never loses")
    void autoBeatsMajorityVoteOnGeneratedSets() {
        int better = 0;
        int worse = 0;
        int total = 0;
        double delta = 0;
        int worseWithoutValid = 0;
        for (int seed = 0; seed < 40; seed++) {
            Random r = new Random(seed);
            int k = new int[] {2, 3, 4, 6, 10}[seed % 5];
            int m = new int[] {5, 10, 30, 60}[(seed / 5) % 4];
            double[] prior = new double[k];
            double s = 0;
            for (int c = 0; c < k; c++) {
                prior[c] = 0.2 + r.nextDouble() * (seed % 2 == 0 ? 3 : 0.5);
                s += prior[c];
            }
            for (int c = 0; c < k; c++) {
                prior[c] /= s;
            }
            double[] cov = new double[m];
            double[] acc = new double[m];
            int[] side = new int[m];
            for (int j = 0; j < m; j++) {
                cov[j] = 0.02 + r.nextDouble() * 0.4;
                acc[j] = 0.35 + r.nextDouble() * 0.6;
                side[j] = r.nextDouble() < 0.4 ? r.nextInt(k) : -1;
            }
            int[] ytr = new int[3000];
            int[] yv = new int[200];
            int[] yte = new int[1000];
            LabelMatrix tr = generate(r, 3000, m, k, prior, cov, acc, side, ytr);
            LabelMatrix va = generate(r, 200, m, k, prior, cov, acc, side, yv);
            LabelMatrix te = generate(r, 1000, m, k, prior, cov, acc, side, yte);
            for (boolean withValid : new boolean[] {true, false}) {
                FitData.Builder b = FitData.builder().train(tr);
                if (withValid) {
                    b.valid(va, yv);
                }
                FitData fd = b.build();
                double mv = Scores.of(LabelModels.fit("mv", fd).predict(te), yte, k).accuracy();
                double auto = Scores.of(LabelModels.fit("auto", fd).predict(te), yte, k).accuracy();
                if (!withValid) {
                    worseWithoutValid += auto < mv - 1e-9 ? 1 : 0;
                    continue;
                }
                total++;
                better += auto > mv + 1e-9 ? 1 : 0;
                worse += auto < mv - 1e-9 ? 1 : 0;
                delta += auto - mv;
            }
        }
        String summary = String.format(Locale.ROOT, "auto vs mv on %d sets with validation: better %d, worse %d, "
                + "mean %+.2f points; without validation: worse on %d of 40", total, better, worse, delta / total,
                worseWithoutValid);
        System.out.println(summary);
        assertEquals(0, worseWithoutValid, summary);
        assertTrue(better >= 0.65 * total, summary);
        assertTrue(worse <= 0.1 * total, summary);
        assertTrue(delta / total > 1.0, summary);
    }
}
