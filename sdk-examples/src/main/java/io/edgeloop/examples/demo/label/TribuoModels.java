package io.edgeloop.examples.demo.label;

import java.util.List;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.transform.transformations.MeanStdDevTransformation;

/**
 * Trains and applies the demo's end model: Tribuo logistic regression behind a mean/std standardiser, the
 * kind sdk-quantize imports (an affine feature scaling in front of a linear model). Tribuo's SGD trainer is
 * seeded, so the same rows give the same weights.
 *
 * <p>Thread-safe: stateless; the returned models are thread-safe for prediction.
 */
public final class TribuoModels {
    private static final LabelFactory LABELS = new LabelFactory();
    private static final int EPOCHS = 10;

    private TribuoModels() {
    }

    /**
     * Trains a model.
     *
     * @param description what the training data is, for the model's provenance
     * @param features    feature names
     * @param rows        input rows
     * @param labels      class per row (0 or 1)
     * @param weights     example weight per row, or null for 1
     * @param seed        the trainer's seed
     * @return the model
     */
    public static Model<Label> train(String description, List<String> features, double[][] rows, int[] labels,
            float[] weights, long seed) {
        MutableDataset<Label> ds = new MutableDataset<>(new SimpleDataSourceProvenance(description, LABELS), LABELS);
        String[] names = features.toArray(new String[0]);
        for (int i = 0; i < rows.length; i++) {
            ArrayExample<Label> ex = new ArrayExample<>(new Label(Integer.toString(labels[i])), names, rows[i]);
            if (weights != null) {
                ex.setWeight(weights[i]);
            }
            ds.add(ex);
        }
        // Logistic regression as Tribuo's LogisticRegressionTrainer configures it, with more epochs and our seed.
        LinearSGDTrainer lr = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(1.0, 0.1), EPOCHS, -1, 1, seed);
        TransformTrainer<Label> t = new TransformTrainer<>(lr,
                new TransformationMap(List.of(new MeanStdDevTransformation())));
        return t.train(ds);
    }

    /**
     * Predicts one row.
     *
     * @param model    the model
     * @param features feature names
     * @param row      inputs
     * @return the predicted class index in {@link OccupancyWindows#CLASSES} (labels "0"/"1" are read as indexes)
     */
    public static int predict(Model<Label> model, List<String> features, double[] row) {
        ArrayExample<Label> ex = new ArrayExample<>(LABELS.getUnknownOutput(), features.toArray(new String[0]), row);
        String label = model.predict(ex).getOutput().getLabel();
        int k = OccupancyWindows.CLASSES.indexOf(label);
        return k >= 0 ? k : Integer.parseInt(label);
    }

    /**
     * Accuracy of a model on a table, in percent.
     *
     * @param model the model
     * @param table the rows and gold labels
     * @return the share of rows predicted right, in percent
     */
    public static double accuracy(Model<Label> model, FeatureTable table) {
        int right = 0;
        for (int i = 0; i < table.size(); i++) {
            right += predict(model, table.features(), table.rows()[i]) == table.gold()[i] ? 1 : 0;
        }
        return table.size() == 0 ? Double.NaN : 100.0 * right / table.size();
    }
}
