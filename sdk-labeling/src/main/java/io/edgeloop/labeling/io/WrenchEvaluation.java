package io.edgeloop.labeling.io;

import io.edgeloop.labeling.model.FitData;
import io.edgeloop.labeling.model.LabelModel;
import io.edgeloop.labeling.model.LabelModels;
import io.edgeloop.labeling.model.Scores;

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
     * The fit data WRENCH would use: train counts, the train rows in order when they are frames, the valid split
     * when present with gold labels.
     *
     * @param data the data set
     * @param seed the seed
     * @return the fit data
     */
    public static FitData fitData(WrenchDataset data, long seed) {
        FitData.Builder b = FitData.builder().train(data.train().matrix()).seed(seed);
        if (data.train().ordered()) {
            b.sequence(data.train().matrix());
        }
        data.valid().filter(WrenchSplit::fullyLabelled).ifPresent(v -> b.valid(v.matrix(), v.gold()));
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
