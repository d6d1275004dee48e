package io.edgeloop.labeling.matrix;

import java.util.List;
import java.util.Objects;

/**
 * One labelling function's summary over a label matrix, with Snorkel's definitions: coverage (share of rows it
 * votes on), overlap (share of rows where it and at least one other LF vote), conflict (share of rows where it
 * and another LF vote differently), polarity (the classes it ever votes), and empirical accuracy against gold
 * labels (NaN when no gold label is known for any row it votes on).
 *
 * <p>Thread-safe: immutable.
 *
 * @param name              the LF name
 * @param votes             number of non-abstain votes
 * @param coverage          share of rows with a vote, 0..1
 * @param overlap           share of rows with a vote and another LF's vote, 0..1
 * @param conflict          share of rows with a vote and a disagreeing vote, 0..1
 * @param polarity          the distinct classes voted, ascending
 * @param empiricalAccuracy share of its votes (on rows with gold) that match the gold label, or NaN
 * @param goldVotes         number of its votes on rows with a known gold label
 */
public record LfStats(String name, long votes, double coverage, double overlap, double conflict,
        List<Integer> polarity, double empiricalAccuracy, long goldVotes) {
    /** Validates and copies. */
    public LfStats {
        Objects.requireNonNull(name, "name");
        polarity = List.copyOf(polarity);
    }
}
