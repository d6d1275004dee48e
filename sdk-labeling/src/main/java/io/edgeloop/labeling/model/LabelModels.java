package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Fits label models by name: {@code mv}, {@code wmv}, {@code ds}, {@code snorkel} (EM), {@code snorkel-mc}
 * (Snorkel's matrix completion), {@code hmm}, {@code auto}.
 *
 * <p>Thread-safe: static methods only.
 */
public final class LabelModels {
    /** The names {@link #fit(String, FitData)} accepts. */
    public static final List<String> NAMES = List.of("mv", "wmv", "ds", "snorkel", "snorkel-mc", "hmm",
            "auto");

    private LabelModels() {
    }

    /**
     * Fits a label model.
     *
     * @param name one of {@link #NAMES}
     * @param data training counts and optional prior / validation data
     * @return the fitted model
     * @throws IllegalArgumentException for an unknown name or data the model cannot use
     */
    public static LabelModel fit(String name, FitData data) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        switch (name) {
            case "mv":
                return MajorityVote.plain(data);
            case "wmv":
                return MajorityVote.weighted(data);
            case "ds":
                return DawidSkene.fit(data);
            case "snorkel":
                return SnorkelStyleModel.fit(data);
            case "snorkel-mc":
                return SnorkelMatrixCompletion.fit(data);
            case "hmm":
                return TemporalModel.fit(data);
            case "auto":
                return AutoLabelModel.fit(data);
            default:
                throw new IllegalArgumentException("unknown label model '" + name + "'; available: " + NAMES);
        }
    }

    /**
     * Labels the training rows: the model's probabilities, except that every row the expert answered (given
     * through {@link FitData.Builder#answers}) takes its answer, one-hot. This is how answers reach the labels of
     * every model, including those with nothing to learn ({@code mv}).
     *
     * @param model the fitted model
     * @param train the training matrix the answers' row indices refer to
     * @param data  the fit data holding the answers
     * @return one probability vector per training row
     * @throws IllegalArgumentException when an answered row is outside the matrix
     */
    public static double[][] labelTrainingRows(LabelModel model, LabelMatrix train, FitData data) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(data, "data");
        double[][] probs = model.predictProba(train);
        int[] rows = data.answeredRows().orElse(new int[0]);
        int[] labels = data.goldLabels().orElse(new int[0]);
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] >= probs.length) {
                throw new IllegalArgumentException("an answer refers to training row " + rows[r] + ", the matrix has "
                        + probs.length + " rows");
            }
            Arrays.fill(probs[rows[r]], 0);
            probs[rows[r]][labels[r]] = 1;
        }
        return probs;
    }
}
