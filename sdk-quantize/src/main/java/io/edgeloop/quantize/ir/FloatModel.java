package io.edgeloop.quantize.ir;

import java.util.List;

/**
 * A float model in Edgeloop's intermediate representation: what the importers produce and the quantizers
 * consume. Inputs are raw feature values in {@link #featureNames()} order; {@link #scores(double[])} returns the
 * values the integer model approximates (logits, votes or regression outputs).
 *
 * <p>Implementations are immutable and thread-safe.
 */
public sealed interface FloatModel permits NetworkModel, TreeEnsembleModel {
    /** @return the feature names, in input order */
    List<String> featureNames();

    /** @return class names in output order, empty for regression */
    List<String> classNames();

    /** @return the number of inputs */
    default int inputSize() {
        return featureNames().size();
    }

    /** @return the number of scores */
    int outputSize();

    /** @return whether the model is a classifier */
    default boolean isClassifier() {
        return !classNames().isEmpty();
    }

    /**
     * @param x raw features
     * @return the scores before the head
     */
    double[] scores(double[] x);

    /**
     * @param x raw features
     * @return the predicted class index (largest score, lowest index on ties)
     */
    default int predictClass(double[] x) {
        return argmax(scores(x));
    }

    /** @return a short kind name ({@code network}, {@code tree-ensemble}) */
    String kind();

    /**
     * @param v values
     * @return the index of the largest value, lowest index on ties
     */
    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * @param v values
     * @return the index of the largest value, lowest index on ties
     */
    static int argmax(int[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
