package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Majority vote whose ties (including rows where every LF abstains) are settled by another model's probabilities
 * instead of by hash: decisive rows keep exactly the majority-vote decision, so the result can differ from
 * {@code mv} only on rows where majority vote had no opinion.
 *
 * <p>The rule is explicit: the classes majority vote ties on (within {@link Predictions#TIE_TOLERANCE} of its
 * maximum) are kept, and of those the tie-breaker's most probable one wins; only when the tie-breaker ties among
 * them as well (within the same tolerance) does WRENCH's hash pick among the classes it ties on. Decisive rows get
 * majority vote's probabilities unchanged; on a tied row the winner's probability is raised by
 * {@value #MARGIN} (taken evenly from the other tied classes), so {@link Predictions} reads the same decision
 * from {@link #predictProba(LabelMatrix)} whatever the number of votes or the tie-breaker's gaps.
 *
 * <p>Thread-safe: immutable.
 */
public final class TieBrokenVote implements LabelModel {
    /** How far a settled tie's winner is lifted above the other tied classes; 10 x the tie tolerance. */
    static final double MARGIN = 1e-4;

    private final MajorityVote vote;
    private final LabelModel tieBreaker;

    /**
     * @param vote       the majority vote
     * @param tieBreaker the model that settles ties
     */
    public TieBrokenVote(MajorityVote vote, LabelModel tieBreaker) {
        this.vote = vote;
        this.tieBreaker = tieBreaker;
    }

    @Override
    public String name() {
        return "mv>" + tieBreaker.name();
    }

    @Override
    public int numClasses() {
        return vote.numClasses();
    }

    @Override
    public boolean isSequenceModel() {
        return tieBreaker.isSequenceModel();
    }

    @Override
    public double[][] predictProba(LabelMatrix matrix) {
        return settle(vote.predictProba(matrix), tieBreaker.predictProba(matrix));
    }

    /**
     * As {@link #predictProba(LabelMatrix)}, with the tie-breaker scoring rows on their own
     * ({@link LabelModel#predictProbaUnordered}).
     *
     * @param matrix the votes
     * @return one probability vector per row
     */
    @Override
    public double[][] predictProbaUnordered(LabelMatrix matrix) {
        return settle(vote.predictProba(matrix), tieBreaker.predictProbaUnordered(matrix));
    }

    private double[][] settle(double[][] p, double[][] t) {
        int k = numClasses();
        boolean[] tied = new boolean[k];
        for (int i = 0; i < p.length; i++) {
            int n = Predictions.tied(p[i], null, tied);
            if (n <= 1) {
                continue;
            }
            int winner = Predictions.argmaxAmong(t[i], tied, i);
            for (int c = 0; c < k; c++) {
                if (tied[c]) {
                    p[i][c] += c == winner ? MARGIN : -MARGIN / (n - 1);
                }
            }
        }
        return p;
    }


    @Override
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("model", name());
        s.put("ties", "majority vote's tied classes, then the tie-breaker's most probable of them, then hash");
        tieBreaker.settings().forEach((k, v) -> s.put("tieBreaker." + k, v));
        return s;
    }
}
