package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The default label model ({@code auto}): a default (majority vote; for frame sequences majority vote with ties
 * settled by the hidden Markov model, {@code mv>hmm}) unless labelled rows show, by a significance test, that
 * another candidate beats that default. See docs/ARCHITECTURE.md for the design and its measurements.
 *
 * <p>Labelled rows are the validation split. Expert answers ({@link FitData#goldRows()}) are not used for the
 * choice: they are training rows, which every candidate has fitted in-sample (and the semi-supervised ones with the
 * answers clamped), so they flatter learned models (measured in docs/ARCHITECTURE.md); they reach {@code auto}
 * through its candidates' fits and {@link LabelModels#labelTrainingRows}. Candidates, all
 * fitted on the training counts: majority vote with ties (and all-abstain rows, which it settles by hash) settled
 * by the class prior ({@code mv>prior}), by Dawid-Skene ({@code mv>ds}) or by the Snorkel-style model
 * ({@code mv>snorkel}); and models that also change decisive rows: {@code ds}, {@code snorkel}, {@code wmv}. Each
 * candidate is compared with the default on the labelled rows by one-sided paired tests
 * ({@link PairedComparison}) on every guarded metric: accuracy (McNemar's exact test) and, for two classes, binary
 * F1 as well (Dirichlet posterior), so a model that buys accuracy with the minority class's F1 (SMS) is never
 * taken. A candidate qualifies when every guarded metric improves with p at most {@value #ALPHA} divided by the
 * number of candidates (Bonferroni: the chance that any candidate qualifies by luck is at most {@value #ALPHA}).
 * Of the qualified candidates the one with the largest accuracy gain wins; with none, the default stays.
 *
 * <p>Frame sequences ({@link FitData#sequence()}): the default {@code mv>hmm} runs the HMM over frames in order.
 * When the validation rows are frames too ({@link FitData#validIsSequence()}), it is scored over them in order,
 * the candidates (plus {@code hmm} and {@code mv}) are tested against it, and the same rule applies. When they are
 * not, {@code mv>hmm} cannot be scored as it will be used, so no candidate can be shown better and {@code mv>hmm}
 * is kept without testing any.
 *
 * <p>Posterior draws are seeded from {@link FitData#seed()}, so fitting is deterministic for a seed. Thread-safe:
 * immutable once fitted.
 */
public final class AutoLabelModel implements LabelModel {
    /** Family-wise level: the chance that some candidate replaces majority vote by luck on the labelled rows. */
    public static final double ALPHA = 0.02;
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
        return fit(data, ALPHA);
    }

    /** Fits with an explicit family-wise level; for design experiments. */
    static AutoLabelModel fit(FitData data, double alpha) {
        MajorityVote mv = MajorityVote.plain(data);
        Map<String, String> sel = new LinkedHashMap<>();
        boolean sequence = data.sequence().isPresent();
        LabelModel fallback = mv;
        String fallbackRule = "majority vote";
        TemporalModel hmm = null;
        if (sequence) {
            // Frames: a class persists across neighbours, so the HMM is a structural, label-free tie-breaker.
            hmm = TemporalModel.fit(data);
            fallback = new TieBrokenVote(mv, hmm);
            fallbackRule = "rows are frames: majority vote, ties settled by hmm";
        }
        LabelledRows labelled = LabelledRows.of(data);
        if (labelled == null) {
            sel.put("auto.rule", "no labelled rows: " + fallbackRule);
            return new AutoLabelModel(fallback, sel);
        }
        if (sequence && !data.validIsSequence()) {
            // The default runs the HMM over frames in order; on validation rows that are not frames it cannot be
            // scored as it will be used, so no candidate can be shown to beat it.
            sel.put("auto.labelledRows", Integer.toString(labelled.gold.length));
            sel.put("auto.rule", fallbackRule + "; the validation rows are not a frame sequence, so mv>hmm cannot "
                    + "be scored on them and no candidate can be shown better: mv>hmm kept, no candidate tested");
            return new AutoLabelModel(fallback, sel);
        }
        DawidSkene ds = DawidSkene.fit(data);
        SnorkelStyleModel snorkel = SnorkelStyleModel.fit(data);
        List<LabelModel> candidates = new ArrayList<>();
        data.classPrior().ifPresent(p -> candidates.add(new TieBrokenVote(mv, new PriorModel(p))));
        candidates.add(new TieBrokenVote(mv, ds));
        candidates.add(new TieBrokenVote(mv, snorkel));
        candidates.add(ds);
        candidates.add(snorkel);
        data.classPrior().ifPresent(p -> candidates.add(MajorityVote.weighted(data)));
        if (hmm != null) {
            // The validation rows are frames in order: the HMM itself (which also changes decisive rows) and mv
            // can be scored as they would be used.
            candidates.add(hmm);
            candidates.add(mv);
        }

        int k = data.numClasses();
        List<Metric> guarded = k == 2 ? List.of(Metric.ACCURACY, Metric.F1_BINARY) : List.of(Metric.ACCURACY);
        int[] gold = labelled.gold;
        // The baseline is the default itself: mv, or for frames mv>hmm run over the validation frames in order.
        int[] base = fallback.predict(labelled.matrix);
        String baseName = fallback == mv ? "mv" : fallback.name();
        LabelModel best = null;
        double bestGain = 0;
        int index = 0;
        double level = alpha / candidates.size();
        for (LabelModel c : candidates) {
            PairedComparison.Result r = PairedComparison.run(gold, base, c.predict(labelled.matrix), k, guarded,
                    data.seed() * 31 + index++);
            boolean qualifies = r.maxP() <= level && r.minGain() > 0;
            sel.put("auto.valid." + c.name(), String.format(Locale.ROOT, "vs %s: gain %s p %s differing %d%s",
                    baseName, format(r.gains()), format(r.pValues()), r.differing(), qualifies ? " qualifies" : ""));
            if (qualifies && r.gains()[0] > bestGain) {
                best = c;
                bestGain = r.gains()[0];
            }
        }
        sel.put("auto.labelledRows", Integer.toString(gold.length));
        sel.put("auto.rule", String.format(Locale.ROOT, "%s%s unless a candidate beats it on %s in one-sided paired "
                + "tests on the validation rows at family-wise level %.3g (Bonferroni over %d candidates); gains "
                + "and p-values are against %s",
                baseName, sequence ? " (validation rows are frames: scored over them in order)" : "", guarded, alpha,
                candidates.size(), baseName));
        return new AutoLabelModel(best == null ? fallback : best, sel);
    }

    private static String format(double[] xs) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < xs.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4g", xs[i]));
        }
        return b.append(']').toString();
    }

    /** The labelled rows the choice is tested on: the validation split. */
    private static final class LabelledRows {
        final LabelMatrix matrix;
        final int[] gold;

        private LabelledRows(LabelMatrix matrix, int[] gold) {
            this.matrix = matrix;
            this.gold = gold;
        }

        static LabelledRows of(FitData data) {
            if (data.valid().isEmpty() || data.validGold().isEmpty() || data.valid().get().rows() == 0) {
                return null;
            }
            return new LabelledRows(data.valid().get(), data.validGold().get());
        }
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
    public double[][] predictProbaUnordered(LabelMatrix matrix) {
        return chosen.predictProbaUnordered(matrix);
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
