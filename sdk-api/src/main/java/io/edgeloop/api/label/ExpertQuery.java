package io.edgeloop.api.label;

import java.util.Objects;

/**
 * A question for an expert: which class is row {@code row}? Carries what the system currently believes, so an
 * expert (or a UI) can show it.
 *
 * <p>Thread-safe: immutable (arrays are copied).
 *
 * @param row           the row index in the pool
 * @param probabilities the label model's class probabilities
 * @param votes         the LF votes, -1 for abstain
 * @param features      the feature values shown to the expert
 */
public record ExpertQuery(int row, double[] probabilities, int[] votes, double[] features) {
    /** Copies the arrays. */
    public ExpertQuery {
        probabilities = Objects.requireNonNull(probabilities, "probabilities").clone();
        votes = Objects.requireNonNull(votes, "votes").clone();
        features = Objects.requireNonNull(features, "features").clone();
    }

    @Override
    public double[] probabilities() {
        return probabilities.clone();
    }

    @Override
    public int[] votes() {
        return votes.clone();
    }

    @Override
    public double[] features() {
        return features.clone();
    }
}
