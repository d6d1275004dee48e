package io.edgeloop.labeling.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Label-error detection by confident learning (Northcutt et al., as in cleanlab's {@code find_label_issues}
 * with the "prune by noise rate" idea reduced to its core): out-of-fold predicted probabilities from k-fold
 * training, a per-class threshold {@code t_c} = mean predicted probability of class c over rows labelled c, and a
 * row is a suspected error when its given label's probability is below that class's threshold while another
 * class's probability reaches its own threshold. Suspects are ranked by how far the given label falls short.
 *
 * <p>Thread-safe: immutable.
 */
public final class ConfidentLearning {
    private final EndModelTrainer trainer;
    private final int folds;
    private final long seed;

    /**
     * @param trainer the end-model trainer used per fold
     * @param folds   number of folds, at least 2
     * @param seed    seed for the fold assignment
     */
    public ConfidentLearning(EndModelTrainer trainer, int folds, long seed) {
        if (folds < 2) {
            throw new IllegalArgumentException("confident learning needs at least 2 folds, got " + folds);
        }
        this.trainer = trainer;
        this.folds = folds;
        this.seed = seed;
    }

    /**
     * A suspected label error.
     *
     * <p>Thread-safe: immutable.
     *
     * @param row        the row
     * @param given      its label
     * @param suggested  the class the out-of-fold model is confident about
     * @param givenProba out-of-fold probability of the given label
     */
    public record Suspect(int row, int given, int suggested, double givenProba) {
    }

    /**
     * Finds suspected label errors among the labelled rows.
     *
     * @param table  features
     * @param labels the labels to check
     * @return suspects, most suspicious first
     */
    public List<Suspect> find(FeatureTable table, WeakLabels labels) {
        int n = table.size();
        int k = labels.numClasses();
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (labels.label(i) >= 0 && table.complete(i)) {
                rows.add(i);
            }
        }
        int[] fold = new int[n];
        Random r = new Random(seed);
        for (int i : rows) {
            fold[i] = r.nextInt(folds);
        }
        double[][] oof = new double[n][];
        for (int f = 0; f < folds; f++) {
            final int held = f;
            int[] y = new int[n];
            float[] w = new float[n];
            WeakLabels train = labels;
            for (int i = 0; i < n; i++) {
                boolean in = labels.label(i) >= 0 && fold[i] != held;
                y[i] = in ? labels.label(i) : -1;
                w[i] = in ? labels.weight(i) : 0f;
            }
            train = WeakLabels.fromProbabilities(new double[n][k], new boolean[n], 0).adopt(y, w);
            EndModel m = trainer.train(table, train);
            for (int i : rows) {
                if (fold[i] == held) {
                    oof[i] = m.predictProba(table.row(i));
                }
            }
        }
        double[] threshold = new double[k];
        int[] count = new int[k];
        for (int i : rows) {
            threshold[labels.label(i)] += oof[i][labels.label(i)];
            count[labels.label(i)]++;
        }
        for (int c = 0; c < k; c++) {
            threshold[c] = count[c] == 0 ? 1.0 : threshold[c] / count[c];
        }
        List<Suspect> out = new ArrayList<>();
        for (int i : rows) {
            int g = labels.label(i);
            if (oof[i][g] >= threshold[g]) {
                continue;
            }
            int best = -1;
            for (int c = 0; c < k; c++) {
                if (c != g && oof[i][c] >= threshold[c] && (best < 0 || oof[i][c] > oof[i][best])) {
                    best = c;
                }
            }
            if (best >= 0) {
                out.add(new Suspect(i, g, best, oof[i][g]));
            }
        }
        out.sort(Comparator.comparingDouble(Suspect::givenProba).thenComparingInt(Suspect::row));
        return out;
    }
}
