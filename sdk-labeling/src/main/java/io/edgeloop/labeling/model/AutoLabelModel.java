package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The default label model ({@code auto}). See docs/ARCHITECTURE.md for the measurements behind the design.
 *
 * <p>Candidates, all fitted on the training counts: {@code mv}; majority vote with ties settled by the class
 * prior ({@code mv>prior}), by Dawid-Skene ({@code mv>ds}) or by the Snorkel-style model ({@code mv>snorkel});
 * {@code ds}; {@code snorkel}; {@code wmv}; and, for frame sequences, {@code hmm} and {@code mv>hmm}.
 * With a validation split, the candidate with the best macro F1 on it wins, but {@code mv} is kept unless a
 * candidate beats it by {@value #MARGIN} points (validation splits are small; a smaller edge is noise). Without
 * one, {@code auto} is {@code mv}, except for frame sequences, where it keeps every decisive majority-vote
 * decision and lets {@code hmm} settle the ties.
 *
 * <p>Thread-safe: immutable once fitted.
 */
public final class AutoLabelModel implements LabelModel {
    /** Validation macro-F1 points (0-100) a candidate needs over majority vote to replace it. */
    public static final double MARGIN = 1.0;

    private final LabelModel chosen;
    private final Map<String, String> selection;

    private AutoLabelModel(LabelModel chosen, Map<String, String> selection) {
        this.chosen = chosen;
        this.selection = selection;
    }

    /**
     * Fits the candidates and picks one.
     *
     * @param data fit data
     * @return the fitted model
     */
    public static AutoLabelModel fit(FitData data) {
        MajorityVote mv = MajorityVote.plain(data);
        Map<String, String> sel = new LinkedHashMap<>();
        boolean sequence = data.sequence().isPresent();
        TemporalModel hmm = sequence ? TemporalModel.fit(data) : null;
        if (data.valid().isEmpty() || data.validGold().isEmpty()) {
            // No labels to check a model against. Measured: settling ties by Dawid-Skene would cost 1.2 points on
            // YouTube and 17 F1 points on SMS had they no valid.json, although Dawid-Skene agrees with 94 % and
            // 98 % of their decisive majority votes, so no label-free test tells when it helps. Only structure is
            // trusted: for frame sequences the HMM settles ties (Tennis +0.27); otherwise plain majority vote.
            if (sequence) {
                sel.put("auto.rule", "no validation split, rows are frames: majority vote, ties settled by hmm");
                return new AutoLabelModel(new TieBrokenVote(mv, hmm), sel);
            }
            sel.put("auto.rule", "no validation split: plain majority vote");
            return new AutoLabelModel(mv, sel);
        }
        DawidSkene ds = DawidSkene.fit(data);
        SnorkelStyleModel snorkel = SnorkelStyleModel.fit(data);
        List<LabelModel> candidates = new ArrayList<>();
        candidates.add(mv);
        data.classPrior().ifPresent(p -> candidates.add(new TieBrokenVote(mv, new PriorModel(p))));
        candidates.add(new TieBrokenVote(mv, ds));
        candidates.add(new TieBrokenVote(mv, snorkel));
        candidates.add(ds);
        candidates.add(snorkel);
        if (data.classPrior().isPresent()) {
            candidates.add(MajorityVote.weighted(data));
        }
        if (sequence) {
            candidates.add(hmm);
            candidates.add(new TieBrokenVote(mv, hmm));
        }
        LabelMatrix valid = data.valid().get();
        int[] gold = data.validGold().get();
        LabelModel best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (LabelModel c : candidates) {
            if (c.isSequenceModel()) {
                continue; // validation rows are not a continuation of the training frames
            }
            double f = Scores.of(c.predict(valid), gold, data.numClasses()).f1Macro();
            sel.put("auto.valid.f1Macro." + c.name(), String.format(java.util.Locale.ROOT, "%.4f", f));
            // Another candidate must beat majority vote by a clear margin to replace it.
            double needed = best == null ? Double.NEGATIVE_INFINITY : bestScore + (best == mv ? MARGIN : 1e-9);
            if (f > needed) {
                bestScore = f;
                best = c;
            }
        }
        sel.put("auto.rule", "best validation macro F1; mv kept unless beaten by " + MARGIN + " points");
        return new AutoLabelModel(best, sel);
    }

    /** @return the candidate {@code auto} chose */
    public LabelModel chosen() {
        return chosen;
    }

    @Override
    public String name() {
        return "auto";
    }

    @Override
    public int numClasses() {
        return chosen.numClasses();
    }

    @Override
    public boolean isSequenceModel() {
        return chosen.isSequenceModel();
    }

    @Override
    public double[][] predictProba(LabelMatrix matrix) {
        return chosen.predictProba(matrix);
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("model", "auto");
        s.put("auto.chosen", chosen.name());
        s.putAll(selection);
        chosen.settings().forEach((k, v) -> s.put("chosen." + k, v));
        return s;
    }
}
