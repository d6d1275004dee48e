package io.edgeloop.quantize.importer;

import io.edgeloop.quantize.ir.FloatModel;

/**
 * Refuses classifiers with a single class (trained on data where only one label occurs, or exported with one
 * class label): they always predict that class, and the integer runtime's one-output rule is defined for two
 * classes only. Thread-safe: stateless.
 */
final class OneClass {
    private OneClass() {
    }

    /**
     * @param m an imported model
     * @return {@code m}
     * @throws IllegalArgumentException when {@code m} is a classifier with exactly one class
     */
    static FloatModel refuse(FloatModel m) {
        if (m.classNames().size() == 1) {
            throw new IllegalArgumentException(message(m));
        }
        return m;
    }

    /**
     * @param m a one-class classifier
     * @return the one-line refusal naming its class
     */
    static String message(FloatModel m) {
        return "the model is a classifier with one class ('" + m.classNames().get(0) + "'): it predicts that class "
                + "for every input; train it on data with at least two labels";
    }
}
