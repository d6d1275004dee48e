package io.edgeloop.examples.demo.label;

import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.window.Window;
import io.edgeloop.examples.demo.DemoConsole;
import io.edgeloop.examples.demo.report.DemoResults;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.matrix.LfAnalysis;
import io.edgeloop.labeling.matrix.LfStats;
import io.edgeloop.labeling.model.FitData;
import io.edgeloop.labeling.model.LabelModel;
import io.edgeloop.labeling.model.LabelModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.tribuo.Model;

/**
 * Step 3: labels the ingested windows without a person per window, then trains the end model.
 *
 * <ol>
 *   <li>The {@link OccupancyLabellers} vote on every window (label matrix, one column per function; an exception
 *       in a function counts as an abstention).</li>
 *   <li>The {@code auto} label model of sdk-labeling combines the votes.</li>
 *   <li>Active learning: the simulated expert (the recorded occupancy) answers for 1 % of the windows, chosen
 *       by least confidence of the label model and spread out (no two picks from neighbouring windows of one
 *       device). The answers become the label model's validation split, so {@code auto} selects its candidate
 *       on them, and they replace the weak label of their windows.</li>
 *   <li>Tribuo logistic regression is trained on the weakly labelled windows (weighted by the label model's
 *       confidence), and the same trainer on the gold labels of all windows for comparison; both are scored on
 *       the held-out test files.</li>
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
     * @param figures   the labelling figures for the report
     * @param endModel  the model trained on weak labels (what gets quantized and shipped)
     * @param previousModel the same trainer on the first-pass weak labels, before the expert's answers: the
     *                  "previous release" the fleet runs before this run's rollout
     * @param train     the training windows' inputs with their gold labels (calibration data)
     * @param test      the test windows' inputs with their gold labels
     */
    public record Outcome(DemoResults.Labeling figures, Model<org.tribuo.classification.Label> endModel,
            Model<org.tribuo.classification.Label> previousModel, FeatureTable train, FeatureTable test) {
    }

    private final long seed;
    private final DemoConsole console;

    /**
     * @param seed    the seed for the label model and the trainer
     * @param console where to report progress
     */
    public LabelingStage(long seed, DemoConsole console) {
        this.seed = seed;
        this.console = console;
    }

    /**
     * Runs the step.
     *
     * @param windows windows built from the ingested records
     * @param test    windows of the held-out test files
     * @param gold    the recorded occupancy (the simulated expert and the scorer)
     * @return the figures and models
     */
    public Outcome run(List<Window> windows, List<Window> test, OccupancyGold gold) {
        if (windows.size() < 20) {
            throw new IllegalArgumentException("Only " + windows.size() + " windows were ingested; labelling needs "
                    + "at least 20");
        }
        List<Labeller> lfs = OccupancyLabellers.all();
        LabelMatrix matrix = matrix(lfs, windows);
        int n = windows.size();
        int[] goldLabels = new int[n];
        for (int i = 0; i < n; i++) {
            goldLabels[i] = gold.label(windows.get(i));
        }
        List<LfStats> stats = LfAnalysis.of(matrix, goldLabels);
        List<DemoResults.LfStat> lfFigures = new ArrayList<>();
        for (LfStats s : stats) {
            lfFigures.add(new DemoResults.LfStat(s.name(), 100 * s.coverage(), 100 * s.empiricalAccuracy()));
            console.line("LF %-22s coverage %5.1f %%  accuracy %5.1f %%", s.name(), 100 * s.coverage(),
                    100 * s.empiricalAccuracy());
        }
        LabelModel mv = LabelModels.fit("mv", FitData.builder().train(matrix).seed(seed).build());
        LabelModel first = LabelModels.fit("auto", FitData.builder().train(matrix).seed(seed).build());
        double[][] p0 = first.predictProba(matrix);
        int budget = Math.max(1, (int) Math.ceil(EXPERT_BUDGET * n));
        int[] queried = chooseQueries(windows, matrix, p0, budget);
        int[] answers = new int[queried.length];
        for (int q = 0; q < queried.length; q++) {
            answers[q] = goldLabels[queried[q]]; // the simulated expert looks at the recorded occupancy
            console.progress("expert answers", q + 1, queried.length);
        }
        LabelMatrix validVotes = rows(matrix, queried);
        LabelModel model = LabelModels.fit("auto", FitData.builder().train(matrix).valid(validVotes, answers)
                .seed(seed).build());
        double[][] p = model.predictProba(matrix);
        int[] weak = model.predict(matrix);
        boolean[] covered = new boolean[n];
        for (int i = 0; i < n; i++) {
            covered[i] = anyVote(matrix, i);
        }
        for (int q = 0; q < queried.length; q++) {
            weak[queried[q]] = answers[q];
            covered[queried[q]] = true;
        }
        Set<Integer> queriedSet = new HashSet<>();
        for (int q : queried) {
            queriedSet.add(q);
        }
        int labelled = 0;
        int right = 0;
        int[] mvPred = mv.predict(matrix);
        int mvRight = 0;
        int mvLabelled = 0;
        for (int i = 0; i < n; i++) {
            if (covered[i]) {
                labelled++;
                right += weak[i] == goldLabels[i] ? 1 : 0;
            }
            if (anyVote(matrix, i)) {
                mvLabelled++;
                mvRight += mvPred[i] == goldLabels[i] ? 1 : 0;
            }
        }
        FeatureTable trainAll = table(windows, goldLabels);
        FeatureTable testTable = table(test, IntStream.range(0, test.size()).map(i -> gold.label(test.get(i))).toArray());
        List<double[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!covered[i] || hasNaN(trainAll.rows()[i])) {
                continue;
            }
            rows.add(trainAll.rows()[i]);
            labels.add(weak[i]);
            weights.add(queriedSet.contains(i) ? 1f : (float) Arrays.stream(p[i]).max().orElse(1));
        }
        // The previous release: the same trainer on the label model's first pass, before any expert answer.
        int[] firstPass = first.predict(matrix);
        List<double[]> prevRows = new ArrayList<>();
        List<Integer> prevLabels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (anyVote(matrix, i) && !hasNaN(trainAll.rows()[i])) {
                prevRows.add(trainAll.rows()[i]);
                prevLabels.add(firstPass[i]);
            }
        }
        console.progress("training end models", 0, 3);
        Model<org.tribuo.classification.Label> previous = TribuoModels.train("weak labels without expert answers",
                trainAll.features(), prevRows.toArray(new double[0][]),
                prevLabels.stream().mapToInt(Integer::intValue).toArray(), null, seed);
        console.progress("training end models", 1, 3);
        Model<org.tribuo.classification.Label> end = TribuoModels.train("weak labels: " + model.name() + " + "
                + queried.length + " expert answers", trainAll.features(), rows.toArray(new double[0][]),
                labels.stream().mapToInt(Integer::intValue).toArray(), toFloats(weights), seed);
        console.progress("training end models", 2, 3);
        FeatureTable goldTrain = withoutNaN(trainAll);
        Model<org.tribuo.classification.Label> goldModel = TribuoModels.train("gold labels", goldTrain.features(),
                goldTrain.rows(), goldTrain.gold(), null, seed);
        console.progress("training end models", 3, 3);
        FeatureTable cleanTest = withoutNaN(testTable);
        double endAcc = TribuoModels.accuracy(end, cleanTest);
        double goldAcc = TribuoModels.accuracy(goldModel, cleanTest);
        String chosen = model.settings().getOrDefault("chosen.model", model.name());
        DemoResults.Labeling figures = new DemoResults.Labeling(n, "auto (" + chosen + ")",
                labelled == 0 ? Double.NaN : 100.0 * right / labelled, 100.0 * labelled / n, queried.length, endAcc,
                goldAcc, mvLabelled == 0 ? Double.NaN : 100.0 * mvRight / mvLabelled, lfFigures);
        return new Outcome(figures, end, previous, goldTrain, cleanTest);
    }

    private static float[] toFloats(List<Float> list) {
        float[] f = new float[list.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = list.get(i);
        }
        return f;
    }

    private static boolean hasNaN(double[] row) {
        for (double v : row) {
            if (Double.isNaN(v)) {
                return true;
            }
        }
        return false;
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
            if (!hasNaN(t.rows()[i])) {
                rows.add(t.rows()[i]);
                gold.add(t.gold()[i]);
            }
        }
        return new FeatureTable(t.features(), rows.toArray(new double[0][]),
                gold.stream().mapToInt(Integer::intValue).toArray());
    }

    static LabelMatrix matrix(List<Labeller> lfs, List<Window> windows) {
        int m = lfs.size();
        byte[] votes = new byte[windows.size() * m];
        for (int i = 0; i < windows.size(); i++) {
            for (int j = 0; j < m; j++) {
                int v;
                try {
                    v = Label.check(lfs.get(j).label(windows.get(i)), 2);
                } catch (RuntimeException e) {
                    v = Label.ABSTAIN; // a failing labelling function abstains; it never aborts the run
                }
                votes[i * m + j] = (byte) v;
            }
        }
        return LabelMatrix.of(windows.size(), m, 2, votes, lfs.stream().map(Labeller::name).toList());
    }

    private static boolean anyVote(LabelMatrix matrix, int row) {
        for (int j = 0; j < matrix.lfs(); j++) {
            if (matrix.get(row, j) != Label.ABSTAIN) {
                return true;
            }
        }
        return false;
    }

    private static LabelMatrix rows(LabelMatrix matrix, int[] picked) {
        int m = matrix.lfs();
        byte[] votes = new byte[picked.length * m];
        for (int q = 0; q < picked.length; q++) {
            for (int j = 0; j < m; j++) {
                votes[q * m + j] = (byte) matrix.get(picked[q], j);
            }
        }
        return LabelMatrix.of(picked.length, m, 2, votes, matrix.lfNames());
    }

    /**
     * Least-confidence selection with spread: windows sorted by the label model's top probability (uncovered
     * windows first, as the least certain), skipping any window within two windows of an earlier pick on the
     * same device, so a batch is not a run of near-identical neighbours. Ties are broken by a seeded order.
     */
    private int[] chooseQueries(List<Window> windows, LabelMatrix matrix, double[][] p, int budget) {
        int n = windows.size();
        long[] tie = new long[n];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            tie[i] = rnd.nextLong();
        }
        double[] confidence = new double[n];
        for (int i = 0; i < n; i++) {
            confidence[i] = anyVote(matrix, i) ? Arrays.stream(p[i]).max().orElse(0) : 0;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> confidence[i]).thenComparingLong(i -> tie[i]));
        List<Integer> picked = new ArrayList<>();
        for (int i : order) {
            if (picked.size() == budget) {
                break;
            }
            Window w = windows.get(i);
            boolean near = false;
            for (int j : picked) {
                Window o = windows.get(j);
                near |= o.deviceId().equals(w.deviceId()) && Math.abs(o.index() - w.index()) <= 2;
            }
            if (!near) {
                picked.add(i);
            }
        }
        return picked.stream().mapToInt(Integer::intValue).toArray();
    }
}
