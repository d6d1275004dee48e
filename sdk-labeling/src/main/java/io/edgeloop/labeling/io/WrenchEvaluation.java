package io.edgeloop.labeling.io;

import io.edgeloop.labeling.model.FitData;
import io.edgeloop.labeling.model.LabelModel;
import io.edgeloop.labeling.model.LabelModels;
import io.edgeloop.labeling.model.Scores;
import java.util.Map;

/**
 * The WRENCH protocol on a {@link WrenchDataset}: fit a label model on {@code train} (using {@code valid}, when
 * present, only for the class prior and model selection), then score every {@code test} row.
 *
 * <p>Thread-safe: static methods only.
 */
public final class WrenchEvaluation {
    private WrenchEvaluation() {
    }

    /**
     * The fit data WRENCH would use: train counts, the train rows in order when they are frames, the valid split's
     * rows with a known gold label when it has any (rows whose label is {@code null} are left out).
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
     * @param answers class by 0-based train row (file order); may be empty
     * @return the fit data
     * @throws IllegalArgumentException when an answer's row or class is out of range
     */
    public static FitData fitData(WrenchDataset data, long seed, Map<Integer, Integer> answers) {
        FitData.Builder b = FitData.builder().train(data.train().matrix()).seed(seed);
        if (!answers.isEmpty()) {
            for (Map.Entry<Integer, Integer> e : answers.entrySet()) {
                if (e.getValue() < 0 || e.getValue() >= data.numClasses()) {
                    throw new IllegalArgumentException("answer for train row " + e.getKey() + " is class "
                            + e.getValue() + "; " + data.name() + " has classes [0, " + data.numClasses() + ")");
                }
            }
            b.answers(data.train().matrix(), answers);
        }
        if (data.train().ordered()) {
            b.sequence(data.train().matrix());
        }
        // Rows with a null gold label are unknown: validation uses the labelled rows; none labelled, no validation.
        data.valid().map(WrenchSplit::labelledRows).filter(v -> v.size() > 0)
                .ifPresent(v -> b.valid(v.matrix(), v.gold()));
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
        return LabelModels.fit(model, fitData(data, seed));
    }

    /**
     * Fits with expert answers on training rows and scores on the test split.
     *
     * @param data    the data set
     * @param model   a name from {@link LabelModels#NAMES}
     * @param seed    the seed
     * @param answers class by 0-based train row; may be empty
     * @return the fitted model and its test scores
     */
    public static Fitted evaluate(WrenchDataset data, String model, long seed, Map<Integer, Integer> answers) {
        LabelModel lm = LabelModels.fit(model, fitData(data, seed, answers));
        return new Fitted(lm, Scores.of(lm.predict(data.test().matrix()), data.test().gold(), data.numClasses()));
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
        return Scores.of(lm.predict(data.test().matrix()), data.test().gold(), data.numClasses());
    }
}
