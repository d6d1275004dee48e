package io.edgeloop.labeling.active;

import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.api.label.Expert;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.model.FitData;
import io.edgeloop.labeling.model.LabelModel;
import io.edgeloop.labeling.model.LabelModels;
import io.edgeloop.labeling.train.FeatureTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The active-learning loop: fit the label model (with the expert answers so far as gold), score rows with a
 * {@link QueryStrategy}, pick a diverse batch with {@link BatchSelector}, ask the {@link Expert}, repeat until the
 * budget is spent. Answers feed back into the label model (semi-supervised fitting) and override its output on
 * the answered rows, so the end model trains on them as gold.
 *
 * <p>The loop scores, asks and reports with the model its caller will report: the full {@link #run(LabelMatrix,
 * Function, FeatureTable, Expert, int, Map, Set, int) run} takes a function from the answers so far to the
 * {@link FitData} to fit (for a WRENCH set, {@code answers -> WrenchEvaluation.fitData(data, seed, answers)}, with
 * its validation split and frame sequence), and the committee members are fitted on the same data. The shorter
 * forms fit on the plain matrix with the answers (no validation split, no sequence).
 *
 * <p>Not thread-safe: one run at a time per instance.
 */
public final class ActiveLearner {
    private final String labelModel;
    private final QueryStrategy strategy;
    private final int batchSize;
    private final BatchSelector selector;
    private final long seed;

    /**
     * @param labelModel a name from {@link LabelModels#NAMES}
     * @param strategy   how to score rows
     * @param batchSize  questions per round, at least 1
     * @param poolFactor diversity pool per batch slot (see {@link BatchSelector})
     * @param seed       seed for the label model in the plain-matrix forms of {@code run} (the fit-data form's
     *                   function sets its own)
     */
    public ActiveLearner(String labelModel, QueryStrategy strategy, int batchSize, int poolFactor, long seed) {
        this.labelModel = Objects.requireNonNull(labelModel, "labelModel");
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        this.selector = new BatchSelector(poolFactor);
        this.seed = seed;
    }

    /**
     * The outcome of a run.
     *
     * <p>Thread safety: the answers map is an unmodifiable copy and the model is thread-safe; the probabilities
     * array is shared as computed, so share a result between threads only while nobody changes it.
     *
     * @param answers       expert answers by row, in the order received
     * @param asked         number of questions asked (including skipped ones)
     * @param probabilities final label-model probabilities, one-hot on answered rows
     * @param model         the final label model (fitted with the answers)
     */
    public record Result(Map<Integer, Integer> answers, int asked, double[][] probabilities, LabelModel model) {
        /** Copies the answers. */
        public Result {
            answers = Map.copyOf(answers);
        }
    }

    /**
     * Runs the loop, asking at most {@code budget} questions: an expert that answers every question (an oracle, a
     * prompt) gives up to {@code budget} answers, one that skips some gives fewer, and an asynchronous one (a
     * {@link FileQueueExpert}, whose questions are answered later) gets at most {@code budget} questions, which
     * count as pending (resume with {@link #run(LabelMatrix, FeatureTable, Expert, int, Map, Set, int)} once they
     * are answered).
     *
     * @param matrix   LF votes per row
     * @param features features per row (shown to the expert, used for diversity)
     * @param expert   who answers
     * @param budget   the most questions to ask, and so the most answers to collect
     * @return answers and final probabilities
     * @throws IOException when the expert cannot be reached
     */
    public Result run(LabelMatrix matrix, FeatureTable features, Expert expert, int budget) throws IOException {
        // Capped at the budget: with no cap a queue expert, which answers nothing during the run, was asked about
        // the whole pool.
        return run(matrix, features, expert, budget, Map.of(), Set.of(), Math.max(0, budget));
    }

    /**
     * Runs the loop, resuming from earlier answers: the form for experts who answer asynchronously (a
     * {@link FileQueueExpert} worked between runs). Known answers count against the budget and feed the first fit;
     * rows already asked are not asked again; at most {@code maxQuestions} new questions are asked, so a queue whose
     * questions are not answered yet does not grow to the whole pool.
     *
     * @param matrix       LF votes per row
     * @param features     features per row (shown to the expert, used for diversity)
     * @param expert       who answers
     * @param budget       the most answers to hold at the end, known ones included
     * @param known        answers from earlier runs, by row (each row in {@code [0, rows)}, each class in
     *                     {@code [0, classes)})
     * @param alreadyAsked rows asked in earlier runs (answered or not); they are not asked again
     * @param maxQuestions the most new questions to ask in this run
     * @return answers (known ones first) and final probabilities; {@link Result#asked()} counts this run's questions
     * @throws IOException when the expert cannot be reached
     * @throws ExpertAnswerException when the expert answers a class out of range (it holds the valid answers so far)
     * @throws IllegalArgumentException when a known answer names a row or class out of range
     */
    public Result run(LabelMatrix matrix, FeatureTable features, Expert expert, int budget,
            Map<Integer, Integer> known, Set<Integer> alreadyAsked, int maxQuestions) throws IOException {
        return run(matrix, answers -> plainFitData(matrix, answers), features, expert, budget, known, alreadyAsked,
                maxQuestions);
    }

    /**
     * Runs the loop as {@link #run(LabelMatrix, FeatureTable, Expert, int, Map, Set, int)}, fitting every round (and
     * the committee) on the data {@code fitData} builds from the answers so far, so the rows are scored and shown to
     * the expert with the very model the caller reports at the end.
     *
     * @param matrix       LF votes per row: the training rows of the fit data, in the same order (answers and
     *                     the probabilities returned refer to its rows)
     * @param fitData      the fit data for a map of answers (class by row of {@code matrix}; empty before the first
     *                     answer); it must train on {@code matrix}'s rows and pass the answers on (as
     *                     {@link FitData.Builder#answers})
     * @param features     features per row (shown to the expert, used for diversity)
     * @param expert       who answers
     * @param budget       the most answers to hold at the end, known ones included
     * @param known        answers from earlier runs, by row
     * @param alreadyAsked rows asked in earlier runs (answered or not); they are not asked again
     * @param maxQuestions the most new questions to ask in this run
     * @return answers (known ones first) and final probabilities; {@link Result#asked()} counts this run's questions
     * @throws IOException when the expert cannot be reached
     * @throws ExpertAnswerException when the expert answers a class out of range (it holds the valid answers so far)
     * @throws IllegalArgumentException when a known answer names a row or class out of range, or the fit data has
     *                                  another number of classes than the matrix
     */
    public Result run(LabelMatrix matrix, Function<Map<Integer, Integer>, FitData> fitData, FeatureTable features,
            Expert expert, int budget, Map<Integer, Integer> known, Set<Integer> alreadyAsked, int maxQuestions)
            throws IOException {
        Objects.requireNonNull(fitData, "fitData");
        if (matrix.rows() != features.size()) {
            throw new IllegalArgumentException(matrix.rows() + " matrix rows for " + features.size() + " feature rows");
        }
        if (maxQuestions < 0) {
            throw new IllegalArgumentException("maxQuestions must be >= 0, got " + maxQuestions);
        }
        Map<Integer, Integer> answers = new LinkedHashMap<>();
        for (Map.Entry<Integer, Integer> e : new TreeMap<>(known).entrySet()) {
            int row = e.getKey();
            int label = e.getValue();
            if (row < 0 || row >= matrix.rows() || label < 0 || label >= matrix.numClasses()) {
                throw new IllegalArgumentException("known answer for row " + row + " (class " + label
                        + ") is out of range: " + matrix.rows() + " rows, " + matrix.numClasses() + " classes");
            }
            answers.put(row, label);
        }
        Set<Integer> exclude = new HashSet<>(alreadyAsked);
        exclude.addAll(answers.keySet());
        Set<Integer> asked = new HashSet<>();
        // This run's questions without an answer yet: the model has learned nothing from them, so it scores their
        // feature vectors as before, and without this the next batch would repeat them (a queue expert answers
        // nothing during a run, so every batch of one run repeated the first batch's vote patterns).
        List<Integer> pending = new ArrayList<>();
        while (answers.size() < budget && asked.size() < maxQuestions) {
            Fitted f = fit(matrix, fitData, answers);
            double[] scores = new double[matrix.rows()];
            int[] votes = new int[matrix.lfs()];
            for (int i = 0; i < scores.length; i++) {
                for (int j = 0; j < votes.length; j++) {
                    votes[j] = matrix.get(i, j);
                }
                List<double[]> committee = new ArrayList<>();
                for (double[][] c : f.committee) {
                    committee.add(c[i]);
                }
                scores[i] = strategy.score(f.probs[i], votes, committee);
            }
            List<Integer> batch = selector.select(scores, features, exclude, pending,
                    Math.min(Math.min(batchSize, budget - answers.size()), maxQuestions - asked.size()));
            if (batch.isEmpty()) {
                break;
            }
            for (int row : batch) {
                asked.add(row);
                exclude.add(row);
                for (int j = 0; j < votes.length; j++) {
                    votes[j] = matrix.get(row, j);
                }
                Optional<Integer> answer = expert.answer(new ExpertQuery(row, f.probs[row], votes, features.row(row)));
                if (answer.isPresent()) {
                    int a = answer.get();
                    if (a < 0 || a >= matrix.numClasses()) {
                        // Checked where it enters: accepted, it failed the next fit without naming row or expert
                        // and the round's answers were lost.
                        throw new ExpertAnswerException(expert.name(), row, a, matrix.numClasses(), answers);
                    }
                    answers.put(row, a);
                } else {
                    pending.add(row);
                }
            }
        }
        Fitted f = fit(matrix, fitData, answers);
        return new Result(answers, asked.size(), f.probs, f.model);
    }

    private FitData plainFitData(LabelMatrix matrix, Map<Integer, Integer> answers) {
        FitData.Builder b = FitData.builder().train(matrix).seed(seed);
        if (!answers.isEmpty()) {
            b.answers(matrix, answers);
        }
        return b.build();
    }

    private Fitted fit(LabelMatrix matrix, Function<Map<Integer, Integer>, FitData> fitData,
            Map<Integer, Integer> answers) {
        FitData data = Objects.requireNonNull(fitData.apply(Map.copyOf(answers)), "fit data");
        if (data.numClasses() != matrix.numClasses()) {
            throw new IllegalArgumentException("the fit data has " + data.numClasses() + " classes, the matrix "
                    + matrix.numClasses());
        }
        LabelModel model = LabelModels.fit(labelModel, data);
        double[][] probs = LabelModels.labelTrainingRows(model, matrix, data);
        List<double[][]> committee = new ArrayList<>();
        if (strategy == QueryStrategy.COMMITTEE) {
            for (String name : List.of("mv", "ds", "snorkel")) {
                committee.add(LabelModels.fit(name, data).predictProba(matrix));
            }
        }
        return new Fitted(model, probs, committee);
    }

    private static final class Fitted {
        final LabelModel model;
        final double[][] probs;
        final List<double[][]> committee;

        Fitted(LabelModel model, double[][] probs, List<double[][]> committee) {
            this.model = model;
            this.probs = probs;
            this.committee = committee;
        }
    }
}
