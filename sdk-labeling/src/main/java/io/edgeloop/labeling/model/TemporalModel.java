package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A hidden Markov model over consecutive frames: emissions are a {@link DawidSkene} model's class-conditional
 * vote likelihoods, the class follows a first-order Markov chain whose transition matrix is learned by
 * Baum-Welch on the ordered training frames, and posteriors come from forward-backward. Suited to frame
 * sequences (the Tennis rally set), where a class persists across many frames and single frames are noisy. Rows
 * that are not a frame sequence are scored from the emissions alone ({@link #predictProbaUnordered}).
 *
 * <p>Thread-safe: immutable once fitted.
 */
public final class TemporalModel implements LabelModel {
    private static final int BAUM_WELCH_ROUNDS = 50;

    private final DawidSkene emissions;
    private final double[] initial;
    private final double[][] transition;

    private TemporalModel(DawidSkene emissions, double[] initial, double[][] transition) {
        this.emissions = emissions;
        this.initial = initial;
        this.transition = transition;
    }

    /**
     * Fits the model.
     *
     * @param data fit data with the training rows in order ({@link FitData.Builder#sequence(LabelMatrix)})
     * @return the fitted model
     * @throws IllegalArgumentException when the data has no ordered training frames
     */
    public static TemporalModel fit(FitData data) {
        LabelMatrix seq = data.sequence().orElseThrow(() -> new IllegalArgumentException(
                "hmm needs the training rows as an ordered frame sequence: give them with FitData.Builder.sequence "
                        + "(WrenchEvaluation.fitData does for a WRENCH split whose rows are frames)"));
        DawidSkene ds = DawidSkene.fit(data);
        RowModel.checkShape(ds, ds.lfNames(), seq);
        int k = ds.numClasses();
        double[][] like = likelihoods(ds, seq);
        double[] init = ds.classMarginals();
        double[][] a = new double[k][k];
        for (double[] r : a) {
            Arrays.fill(r, 1.0 / k);
        }
        // Start from a sticky chain; Baum-Welch then fits it to the frames.
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                a[i][j] = i == j ? 0.9 : 0.1 / (k - 1);
            }
        }
        for (int round = 0; round < BAUM_WELCH_ROUNDS; round++) {
            double[][] next = new double[k][k];
            forwardBackward(like, init, a, next);
            double change = 0;
            for (int i = 0; i < k; i++) {
                double s = Arrays.stream(next[i]).sum();
                for (int j = 0; j < k; j++) {
                    double v = s > 0 ? next[i][j] / s : 1.0 / k;
                    v = Math.max(v, 1e-6);
                    change = Math.max(change, Math.abs(v - a[i][j]));
                    next[i][j] = v;
                }
            }
            a = next;
            if (change < 1e-7) {
                break;
            }
        }
        return new TemporalModel(ds, init, a);
    }

    /**
     * Emission likelihoods per frame, scaled so the largest is 1. A class with a zero Dawid-Skene marginal (no LF
     * vote or answer ever put mass on it) gets likelihood 0: its emission table is not learned, and without the
     * marginal it would otherwise explain every frame equally well and Baum-Welch could move into it.
     */
    private static double[][] likelihoods(DawidSkene ds, LabelMatrix m) {
        int k = ds.numClasses();
        double[] marginals = ds.classMarginals();
        double[][] like = new double[m.rows()][k];
        byte[] row = new byte[m.lfs()];
        for (int t = 0; t < m.rows(); t++) {
            m.row(t, row);
            ds.logLikelihood(row, like[t]);
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                if (marginals[c] > 0) {
                    max = Math.max(max, like[t][c]);
                }
            }
            for (int c = 0; c < k; c++) {
                like[t][c] = !(marginals[c] > 0) ? 0.0
                        : max == Double.NEGATIVE_INFINITY ? 1.0 : Math.exp(like[t][c] - max);
            }
        }
        return like;
    }

    /** Scaled forward-backward; returns posteriors and, when {@code xi} is given, adds expected transitions. */
    private static double[][] forwardBackward(double[][] like, double[] init, double[][] a, double[][] xi) {
        int n = like.length;
        int k = init.length;
        double[][] alpha = new double[n][k];
        double[] scale = new double[n];
        for (int t = 0; t < n; t++) {
            double s = 0;
            for (int j = 0; j < k; j++) {
                double p;
                if (t == 0) {
                    p = init[j];
                } else {
                    p = 0;
                    for (int i = 0; i < k; i++) {
                        p += alpha[t - 1][i] * a[i][j];
                    }
                }
                alpha[t][j] = p * like[t][j];
                s += alpha[t][j];
            }
            if (!(s > 0)) {
                Arrays.fill(alpha[t], 1.0 / k);
                s = 1;
            } else {
                for (int j = 0; j < k; j++) {
                    alpha[t][j] /= s;
                }
            }
            scale[t] = s;
        }
        double[][] beta = new double[n][k];
        if (n > 0) {
            Arrays.fill(beta[n - 1], 1.0);
        }
        for (int t = n - 2; t >= 0; t--) {
            double s = 0;
            for (int i = 0; i < k; i++) {
                double b = 0;
                for (int j = 0; j < k; j++) {
                    b += a[i][j] * like[t + 1][j] * beta[t + 1][j];
                }
                beta[t][i] = b;
                s += b;
            }
            for (int i = 0; i < k; i++) {
                beta[t][i] = s > 0 ? beta[t][i] / s : 1.0 / k;
            }
        }
        double[][] post = new double[n][k];
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < k; j++) {
                post[t][j] = alpha[t][j] * beta[t][j];
            }
            RowModel.normalise(post[t]);
            if (xi != null && t + 1 < n) {
                double s = 0;
                double[][] x = new double[k][k];
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        x[i][j] = alpha[t][i] * a[i][j] * like[t + 1][j] * beta[t + 1][j];
                        s += x[i][j];
                    }
                }
                if (s > 0) {
                    for (int i = 0; i < k; i++) {
                        for (int j = 0; j < k; j++) {
                            xi[i][j] += x[i][j] / s;
                        }
                    }
                }
            }
        }
        return post;
    }

    @Override
    public double[][] predictProba(LabelMatrix matrix) {
        RowModel.checkShape(this, emissions.lfNames(), matrix);
        return forwardBackward(likelihoods(emissions, matrix), initial, transition, null);
    }

    /**
     * Rows that are not consecutive frames: the emission model's (Dawid-Skene) posterior per row, without the Markov
     * chain, so no row's probabilities depend on its neighbours.
     *
     * @param matrix the votes
     * @return one probability vector per row
     */
    @Override
    public double[][] predictProbaUnordered(LabelMatrix matrix) {
        RowModel.checkShape(this, emissions.lfNames(), matrix);
        return emissions.predictProba(matrix);
    }

    @Override
    public boolean isSequenceModel() {
        return true;
    }

    @Override
    public String name() {
        return "hmm";
    }

    @Override
    public int numClasses() {
        return initial.length;
    }

    /** @return the learned transition matrix (copy) */
    public double[][] transition() {
        double[][] c = new double[transition.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = transition[i].clone();
        }
        return c;
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("model", "hmm");
        s.put("emissions", "ds");
        s.put("transition", Arrays.deepToString(transition));
        return s;
    }
}
