package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Majority vote whose ties (including rows where every LF abstains) are settled by another model's probabilities
 * instead of by hash: decisive rows keep exactly the majority-vote decision, so the result can differ from
 * {@code mv} only on rows where majority vote had no opinion.
 *
 * <p>Thread-safe: immutable.
 */
public final class TieBrokenVote implements LabelModel {
    /** Weight of the tie-breaker; below the smallest gap between distinct vote shares (1/127). */
    static final double EPSILON = 1e-3;

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
        double[][] p = vote.predictProba(matrix);
        double[][] t = tieBreaker.predictProba(matrix);
        for (int i = 0; i < p.length; i++) {
            for (int c = 0; c < p[i].length; c++) {
                p[i][c] += EPSILON * t[i][c];
            }
            RowModel.normalise(p[i]);
        }
        return p;
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("model", name());
        s.put("epsilon", Double.toString(EPSILON));
        tieBreaker.settings().forEach((k, v) -> s.put("tieBreaker." + k, v));
        return s;
    }
}
