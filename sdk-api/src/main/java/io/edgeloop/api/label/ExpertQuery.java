package io.edgeloop.api.label;

import java.util.Arrays;
import java.util.Objects;

/**
 * A question for an expert: which class is row {@code row}? Carries what the system currently believes, so an
 * expert (or a UI) can show it.
 *
 * <p>Thread-safe: immutable (arrays are copied). Equality, hash code and text form go by the arrays' content.
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

    /**
     * Compares by row and array content.
     *
     * @param o the other object
     * @return true when {@code o} is a query for the same row with equal arrays
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof ExpertQuery q && q.row == row && Arrays.equals(q.probabilities, probabilities)
                && Arrays.equals(q.votes, votes) && Arrays.equals(q.features, features);
    }

    /**
     * Hashes the row and the arrays' content.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(row, Arrays.hashCode(probabilities), Arrays.hashCode(votes), Arrays.hashCode(features));
    }

    /**
     * Shows the row and the arrays' content.
     *
     * @return the text form
     */
    @Override
    public String toString() {
        return "ExpertQuery[row=" + row + ", probabilities=" + Arrays.toString(probabilities) + ", votes="
                + Arrays.toString(votes) + ", features=" + Arrays.toString(features) + "]";
    }
}
