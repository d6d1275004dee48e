package io.edgeloop.labeling.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.matrix.VoteCounts;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Snorkel's matrix-completion fit ({@code snorkel-mc}). */
class SnorkelMatrixCompletionTest {
    /** Votes from the conditionally independent model: LF j fires with {@code cov}, right with {@code acc[j]}. */
    private static LabelMatrix planted(Random r, int n, int k, double cov, double[] acc, int[] y) {
        int[][] rows = new int[n][acc.length];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(k);
            for (int j = 0; j < acc.length; j++) {
                rows[i][j] = r.nextDouble() >= cov ? -1
                        : r.nextDouble() < acc[j] ? y[i] : (y[i] + 1 + r.nextInt(k - 1)) % k;
            }
        }
        return LabelMatrix.ofRows(k, rows);
    }

    @Test
    @DisplayName("the analytic gradient of the masked matrix-completion loss matches finite differences")
    void gradientMatchesFiniteDifferences() {
        Random r = new Random(3);
        int m = 4;
        int k = 3;
        int d = m * k;
        double[] o = new double[d * d];
        for (int a = 0; a < d; a++) {
            for (int b = 0; b <= a; b++) {
                o[a * d + b] = r.nextDouble() * 0.2;
                o[b * d + a] = o[a * d + b];
            }
        }
        double[] mu = new double[d * k];
        for (int i = 0; i < mu.length; i++) {
            mu[i] = r.nextDouble();
        }
        double[] p = {0.2, 0.3, 0.5};
        double[] grad = new double[d * k];
        SnorkelMatrixCompletion.gradient(o, mu, p, m, k, grad);
        double[] scratch = new double[d * k];
        assertMatchesFiniteDifferences(x -> SnorkelMatrixCompletion.gradient(o, x, p, m, k, scratch), mu, grad);
    }

    /** Every entry of {@code grad} equals the central difference of {@code loss} at {@code mu} (step 1e-6). */
    private static void assertMatchesFiniteDifferences(java.util.function.ToDoubleFunction<double[]> loss,
            double[] mu, double[] grad) {
        double h = 1e-6;
        for (int i = 0; i < mu.length; i++) {
            double[] up = mu.clone();
            up[i] += h;
            double[] down = mu.clone();
            down[i] -= h;
            double numeric = (loss.applyAsDouble(up) - loss.applyAsDouble(down)) / (2 * h);
            assertEquals(numeric, grad[i], 1e-6 * Math.max(1, Math.abs(numeric)), "entry " + i);
        }
    }

    @Test
    @DisplayName("the structured loss and gradient (from the vote patterns, never the d x d O) equal the dense formula "
            + "and match finite differences")
    void structuredGradientEqualsDenseAndFiniteDifferences() {
        Random r = new Random(5);
        int m = 5;
        int k = 4;
        int[] y = new int[600];
        LabelMatrix votes = planted(r, y.length, k, 0.5, new double[] {0.9, 0.7, 0.6, 0.5, 0.4}, y);
        // both ways of computing O mu: from the dense O (taken here, 400 cells against more index pairs) and from
        // the vote patterns
        for (boolean denseProducts : new boolean[] {true, false}) {
            SnorkelMatrixCompletion.Agreement agreement = new SnorkelMatrixCompletion.Agreement(VoteCounts.of(votes),
                    denseProducts);
            assertEquals(denseProducts, agreement.denseO != null);
            checkAgainstDense(r, agreement, m, k);
        }
    }

    private static void checkAgainstDense(Random r, SnorkelMatrixCompletion.Agreement agreement, int m, int k) {
        int d = m * k;
        double[] o = agreement.dense();
        double[] mu = new double[d * k];
        for (int i = 0; i < mu.length; i++) {
            mu[i] = r.nextDouble();
        }
        double[] p = {0.1, 0.2, 0.3, 0.4};
        double[] dense = new double[d * k];
        double[] structured = new double[d * k];
        double lossDense = SnorkelMatrixCompletion.gradient(o, mu, p, m, k, dense);
        double lossStructured = agreement.gradient(mu, p, structured);
        assertEquals(lossDense, lossStructured, 1e-9 * Math.max(1, Math.abs(lossDense)));
        assertArrayEquals(dense, structured, 1e-9);
        double[] scratch = new double[d * k];
        assertMatchesFiniteDifferences(x -> agreement.gradient(x, p, scratch), mu, structured);
    }

    @Test
    @DisplayName("127 classes x 40 LFs fits in seconds (it ran over 536 s); above the stated size it is refused "
            + "naming ds and snorkel")
    void manyClassesFitOrAreRefused() {
        Random r = new Random(8);
        int k = 127;
        double[] acc = new double[40];
        java.util.Arrays.fill(acc, 0.7);
        int[] y = new int[3_000];
        LabelMatrix train = planted(r, y.length, k, 0.2, acc, y);
        long start = System.nanoTime();
        LabelModel mc = LabelModels.fit("snorkel-mc", FitData.of(train));
        double seconds = (System.nanoTime() - start) / 1e9;
        double mv = Metric.ACCURACY.of(LabelModels.fit("mv", FitData.of(train)).predict(train), y, k);
        double acc127 = Metric.ACCURACY.of(mc.predict(train), y, k);
        assertTrue(acc127 > mv - 5, "snorkel-mc " + acc127 + " vs mv " + mv + " (" + seconds + " s)");
        acc = new double[130];
        java.util.Arrays.fill(acc, 0.7);
        LabelMatrix big = planted(r, 200, k, 0.2, acc, new int[200]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabelModels.fit("snorkel-mc", FitData.of(big)));
        assertTrue(e.getMessage().contains("130 LFs x 127 classes") && e.getMessage().contains("use ds or snorkel"),
                e.getMessage());
    }

    @Test
    @DisplayName("on votes from its own model (3 classes, 10 LFs of accuracy 0.45-0.9) it beats majority vote")
    void beatsMajorityVoteOnItsOwnModel() {
        Random r = new Random(11);
        double[] acc = {0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.55, 0.5, 0.45, 0.45};
        int[] ytr = new int[20_000];
        int[] yte = new int[5_000];
        LabelMatrix train = planted(r, ytr.length, 3, 0.5, acc, ytr);
        LabelMatrix test = planted(r, yte.length, 3, 0.5, acc, yte);
        FitData data = FitData.of(train);
        double mv = Metric.ACCURACY.of(LabelModels.fit("mv", data).predict(test), yte, 3);
        double mc = Metric.ACCURACY.of(LabelModels.fit("snorkel-mc", data).predict(test), yte, 3);
        assertTrue(mc > mv + 1, "snorkel-mc " + mc + " vs mv " + mv);
    }

    @Test
    @DisplayName("fitted from merged per-device counts it equals the fit on the concatenated rows, and a seed fixes it")
    void mergesAndIsDeterministic() {
        Random r = new Random(12);
        double[] acc = {0.8, 0.7, 0.65, 0.6, 0.55};
        int[] y = new int[4_000];
        LabelMatrix all = planted(r, y.length, 2, 0.6, acc, y);
        VoteCounts merged = VoteCounts.of(all.slice(0, 1_500)).merge(VoteCounts.of(all.slice(1_500, 4_000)));
        double[][] a = LabelModels.fit("snorkel-mc", FitData.builder().counts(merged).seed(4).build())
                .predictProba(all);
        double[][] b = LabelModels.fit("snorkel-mc", FitData.builder().train(all).seed(4).build()).predictProba(all);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(b[i], a[i], 1e-12);
        }
        assertEquals(List.of("mv", "wmv", "ds", "snorkel", "snorkel-mc", "hmm", "auto"), LabelModels.NAMES);
    }
}
