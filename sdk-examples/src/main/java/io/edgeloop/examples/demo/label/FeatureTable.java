package io.edgeloop.examples.demo.label;

import java.util.List;

/**
 * Model inputs and gold labels of a set of windows, in the end model's feature order. Thread-safe: treat as
 * immutable (arrays are not copied, for speed; no one writes them after construction).
 *
 * @param features the feature names, in input order
 * @param rows     one input row per window
 * @param gold     the recorded class per window
 */
public record FeatureTable(List<String> features, double[][] rows, int[] gold) {
    /** @return the number of rows */
    public int size() {
        return rows.length;
    }
}
