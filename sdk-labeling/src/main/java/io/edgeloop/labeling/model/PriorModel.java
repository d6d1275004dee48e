package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.Arrays;
import java.util.Map;

/**
 * Predicts the class prior for every row, ignoring votes; used to settle majority-vote ties.
 *
 * <p>Thread-safe: immutable.
 */
final class PriorModel implements LabelModel {
    private final double[] prior;

    PriorModel(double[] prior) {
        double s = Arrays.stream(prior).sum();
        this.prior = Arrays.stream(prior).map(x -> x / s).toArray();
    }

    @Override
    public String name() {
        return "prior";
    }

    @Override
    public int numClasses() {
        return prior.length;
    }

    @Override
    public double[][] predictProba(LabelMatrix matrix) {
        double[][] out = new double[matrix.rows()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = prior.clone();
        }
        return out;
    }

    @Override
    public Map<String, String> settings() {
        return Map.of("model", "prior", "prior", Arrays.toString(prior));
    }
}
