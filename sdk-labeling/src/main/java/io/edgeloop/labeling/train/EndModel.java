package io.edgeloop.labeling.train;

import io.edgeloop.api.provenance.Provenance;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

/**
 * A trained Tribuo classifier with the feature order it expects, its class names and Edgeloop provenance.
 *
 * <p>Thread-safe: Tribuo models predict concurrently; this wrapper is immutable.
 */
public final class EndModel {
    private final Model<Label> model;
    private final List<String> features;
    private final List<String> classNames;
    private final Provenance provenance;

    EndModel(Model<Label> model, List<String> features, List<String> classNames, Provenance provenance) {
        this.model = Objects.requireNonNull(model, "model");
        this.features = List.copyOf(features);
        this.classNames = List.copyOf(classNames);
        this.provenance = Objects.requireNonNull(provenance, "provenance");
    }

    /** @return the Tribuo model */
    public Model<Label> tribuoModel() {
        return model;
    }

    /** @return the feature names, in order */
    public List<String> features() {
        return features;
    }

    /** @return class names by index */
    public List<String> classNames() {
        return classNames;
    }

    /** @return how the model was produced */
    public Provenance provenance() {
        return provenance;
    }

    /**
     * Writes the Tribuo model ({@code Model.serializeToFile}, what {@code edgeloop train} and sdk-quantize read) and
     * its Edgeloop provenance next to it, as {@code <file>.provenance.json} ({@link ProvenanceFiles}).
     *
     * @param file the model file, for example {@code occupancy.tribuo}
     * @return the provenance file written
     * @throws IOException when either file cannot be written
     */
    public Path write(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        model.serializeToFile(file);
        return ProvenanceFiles.write(file, provenance);
    }

    /**
     * Reads a model written by {@link #write(Path)}, with its provenance; features and class names come from the
     * provenance ({@code features}, {@code classes}).
     *
     * @param file the model file
     * @return the model
     * @throws IOException when a file is missing or unreadable, the provenance file does not describe this model
     *                     file (see {@link ProvenanceFiles#read(Path)}), or the model is not a Tribuo classifier
     *                     written by {@link EndModelTrainer}
     */
    public static EndModel read(Path file) throws IOException {
        Provenance p = ProvenanceFiles.read(file);
        String features = p.settings().get("features");
        String classes = p.settings().get("classes");
        if (!"end-model".equals(p.kind()) || features == null || classes == null) {
            throw new IOException(ProvenanceFiles.fileFor(file) + " is not an end model's provenance (kind "
                    + p.kind() + ", needs the settings 'features' and 'classes')");
        }
        Model<?> m = Model.deserializeFromFile(file);
        if (!m.validate(Label.class)) {
            throw new IOException(file + " is not a Tribuo classification model");
        }
        return new EndModel(m.castModel(Label.class), List.of(features.split(",", -1)),
                List.of(classes.split(",", -1)), p);
    }

    /**
     * @param values feature values in {@link #features()} order
     * @return class probabilities by index (one-hot when the model has no probabilities)
     */
    public double[] predictProba(double[] values) {
        Prediction<Label> p = model.predict(new ArrayExample<>(LabelFactory.UNKNOWN_LABEL,
                features.toArray(new String[0]), values));
        double[] out = new double[classNames.size()];
        if (p.hasProbabilities()) {
            for (var e : p.getOutputScores().entrySet()) {
                int c = classNames.indexOf(e.getKey());
                if (c >= 0) {
                    out[c] = e.getValue().getScore();
                }
            }
        } else {
            int c = classNames.indexOf(p.getOutput().getLabel());
            if (c >= 0) {
                out[c] = 1;
            }
        }
        return out;
    }

    /**
     * @param table rows to predict
     * @return the most probable class per row
     */
    public int[] predict(FeatureTable table) {
        int[] out = new int[table.size()];
        for (int i = 0; i < out.length; i++) {
            double[] p = predictProba(table.row(i));
            int best = 0;
            for (int c = 1; c < p.length; c++) {
                if (p[c] > p[best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }
}
