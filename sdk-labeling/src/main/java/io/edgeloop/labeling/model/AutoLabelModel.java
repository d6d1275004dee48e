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
 * With a validation split, the candidate with the best macro F1 on it wins (ties go to the earlier, simpler
 * candidate, so {@code mv} is kept unless something beats it). Without one, {@code auto} keeps every decisive
 * majority-vote decision and settles only ties: by {@code hmm} for frame sequences, by {@code ds} otherwise.
 *
 * <p>Thread-safe: immutable once fitted.
 */
public final class AutoLabelModel implements LabelModel {
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
        DawidSkene ds = DawidSkene.fit(data);
        Map<String, String> sel = new LinkedHashMap<>();
        boolean sequence = data.sequence().isPresent();
        TemporalModel hmm = sequence ? TemporalModel.fit(data) : null;
        if (data.valid().isEmpty() || data.validGold().isEmpty()) {
            LabelModel pick = new TieBrokenVote(mv, sequence ? hmm : ds);
            sel.put("auto.rule", "no validation split: majority vote, ties settled by "
                    + (sequence ? "hmm (rows are frames)" : "ds"));
            return new AutoLabelModel(pick, sel);
        }
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
            if (f > bestScore + 1e-9) {
                bestScore = f;
                best = c;
            }
        }
        sel.put("auto.rule", "best validation macro F1");
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
