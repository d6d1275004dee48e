package io.edgeloop.quantize.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.ensemble.VotingCombiner;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.MeanStdDevTransformation;

/**
 * Trains Tribuo classifiers on {@link CsvData}: {@code logistic} (logistic regression on standardised features),
 * {@code cart} (a CART tree of depth 8) and {@code forest} (20 CART trees of depth 8 with feature subsampling,
 * majority vote). Deterministic for a seed.
 *
 * <p>Thread-safe: stateless.
 */
public final class TribuoTraining {
    private TribuoTraining() {
    }

    /**
     * @param data the training table (with labels)
     * @param algo {@code logistic}, {@code cart} or {@code forest}
     * @param seed the seed
     * @return the trained model
     * @throws IllegalArgumentException for an unknown algorithm, or a constant column with {@code logistic}
     */
    public static Model<Label> train(CsvData data, String algo, long seed) {
        Objects.requireNonNull(data, "data");
        if (data.labels().isEmpty()) {
            throw new IllegalArgumentException("Training needs a label column");
        }
        MutableDataset<Label> ds = dataset(data);
        Trainer<Label> trainer;
        switch (algo.toLowerCase(Locale.ROOT)) {
            case "logistic":
                requireVariance(data);
                trainer = new TransformTrainer<>(new LogisticRegressionTrainer(),
                        new TransformationMap(List.of(new MeanStdDevTransformation())), true);
                break;
            case "cart":
                trainer = new CARTClassificationTrainer(8, 1.0f, seed);
                break;
            case "forest":
                trainer = new RandomForestTrainer<>(new CARTClassificationTrainer(8, 0.7f, seed), new VotingCombiner(), 20,
                        seed);
                break;
            default:
                throw new IllegalArgumentException("Unknown algorithm '" + algo + "'; use logistic, cart or forest");
        }
        return trainer.train(ds);
    }

    /**
     * Standardisation divides by each column's deviation: a constant column would make every example NaN (Tribuo
     * then fails with "Example contained a NaN feature"), so name it instead.
     */
    private static void requireVariance(CsvData data) {
        for (int c = 0; c < data.features().size(); c++) {
            double first = data.row(0)[c];
            boolean constant = true;
            for (int i = 1; i < data.size() && constant; i++) {
                constant = data.row(i)[c] == first;
            }
            if (constant) {
                String name = data.features().get(c);
                throw new IllegalArgumentException("Column '" + name + "' has the same value (" + first + ") in every "
                        + "row, so logistic regression cannot standardise it; remove it with --drop " + name);
            }
        }
    }

    /**
     * @param data a labelled table
     * @return a Tribuo dataset of it
     */
    public static MutableDataset<Label> dataset(CsvData data) {
        MutableDataset<Label> ds = new MutableDataset<>(new SimpleDataSourceProvenance("csv", new LabelFactory()),
                new LabelFactory());
        String[] names = data.features().toArray(new String[0]);
        for (int i = 0; i < data.size(); i++) {
            ds.add(example(names, data.row(i), data.labels().get(i)));
        }
        return ds;
    }

    /**
     * @param names  feature names
     * @param values feature values
     * @param label  the label, or null for an unlabelled example
     * @return a Tribuo example
     */
    public static Example<Label> example(String[] names, double[] values, String label) {
        return new ArrayExample<>(label == null ? LabelFactory.UNKNOWN_LABEL : new Label(label), names, values);
    }

    /**
     * @param model a Tribuo classifier
     * @param data  rows and labels
     * @return the accuracy in percent
     */
    public static double accuracy(Model<Label> model, CsvData data) {
        String[] names = data.features().toArray(new String[0]);
        List<Example<Label>> ex = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            ex.add(example(names, data.row(i), null));
        }
        int ok = 0;
        for (int i = 0; i < ex.size(); i++) {
            if (model.predict(ex.get(i)).getOutput().getLabel().equals(data.labels().get(i))) {
                ok++;
            }
        }
        return 100.0 * ok / data.size();
    }
}
