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
 * one, {@code auto} keeps every decisive majority-vote decision and settles only ties: by {@code hmm} for frame
 * sequences, by {@code ds} otherwise, provided Dawid-Skene agrees with majority vote on at least
 * {@value #MIN_AGREEMENT} of the rows where the vote is decisive; otherwise it is plain {@code mv}.
 *
 * <p>Thread-safe: immutable once fitted.
 */
public final class AutoLabelModel implements LabelModel {
    /** Validation macro-F1 points (0-100) a candidate needs over majority vote to replace it. */
    public static final double MARGIN = 1.0;
    /** Minimum share of decisive majority-vote rows on which Dawid-Skene must agree to settle ties. */
    public static final double MIN_AGREEMENT = 0.9;

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
            // No labels to check a model against: keep every decisive majority-vote decision and let Dawid-Skene
            // (or the HMM for frames) settle only ties, unless Dawid-Skene contradicts majority vote on the rows
            // where the vote is decisive, a sign that its confusion tables are not trustworthy.
            double agreement = agreementOnDecisiveRows(mv, ds, data);
            sel.put("auto.dsAgreementWithDecisiveMv", String.format(java.util.Locale.ROOT, "%.4f", agreement));
            if (agreement < MIN_AGREEMENT) {
                sel.put("auto.rule", "no validation split; ds agrees with decisive majority votes on less than "
                        + MIN_AGREEMENT + " of rows: plain majority vote");
                return new AutoLabelModel(mv, sel);
            }
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

    private static double agreementOnDecisiveRows(MajorityVote mv, DawidSkene ds, FitData data) {
        io.edgeloop.labeling.matrix.VoteCounts vc = data.counts();
        int k = vc.numClasses();
        byte[] row = new byte[vc.lfs()];
        double[] pm = new double[k];
        double[] pd = new double[k];
        double decisive = 0;
        double agree = 0;
        for (int p = 0; p < vc.distinct(); p++) {
            vc.pattern(p, row);
            mv.proba(row, pm);
            int a = 0;
            int ties = 0;
            for (int c = 0; c < k; c++) {
                if (pm[c] > pm[a]) {
                    a = c;
                }
            }
            for (int c = 0; c < k; c++) {
                ties += Math.abs(pm[c] - pm[a]) < Predictions.TIE_TOLERANCE ? 1 : 0;
            }
            if (ties > 1) {
                continue;
            }
            ds.proba(row, pd);
            int b = 0;
            for (int c = 1; c < k; c++) {
                if (pd[c] > pd[b]) {
                    b = c;
                }
            }
            decisive += vc.count(p);
            agree += a == b ? vc.count(p) : 0;
        }
        return decisive == 0 ? 1.0 : agree / decisive;
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
