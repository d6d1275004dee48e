package io.edgeloop.quantize.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import io.edgeloop.quantize.scheme.ColumnScale;
import io.edgeloop.tribuo.provenance.TribuoTrainingTime;
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
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.common.sgd.AbstractLinearSGDModel;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformedModel;
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
     * @throws IllegalArgumentException for an unknown algorithm, labels of fewer than two classes, or with
     *                                  {@code logistic} a column that cannot be
     *                                  standardised (constant, or a scale whose standard deviation is not a finite
     *                                  positive normal double); the message names the column
     */
    public static Model<Label> train(CsvData data, String algo, long seed) {
        return train(data, algo, seed, null);
    }

    /**
     * Trains as {@link #train(CsvData, String, long)}, recording a given time as the training and data source
     * creation time in the model's Tribuo provenance: the same data, algorithm, seed and time then give
     * byte-identical model files on one JVM, OS and host (Tribuo also records those). {@code edgeloop train} passes
     * {@code SOURCE_DATE_EPOCH} here when it is set.
     *
     * @param data      the training table (with labels)
     * @param algo      {@code logistic}, {@code cart} or {@code forest}
     * @param seed      the seed
     * @param trainedAt the time to record, or null for the current time (Tribuo's default)
     * @return the trained model
     * @throws IllegalArgumentException as {@link #train(CsvData, String, long)}
     */
    public static Model<Label> train(CsvData data, String algo, long seed, java.time.Instant trainedAt) {
        Objects.requireNonNull(data, "data");
        if (data.labels().isEmpty()) {
            throw new IllegalArgumentException("Training needs a label column");
        }
        java.util.Set<String> classes = new java.util.TreeSet<>(data.labels());
        if (classes.size() < 2) {
            // A one-class classifier predicts that class for every input (100 % training accuracy); quantize
            // refuses it later, so refuse it here, where the data is at hand.
            throw new IllegalArgumentException("Label column '" + data.labelColumn().orElse("?") + "' holds one class "
                    + "only ('" + classes.iterator().next()
                    + "' on all " + data.size() + " rows); a classifier needs at least two classes: train on rows "
                    + "that cover at least two outcomes");
        }
        MutableDataset<Label> ds = dataset(data, trainedAt);
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
        Model<Label> m = trainer.train(ds);
        return trainedAt == null ? m : TribuoTrainingTime.pin(m, trainedAt);
    }

    /**
     * Standardisation divides by each column's deviation: a constant column would make every example NaN (Tribuo
     * then fails with "Example contained a NaN feature"), so name it instead. So would a column whose deviation
     * is not a finite normal double: values near 1e300 overflow the squared deviations (the column is silently
     * erased), subnormal values near 1e-310 underflow them to 0 (every prediction becomes NaN).
     * The rule is {@link ColumnScale}'s, which calibration applies too.
     */
    private static void requireVariance(CsvData data) {
        requireNonConstant(data);
        java.util.Optional<ColumnScale.Problem> bad = ColumnScale.firstProblem(data.rows());
        if (bad.isPresent()) {
            ColumnScale.Problem p = bad.get();
            String name = data.features().get(p.column());
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Column '%s' breaks logistic regression: "
                    + "its values (largest magnitude %.3g) give a standard deviation of %s in double arithmetic, "
                    + "so it cannot be standardised (%s); rescale the column or remove it with --drop %s", name,
                    Math.abs(p.value()), p.std(), p.cause(), name));
        }
    }

    private static void requireNonConstant(CsvData data) {
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
        return dataset(data, null);
    }

    private static MutableDataset<Label> dataset(CsvData data, java.time.Instant createdAt) {
        MutableDataset<Label> ds = new MutableDataset<>(TribuoTrainingTime.dataSource("csv", createdAt,
                new LabelFactory()), new LabelFactory());
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
     * Checks a trained model before it is written, and measures its training accuracy: every parameter of a linear
     * model is finite, every standardised training value is finite, and every training row gets a label from finite
     * scores.
     *
     * @param model a Tribuo classifier
     * @param data  its training rows and labels
     * @return the training accuracy in percent
     * @throws IllegalArgumentException when the model is unusable; the message names the cause (and the column when
     *                                  one column is to blame)
     */
    public static double evaluate(Model<Label> model, CsvData data) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        String[] names = data.features().toArray(new String[0]);
        Model<Label> inner = model;
        if (model instanceof TransformedModel) {
            TransformedModel<Label> tm = (TransformedModel<Label>) model;
            inner = tm.getInnerModel();
            for (int i = 0; i < data.size(); i++) {
                Example<Label> t = tm.getTransformerMap().transformExample(example(names, data.row(i), null));
                for (org.tribuo.Feature f : t) {
                    if (!Double.isFinite(f.getValue())) {
                        throw new IllegalArgumentException("Training failed: standardising column '" + f.getName()
                                + "' gives " + f.getValue() + " on row " + (i + 1) + " (its scale breaks the "
                                + "standardisation); rescale the column or remove it with --drop " + f.getName());
                    }
                }
            }
        }
        if (inner instanceof AbstractLinearSGDModel) {
            DenseMatrix w = ((AbstractLinearSGDModel<Label>) inner).getWeightsCopy();
            ImmutableFeatureMap fmap = inner.getFeatureIDMap();
            for (int o = 0; o < w.getDimension1Size(); o++) {
                for (int j = 0; j < w.getDimension2Size(); j++) {
                    if (!Double.isFinite(w.get(o, j))) {
                        String what = j < fmap.size() ? "the weight of column '" + fmap.get(j).getName() + "'" : "a bias";
                        throw new IllegalArgumentException("Training failed: " + what + " is " + w.get(o, j)
                                + " (the optimiser diverged); rescale the features or remove that column with --drop");
                    }
                }
            }
        }
        int ok = 0;
        for (int i = 0; i < data.size(); i++) {
            org.tribuo.Prediction<Label> p = model.predict(example(names, data.row(i), null));
            Label out = p.getOutput();
            boolean finite = out != null && Double.isFinite(out.getScore());
            for (Label l : p.getOutputScores().values()) {
                finite &= Double.isFinite(l.getScore());
            }
            if (!finite) {
                throw new IllegalArgumentException("Training failed: the model gives row " + (i + 1) + " "
                        + (out == null ? "no label" : "non-finite scores") + "; a column's scale (values near 1e300 or "
                        + "1e-310) can break training: rescale or --drop it");
            }
            if (out.getLabel().equals(data.labels().get(i))) {
                ok++;
            }
        }
        return 100.0 * ok / data.size();
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
