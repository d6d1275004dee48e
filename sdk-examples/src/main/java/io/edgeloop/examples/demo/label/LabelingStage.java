package io.edgeloop.examples.demo.label;

import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.window.Window;
import io.edgeloop.examples.demo.DemoConsole;
import io.edgeloop.examples.demo.report.DemoResults;
import io.edgeloop.labeling.active.ActiveLearner;
import io.edgeloop.api.label.Expert;
import io.edgeloop.labeling.active.QueryStrategy;
import io.edgeloop.labeling.active.SimulatedOracle;
import io.edgeloop.labeling.lf.LfApplier;
import io.edgeloop.labeling.lf.LfRun;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.matrix.LfAnalysis;
import io.edgeloop.labeling.matrix.LfStats;
import io.edgeloop.labeling.model.FitData;
import io.edgeloop.labeling.model.LabelModel;
import io.edgeloop.labeling.model.LabelModels;
import io.edgeloop.labeling.train.EndModel;
import io.edgeloop.labeling.train.EndModelKind;
import io.edgeloop.labeling.train.EndModelTrainer;
import io.edgeloop.labeling.train.WeakLabelSet;
import io.edgeloop.labeling.train.WeakLabels;
import io.edgeloop.labeling.train.ProvenanceFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Step 3 on sdk-labeling: labels the ingested windows without a person per window, then trains the end model.
 *
 * <ol>
 *   <li>{@link LfApplier} runs the {@link OccupancyLabellers} over every window (an LF that throws is counted and
 *       abstains).</li>
 *   <li>{@link ActiveLearner} with the {@code auto} label model asks the {@link SimulatedOracle} (the recorded
 *       occupancy) about 1 % of the windows, in diverse batches of 10 chosen by label-model/LF disagreement; the
 *       answers are fitted as gold and override the label model on their windows ({@link WeakLabelSet}, which
 *       also records them, count and digest, in the labels' provenance).</li>
 *   <li>{@link EndModelTrainer} trains Tribuo logistic regression (with standardisation) on the
 *       {@link WeakLabels} (weights from the label model's confidence), and the same trainer on the gold labels of
 *       all windows for comparison; both are scored on the held-out test windows.</li>
 *   <li>The "previous release" the fleet runs before this run's rollout is the same trainer on the label model's
 *       first pass, before any expert answer.</li>
 * </ol>
 *
 * <p>Not thread-safe: one run per instance.
 */
public final class LabelingStage {
    /** The share of windows the expert may be asked about. */
    public static final double EXPERT_BUDGET = 0.01;

    /**
     * What step 3 produced.
     *
     * <p>Thread safety: an immutable holder; the objects it refers to keep their own thread-safety rules.
     *
     * @param figures       the labelling figures for the report
     * @param endModel      the model trained on weak labels (what gets quantized and shipped)
     * @param previousModel the same trainer on the first-pass weak labels, before the expert's answers
     * @param train         the training windows' inputs with their gold labels (calibration data)
     * @param test          the test windows' inputs with their gold labels
     * @param labels        the weak labels the end model was trained on (answered windows gold), with their
     *                      provenance
     * @param byTestFile    the end model and the gold-trained model on each test file, in the order given
     */
    public record Outcome(DemoResults.Labeling figures, EndModel endModel, EndModel previousModel, FeatureTable train,
            FeatureTable test, WeakLabelSet labels, List<DemoResults.TestFileAccuracy> byTestFile) {
        /** Copies the list. */
        public Outcome {
            byTestFile = List.copyOf(byTestFile);
        }

        /** @return the expert's answers the end model was trained with, class by window index */
        public Map<Integer, Integer> answers() {
            return labels.answers();
        }

        /**
         * Writes the answers as JSON Lines ({@code {"row":812,"label":1}}, the answer lines of
         * docs/formats/expert-queue.md; {@code row} is the window's index among the ingested windows), so the
         * digest in the models' provenance can be checked against them.
         *
         * @param file the file
         * @throws IOException when it cannot be written
         */
        public void writeAnswers(Path file) throws IOException {
            StringBuilder b = new StringBuilder();
            answers().forEach((row, label) -> b.append("{\"row\":").append(row).append(",\"label\":").append(label)
                    .append("}\n"));
            Files.writeString(file, b, StandardCharsets.UTF_8);
        }

        /**
         * Writes the labelled dataset the end model was trained on as CSV ({@code window,label,weight,gold}: the
         * window's index among the ingested windows, its class index or -1 for none, the confidence weight, 1 for
         * an expert answer) with its provenance file beside it ({@code <file>.provenance.json}: LF set with
         * digests, label model and settings, expert answers count and digest).
         *
         * @param file the CSV file
         * @return the provenance file
         * @throws IOException when either cannot be written
         */
        public Path writeLabels(Path file) throws IOException {
            WeakLabels w = labels.labels();
            StringBuilder b = new StringBuilder("window,label,weight,gold\n");
            for (int i = 0; i < w.size(); i++) {
                b.append(i).append(',').append(w.label(i)).append(',').append(w.weight(i)).append(',')
                        .append(w.isGold(i) ? 1 : 0).append('\n');
            }
            Files.writeString(file, b, StandardCharsets.UTF_8);
            return ProvenanceFiles.write(file, labels.provenance());
        }
    }

    private final long seed;
    private final DemoConsole console;
    private final java.time.Instant createdAt;

    /**
     * @param seed    the seed for the label model and the trainer
     * @param console where to report progress
     */
    public LabelingStage(long seed, DemoConsole console) {
        this(seed, console, null);
    }

    /**
     * @param seed      the seed for the label model and the trainer
     * @param console   where to report progress
     * @param createdAt the time the labels' and the end models' provenance (Edgeloop's and Tribuo's) record, for
     *                  example {@code SOURCE_DATE_EPOCH}, so the same run writes the same files; null for the
     *                  current time
     */
    public LabelingStage(long seed, DemoConsole console, java.time.Instant createdAt) {
        this.seed = seed;
        this.console = console;
        this.createdAt = createdAt;
    }

    /**
     * Runs the step.
     *
     * @param windows windows built from the ingested records
     * @param test    windows of the held-out test files
     * @param gold    the recorded occupancy (the simulated expert and the scorer)
     * @return the figures and models
     * @throws IOException when the expert cannot be asked
     */
    public Outcome run(List<Window> windows, List<Window> test, OccupancyGold gold) throws IOException {
        return run(windows, Map.of("test", test), gold);
    }

    /**
     * Runs the step, scoring the end model on every test file and on all of them together.
     *
     * @param windows   windows built from the ingested records
     * @param testFiles windows of each held-out test file, by file name, in report order
     * @param gold      the recorded occupancy (the simulated expert and the scorer)
     * @return the figures and models
     * @throws IOException when the expert cannot be asked
     */
    public Outcome run(List<Window> windows, Map<String, List<Window>> testFiles, OccupancyGold gold)
            throws IOException {
        List<Window> test = new ArrayList<>();
        testFiles.values().forEach(test::addAll);
        if (windows.size() < 20) {
            throw new IllegalArgumentException("Only " + windows.size() + " windows were ingested; labelling needs "
                    + "at least 20");
        }
        List<Labeller> lfs = OccupancyLabellers.all();
        LfRun run = new LfApplier(lfs).apply(windows);
        LabelMatrix matrix = run.matrix();
        int n = windows.size();
        int[] goldLabels = IntStream.range(0, n).map(i -> gold.label(windows.get(i))).toArray();
        List<DemoResults.LfStat> lfFigures = new ArrayList<>();
        for (LfStats s : LfAnalysis.of(matrix, goldLabels)) {
            lfFigures.add(new DemoResults.LfStat(s.name(), 100 * s.coverage(), 100 * s.empiricalAccuracy()));
            console.line("LF %-22s coverage %5.1f %%  accuracy %5.1f %%", s.name(), 100 * s.coverage(),
                    100 * s.empiricalAccuracy());
        }
        if (run.totalErrors() > 0) {
            console.line("%d labelling-function errors were counted as abstentions", run.totalErrors());
        }
        io.edgeloop.labeling.train.FeatureTable features = io.edgeloop.labeling.train.FeatureTable.of(windows,
                OccupancyWindows.MODEL_FEATURES);
        int budget = Math.max(1, (int) Math.round(EXPERT_BUDGET * n));
        SimulatedOracle oracle = new SimulatedOracle(goldLabels);
        Expert expert = new Expert() {
            @Override
            public String name() {
                return oracle.name();
            }

            @Override
            public java.util.Optional<Integer> answer(io.edgeloop.api.label.ExpertQuery query) throws IOException {
                java.util.Optional<Integer> a = oracle.answer(query);
                console.progress("expert answers", oracle.asked(), budget);
                return a;
            }
        };
        ActiveLearner.Result al = new ActiveLearner("auto", QueryStrategy.DISAGREEMENT, 10, 5, seed)
                .run(matrix, features, expert, budget);
        boolean[] covered = new boolean[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < matrix.lfs() && !covered[i]; j++) {
                covered[i] = matrix.get(i, j) >= 0;
            }
        }
        // The answered windows become gold rows and the answers (count and digest) enter the labels' provenance,
        // which the end model, its quantized variants and the release lineage carry on.
        WeakLabelSet labels = WeakLabelSet.builder().labellers(lfs).matrix(matrix).labelModel(al.model())
                .probabilities(al.probabilities()).answers(al.answers()).seed(seed).createdAt(createdAt).build();
        WeakLabels weak = labels.labels();
        int labelled = 0;
        int right = 0;
        for (int i = 0; i < n; i++) {
            if (weak.label(i) >= 0) {
                labelled++;
                right += weak.label(i) == goldLabels[i] ? 1 : 0;
            }
        }
        LabelModel mv = LabelModels.fit("mv", FitData.builder().train(matrix).seed(seed).build());
        int[] mvPred = mv.predict(matrix);
        int mvLabelled = 0;
        int mvRight = 0;
        for (int i = 0; i < n; i++) {
            if (covered[i]) {
                mvLabelled++;
                mvRight += mvPred[i] == goldLabels[i] ? 1 : 0;
            }
        }
        Map<String, String> upstream = Map.of("lfs", String.join(",", matrix.lfNames()));
        console.progress("training end models", 0, 3);
        EndModel end = new EndModelTrainer(EndModelKind.LOGISTIC, OccupancyWindows.CLASSES, seed, upstream)
                .trainedAt(createdAt).train(features, labels);
        console.progress("training end models", 1, 3);
        WeakLabels all = WeakLabels.fromProbabilities(new double[n][2], new boolean[n], 0);
        for (int i = 0; i < n; i++) {
            all = all.withGold(i, goldLabels[i]);
        }
        EndModel goldModel = new EndModelTrainer(EndModelKind.LOGISTIC, OccupancyWindows.CLASSES, seed,
                Map.of("labels", "all gold")).trainedAt(createdAt).train(features, all);
        console.progress("training end models", 2, 3);
        LabelModel first = LabelModels.fit("auto", FitData.builder().train(matrix).seed(seed).build());
        WeakLabelSet firstPass = WeakLabelSet.builder().labellers(lfs).matrix(matrix).labelModel(first).seed(seed)
                .createdAt(createdAt).build();
        EndModel previous = new EndModelTrainer(EndModelKind.LOGISTIC, OccupancyWindows.CLASSES, seed, upstream)
                .trainedAt(createdAt).train(features, firstPass);
        console.progress("training end models", 3, 3);
        FeatureTable testTable = withoutNaN(table(test, test.stream().mapToInt(gold::label).toArray()));
        FeatureTable trainTable = withoutNaN(table(windows, goldLabels));
        double endAcc = TribuoModels.accuracy(end.tribuoModel(), testTable);
        double goldAcc = TribuoModels.accuracy(goldModel.tribuoModel(), testTable);
        List<DemoResults.TestFileAccuracy> byFile = new ArrayList<>();
        testFiles.forEach((file, ws) -> {
            FeatureTable t = withoutNaN(table(ws, ws.stream().mapToInt(gold::label).toArray()));
            byFile.add(new DemoResults.TestFileAccuracy(file, t.size(),
                    t.size() == 0 ? Double.NaN : TribuoModels.accuracy(end.tribuoModel(), t),
                    t.size() == 0 ? Double.NaN : TribuoModels.accuracy(goldModel.tribuoModel(), t)));
        });
        String chosen = al.model().settings().getOrDefault("chosen.model", al.model().name());
        DemoResults.Labeling figures = new DemoResults.Labeling(n, "auto (" + chosen + ")",
                labelled == 0 ? Double.NaN : 100.0 * right / labelled, 100.0 * labelled / n, al.answers().size(),
                endAcc, goldAcc, mvLabelled == 0 ? Double.NaN : 100.0 * mvRight / mvLabelled, lfFigures);
        return new Outcome(figures, end, previous, trainTable, testTable, labels, byFile);
    }

    private static FeatureTable table(List<Window> windows, int[] gold) {
        double[][] rows = new double[windows.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = OccupancyWindows.modelInputs(windows.get(i));
        }
        return new FeatureTable(OccupancyWindows.MODEL_FEATURES, rows, gold);
    }

    private static FeatureTable withoutNaN(FeatureTable t) {
        List<double[]> rows = new ArrayList<>();
        List<Integer> gold = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) {
            boolean nan = false;
            for (double v : t.rows()[i]) {
                nan |= Double.isNaN(v);
            }
            if (!nan) {
                rows.add(t.rows()[i]);
                gold.add(t.gold()[i]);
            }
        }
        return new FeatureTable(t.features(), rows.toArray(new double[0][]),
                gold.stream().mapToInt(Integer::intValue).toArray());
    }
}
