package io.edgeloop.labeling.active;

import io.edgeloop.labeling.model.Predictions;
import java.util.List;

/**
 * How informative a row is (higher = ask sooner): least confidence {@code 1 - max p}, margin
 * {@code 1 - (p1 - p2)}, entropy, label-model / LF disagreement (share of non-abstaining LFs voting against the
 * model's choice, plus the model's uncertainty; a row no LF voted on has no disagreement), and query-by-committee
 * vote entropy over several label models' choices.
 *
 * <p>Thread-safe: an enum of pure functions.
 */
public enum QueryStrategy {
    /** {@code 1 - max p}. */
    LEAST_CONFIDENCE,
    /** {@code 1 - (p_first - p_second)}. */
    MARGIN,
    /** Shannon entropy of p. */
    ENTROPY,
    /**
     * Share of voting LFs that disagree with the model's class, plus half the least confidence. When the model ties
     * on several classes (within {@link Predictions#TIE_TOLERANCE}) the share is averaged over them, so the score
     * does not depend on which tied class comes first; a row with no LF vote has no disagreement and scores half
     * its least confidence.
     */
    DISAGREEMENT,
    /** Vote entropy over the committee's predicted classes, plus half the mean least confidence. */
    COMMITTEE;

    /**
     * Scores one row.
     *
     * @param p         the label model's probabilities
     * @param votes     the row's LF votes
     * @param committee other models' probabilities for this row (used by {@link #COMMITTEE}; may be empty)
     * @return the informativeness
     */
    public double score(double[] p, int[] votes, List<double[]> committee) {
        int best = 0;
        int second = -1;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                second = best;
                best = c;
            } else if (second < 0 || p[c] > p[second]) {
                second = c;
            }
        }
        double lc = 1 - p[best];
        switch (this) {
            case LEAST_CONFIDENCE:
                return lc;
            case MARGIN:
                return 1 - (p[best] - (second < 0 ? 0 : p[second]));
            case ENTROPY: {
                double h = 0;
                for (double x : p) {
                    h -= x > 0 ? x * Math.log(x) : 0;
                }
                return h;
            }
            case DISAGREEMENT: {
                // Against each class the model ties on (within Predictions' tolerance), averaged: a vote for
                // either class of a 50/50 row disagrees equally. No vote is no disagreement, not total disagreement.
                int voting = 0;
                for (int v : votes) {
                    voting += v >= 0 ? 1 : 0;
                }
                if (voting == 0) {
                    return 0.5 * lc;
                }
                int tied = 0;
                int against = 0;
                for (int c = 0; c < p.length; c++) {
                    if (Math.abs(p[c] - p[best]) < Predictions.TIE_TOLERANCE) {
                        tied++;
                        for (int v : votes) {
                            against += v >= 0 && v != c ? 1 : 0;
                        }
                    }
                }
                return (double) against / ((double) tied * voting) + 0.5 * lc;
            }
            case COMMITTEE: {
                if (committee.isEmpty()) {
                    return lc;
                }
                double[] counts = new double[p.length];
                double meanLc = 0;
                for (double[] q : committee) {
                    int b = 0;
                    for (int c = 1; c < q.length; c++) {
                        if (q[c] > q[b]) {
                            b = c;
                        }
                    }
                    counts[b]++;
                    meanLc += 1 - q[b];
                }
                double h = 0;
                for (double c : counts) {
                    double f = c / committee.size();
                    h -= f > 0 ? f * Math.log(f) : 0;
                }
                return h + 0.5 * meanLc / committee.size();
            }
            default:
                throw new IllegalStateException(name());
        }
    }
}
