package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.Map;

/**
 * A fitted label model: turns each row of labelling-function votes into class probabilities.
 *
 * <p>Obtain one with {@link LabelModels#fit(String, FitData)}. Fitting is deterministic for a seed.
 *
 * <p>Implementations are immutable once fitted and thread-safe.
 */
public interface LabelModel {
    /** @return the model's name, for example {@code ds} */
    String name();

    /** @return the number of classes */
    int numClasses();

    /**
     * Class probabilities for every row of a matrix. Rows are scored independently unless the model is a sequence
     * model ({@link #isSequenceModel()}), which reads rows as consecutive frames.
     *
     * @param matrix votes with the same labelling functions the model was fitted on
     * @return one probability vector per row
     */
    double[][] predictProba(LabelMatrix matrix);

    /** @return true when {@link #predictProba(LabelMatrix)} uses the order of rows */
    default boolean isSequenceModel() {
        return false;
    }

    /**
     * Class probabilities for rows that are <b>not</b> a frame sequence (a WRENCH split without {@code data.frame},
     * say): every row is scored on its own, whatever rows happen to be next to it. A sequence model scores each row
     * from its per-row part (the hidden Markov model: its emission model); other models as
     * {@link #predictProba(LabelMatrix)}.
     *
     * @param matrix votes with the same labelling functions the model was fitted on
     * @return one probability vector per row, each independent of the other rows
     */
    default double[][] predictProbaUnordered(LabelMatrix matrix) {
        return predictProba(matrix);
    }

    /**
     * Hard predictions with WRENCH's tie-breaking ({@link Predictions#fromProbabilities(double[][])}).
     *
     * @param matrix the votes
     * @return one class index per row
     */
    default int[] predict(LabelMatrix matrix) {
        return Predictions.fromProbabilities(predictProba(matrix));
    }

    /** @return the settings and learned summary values, for provenance and reports */
    Map<String, String> settings();
}
