package io.edgeloop.labeling.active;

import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.api.label.Expert;
import java.util.Optional;

/**
 * An expert that answers from known gold labels (for tests and benchmarks); rows with unknown gold (-1) are
 * skipped. Counts the questions asked.
 *
 * <p>Not thread-safe (the question counter is unsynchronised).
 */
public final class SimulatedOracle implements Expert {
    private final int[] gold;
    private int asked;

    /**
     * @param gold gold label per row, -1 for unknown
     */
    public SimulatedOracle(int[] gold) {
        this.gold = gold.clone();
    }

    @Override
    public String name() {
        return "oracle";
    }

    /**
     * @throws IllegalArgumentException when asked about a row beyond the gold array (one shorter than the matrix)
     */
    @Override
    public Optional<Integer> answer(ExpertQuery query) {
        if (query.row() >= gold.length) {
            throw new IllegalArgumentException("the oracle was asked about row " + query.row() + " but holds gold "
                    + "labels for " + gold.length + " rows; give it one per matrix row (-1 where unknown)");
        }
        asked++;
        int g = gold[query.row()];
        return g < 0 ? Optional.empty() : Optional.of(g);
    }

    /** @return the number of questions asked */
    public int asked() {
        return asked;
    }
}
