package io.edgeloop.labeling.train;

import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.MeanStdDevTransformation;

/**
 * The Tribuo end models offered: logistic regression (features standardised by Tribuo's
 * {@code MeanStdDevTransformation}, so raw sensor units of very different scales train well) and a CART tree.
 *
 * <p>Thread-safe: an enum.
 */
public enum EndModelKind {
    /** Tribuo logistic regression (log-multiclass loss, AdaGrad, 10 epochs) on standardised features. */
    LOGISTIC {
        @Override
        public Trainer<Label> trainer(long seed) {
            LinearSGDTrainer lr = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(1.0, 0.1), 10, 1_000_000,
                    seed);
            return new TransformTrainer<>(lr, new TransformationMap(java.util.List.of(new MeanStdDevTransformation())),
                    true);
        }
    },
    /** Tribuo CART classification tree, depth at most 8. */
    CART {
        @Override
        public Trainer<Label> trainer(long seed) {
            return new CARTClassificationTrainer(8, 1.0f, seed);
        }
    };

    /**
     * @param seed the training seed
     * @return a new Tribuo trainer
     */
    public abstract Trainer<Label> trainer(long seed);
}
