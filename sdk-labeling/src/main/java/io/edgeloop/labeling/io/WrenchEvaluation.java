package io.edgeloop.labeling.io;

import io.edgeloop.api.label.Expert;
import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.labeling.active.ActiveLearner;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.model.FitData;
import io.edgeloop.labeling.model.LabelModel;
import io.edgeloop.labeling.model.LabelModels;
import io.edgeloop.labeling.model.Scores;
import io.edgeloop.labeling.train.FeatureTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The WRENCH protocol on a {@link WrenchDataset}: fit a label model on {@code train} (using {@code valid}, when
 * present, only for the class prior and model selection), then score every {@code test} row (as a frame sequence
 * only when the test split is one: {@link #predictProba(LabelModel, WrenchSplit)}).
 *
 * <p>Row numbers in and out of this class (answers, rows asked, the rows of the {@link ExpertQuery expert queries}
 * of {@link #activeLearning}) are 0-based train rows in <b>file order</b>, the numbers docs/formats/expert-queue.md
 * documents, even in a frame split whose matrix is in frame order ({@link WrenchSplit#fileRow(int)}).
 *
 * <p>Thread-safe: static methods only.
 */
public final class WrenchEvaluation {
    private WrenchEvaluation() {
    }

    /**
     * The fit data WRENCH would use: train counts, the train rows in order when they are frames, the valid split's
     * rows with a known gold label when it has any (rows whose label is {@code null} are left out), as a frame
     * sequence ({@link FitData.Builder#validSequence}) when the valid split is a frame split with every row labelled.
     *
     * @param data the data set
     * @param seed the seed
     * @return the fit data
     */
    public static FitData fitData(WrenchDataset data, long seed) {
        return fitData(data, seed, Map.of());
    }

    /**
     * The fit data WRENCH would use, plus expert answers on training rows (see
     * {@link FitData.Builder#answers}): gold for every label model that can use them (all but {@code snorkel-mc},
     * see {@link FitData.Builder#gold}).
     *
     * @param data    the data set
     * @param seed    the seed
     * @param answers class by 0-based train row in file order (the position in {@code train.json}); may be empty
     * @return the fit data
     * @throws IllegalArgumentException when an answer's row or class is out of range
     */
    public static FitData fitData(WrenchDataset data, long seed, Map<Integer, Integer> answers) {
        FitData.Builder b = FitData.builder().train(data.train().matrix()).seed(seed);
        if (!answers.isEmpty()) {
            Map<Integer, Integer> byMatrixRow = new LinkedHashMap<>();
            for (Map.Entry<Integer, Integer> e : answers.entrySet()) {
                if (e.getValue() < 0 || e.getValue() >= data.numClasses()) {
                    throw new IllegalArgumentException("answer for train row " + e.getKey() + " is class "
                            + e.getValue() + "; " + data.name() + " has classes [0, " + data.numClasses() + ")");
                }
                if (e.getKey() < 0 || e.getKey() >= data.train().size()) {
                    throw new IllegalArgumentException("answer for train row " + e.getKey() + ": " + data.name()
                            + " has train rows [0, " + data.train().size() + ")");
                }
                byMatrixRow.put(data.train().row(e.getKey()), e.getValue());
            }
            b.answers(data.train().matrix(), byMatrixRow);
        }
        if (data.train().ordered()) {
            b.sequence(data.train().matrix());
        }
        // Rows with a null gold label are unknown: validation uses the labelled rows; none labelled, no validation.
        // A fully labelled frame split stays a frame sequence (labelledRows returns it whole), so auto can score
        // its frame default over it in order.
        data.valid().map(WrenchSplit::labelledRows).filter(v -> v.size() > 0).ifPresent(v -> {
            if (v.ordered()) {
                b.validSequence(v.matrix(), v.gold());
            } else {
                b.valid(v.matrix(), v.gold());
            }
        });
        return b.build();
    }

    /**
     * Fits a model by name.
     *
     * @param data  the data set
     * @param model a name from {@link LabelModels#NAMES}
     * @param seed  the seed
     * @return the fitted model
     */
    public static LabelModel fit(WrenchDataset data, String model, long seed) {
        requireUsable(data, model, Map.of());
        return LabelModels.fit(model, fitData(data, seed));
    }

    /**
     * Refuses, in the words of the WRENCH files, a model that cannot be fitted on this data set: {@code hmm} when
     * train.json's rows are not frames, {@code wmv} when neither valid.json nor the answers give a class prior.
     * ({@link LabelModels#fit} says the same in terms of {@link FitData}.)
     *
     * @param data    the data set
     * @param model   a name from {@link LabelModels#NAMES}
     * @param answers the expert answers the fit will have; may be empty
     * @throws IllegalArgumentException naming the file and what it lacks
     */
    public static void requireUsable(WrenchDataset data, String model, Map<Integer, Integer> answers) {
        if (model.equals("hmm") && !data.train().ordered()) {
            throw new IllegalArgumentException("hmm needs train.json's rows as a frame sequence (every row's "
                    + "data.frame a distinct integer), which they are not: use mv, ds, snorkel or auto");
        }
        boolean prior = answers.size() > 0 || data.valid().map(WrenchSplit::labelledRows).filter(v -> v.size() > 0)
                .isPresent();
        if (model.equals("wmv") && !prior) {
            throw new IllegalArgumentException("wmv needs a class prior, which comes from valid.json rows with gold "
                    + "labels or from expert answers; this data set has neither: use mv, ds, snorkel or auto");
        }
    }

    /**
     * Fits with expert answers on training rows and scores on the test split.
     *
     * @param data    the data set
     * @param model   a name from {@link LabelModels#NAMES}
     * @param seed    the seed
     * @param answers class by 0-based train row in file order; may be empty
     * @return the fitted model and its test scores
     */
    public static Fitted evaluate(WrenchDataset data, String model, long seed, Map<Integer, Integer> answers) {
        requireUsable(data, model, answers);
        LabelModel lm = LabelModels.fit(model, fitData(data, seed, answers));
        return new Fitted(lm, Scores.of(predict(lm, data.test()), data.test().gold(), data.numClasses()));
    }

    /**
     * A fitted model with its test scores. Thread-safe: immutable (label models are immutable once fitted).
     *
     * @param model  the fitted label model
     * @param scores its scores on the test split
     */
    public record Fitted(LabelModel model, Scores scores) {
    }

    /**
     * Fits and scores on the test split.
     *
     * @param data  the data set
     * @param model a name from {@link LabelModels#NAMES}
     * @param seed  the seed
     * @return test scores
     */
    public static Scores evaluate(WrenchDataset data, String model, long seed) {
        LabelModel lm = fit(data, model, seed);
        return Scores.of(predict(lm, data.test()), data.test().gold(), data.numClasses());
    }

    /**
     * Class probabilities for a split's rows: a sequence model ({@code hmm}, {@code auto} choosing {@code mv>hmm})
     * runs over the rows as frames only when the split is {@link WrenchSplit#ordered() ordered}; otherwise every
     * row is scored on its own ({@link LabelModel#predictProbaUnordered}), since rows that happen to be next to
     * each other in a file are not consecutive frames.
     *
     * @param model the fitted model
     * @param split the split
     * @return one probability vector per matrix row
     */
    public static double[][] predictProba(LabelModel model, WrenchSplit split) {
        return split.ordered() ? model.predictProba(split.matrix()) : model.predictProbaUnordered(split.matrix());
    }

    /**
     * Hard predictions for a split's rows with WRENCH's tie-breaking, as {@link #predictProba(LabelModel,
     * WrenchSplit)}.
     *
     * @param model the fitted model
     * @param split the split
     * @return one class per matrix row
     */
    public static int[] predict(LabelModel model, WrenchSplit split) {
        return io.edgeloop.labeling.model.Predictions.fromProbabilities(predictProba(model, split));
    }

    /**
     * Active learning on the train split ({@link ActiveLearner#run(LabelMatrix, java.util.function.Function,
     * FeatureTable, Expert, int, Map, Set, int)} with this data set's {@link #fitData(WrenchDataset, long, Map) fit
     * data}), with every row number in file order: the known answers and rows asked going in, the rows of the
     * questions the expert gets, and the answers and probabilities coming out. The features shown to the expert
     * (and used for batch diversity) are the row's LF votes.
     *
     * @param data         the data set
     * @param learner      the loop's settings
     * @param seed         the seed of the fit data
     * @param expert       who answers; gets file-order rows
     * @param budget       the most answers to hold at the end, known ones included
     * @param known        answers from earlier runs, by file-order train row
     * @param alreadyAsked file-order train rows asked in earlier runs
     * @param maxQuestions the most new questions to ask in this run
     * @return answers by file-order row, questions asked, probabilities by file-order row, and
     *         the final model
     * @throws IOException              when the expert cannot be reached
     * @throws IllegalArgumentException when a known or asked row is not a train row, or a class is out of range
     */
    public static ActiveLearner.Result activeLearning(WrenchDataset data, ActiveLearner learner, long seed,
            Expert expert, int budget, Map<Integer, Integer> known, Set<Integer> alreadyAsked, int maxQuestions)
            throws IOException {
        WrenchSplit train = data.train();
        LabelMatrix pool = train.matrix();
        Map<Integer, Integer> knownRows = new LinkedHashMap<>();
        for (Map.Entry<Integer, Integer> e : known.entrySet()) {
            knownRows.put(train.row(e.getKey()), e.getValue());
        }
        Set<Integer> askedRows = new HashSet<>();
        for (int f : alreadyAsked) {
            askedRows.add(train.row(f));
        }
        Expert inFileOrder = new Expert() {
            @Override
            public String name() {
                return expert.name();
            }

            @Override
            public Optional<Integer> answer(ExpertQuery q) throws IOException {
                return expert.answer(new ExpertQuery(train.fileRow(q.row()), q.probabilities(), q.votes(),
                        q.features()));
            }
        };
        ActiveLearner.Result r = learner.run(pool, a -> fitData(data, seed, toFileRows(train, a)), voteFeatures(pool),
                inFileOrder, budget, knownRows, askedRows, maxQuestions);
        double[][] probs = new double[r.probabilities().length][];
        for (int row = 0; row < probs.length; row++) {
            probs[train.fileRow(row)] = r.probabilities()[row];
        }
        return new ActiveLearner.Result(toFileRows(train, r.answers()), r.asked(), probs,
                r.model());
    }

    private static Map<Integer, Integer> toFileRows(WrenchSplit train, Map<Integer, Integer> byMatrixRow) {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        byMatrixRow.forEach((row, label) -> out.put(train.fileRow(row), label));
        return out;
    }

    /**
     * The LF votes as features: rows with the same vote pattern are near-duplicates for batch diversity.
     *
     * @param m the votes
     * @return one feature row per matrix row, {@code lf0..} named
     */
    public static FeatureTable voteFeatures(LabelMatrix m) {
        double[][] rows = new double[m.rows()][m.lfs()];
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.lfs(); j++) {
                rows[i][j] = m.get(i, j);
            }
        }
        List<String> names = new ArrayList<>();
        for (int j = 0; j < m.lfs(); j++) {
            names.add("lf" + j);
        }
        return new FeatureTable(names, rows);
    }
}
