package io.edgeloop.labeling.model;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Majority vote with WRENCH semantics: each class gets its share of the non-abstain votes, optionally weighted
 * per class ({@code wmv}: weights are the class prior, not LF accuracies); a row where every LF abstains gets the
 * uniform distribution, so {@link Predictions} breaks the tie by hash.
 *
 * <p>Thread-safe: immutable.
 */
public final class MajorityVote extends RowModel {
    private final String name;
    private final double[] classWeights;

    private MajorityVote(String name, List<String> lfNames, double[] classWeights) {
        super(lfNames);
        this.name = name;
        this.classWeights = classWeights;
    }

    /**
     * Plain majority vote ({@code mv}).
     *
     * @param data fit data (only the shape is used)
     * @return the model
     */
    public static MajorityVote plain(FitData data) {
        double[] w = new double[data.numClasses()];
        Arrays.fill(w, 1.0);
        return new MajorityVote("mv", data.counts().lfNames(), w);
    }

    /**
     * Prior-weighted majority vote ({@code wmv}): each class's votes times its WRENCH class prior.
     *
     * @param data fit data with a class prior (from a validation split, else from expert answers)
     * @return the model
     * @throws IllegalArgumentException when there is no class prior
     */
    public static MajorityVote weighted(FitData data) {
        double[] prior = data.classPrior().orElseThrow(() -> new IllegalArgumentException(
                "wmv needs a class prior, which comes from a validation split with gold labels "
                        + "(FitData.Builder.valid or validSequence) or from expert answers (FitData.Builder.answers); "
                        + "this fit data has neither: use mv, ds, snorkel or auto"));
        return new MajorityVote("wmv", data.counts().lfNames(), prior);
    }

    @Override
    void proba(byte[] votes, double[] out) {
        Arrays.fill(out, 0);
        for (int j = 0; j < lfs(); j++) {
            int v = votes[j];
            if (v >= 0) {
                out[v] += classWeights[v];
            }
        }
        normalise(out);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int numClasses() {
        return classWeights.length;
    }

    @Override
    public Map<String, String> settings() {
        return Map.of("model", name, "classWeights", Arrays.toString(classWeights));
    }
}
