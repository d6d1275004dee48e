package io.edgeloop.labeling.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.provenance.Provenance;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
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
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
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
     * provenance ({@code features}, {@code classes}: JSON arrays of strings, so names may hold commas). Files
     * written before (comma-separated lists) are still read when that is unambiguous: every feature and class
     * the Tribuo model knows is one of the comma-separated names (a name with a comma would have been split).
     *
     * @param file the model file
     * @return the model
     * @throws IOException when a file is missing or unreadable, the provenance file does not describe this model
     *                     file (see {@link ProvenanceFiles#read(Path)}), the model is not a Tribuo classifier
     *                     written by {@link EndModelTrainer}, or an old comma-separated list cannot be split
     *                     unambiguously
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
        Model<Label> model = m.castModel(Label.class);
        Set<String> modelFeatures = new TreeSet<>();
        model.getFeatureIDMap().forEach(f -> modelFeatures.add(f.getName()));
        Set<String> modelClasses = new TreeSet<>();
        model.getOutputIDInfo().getDomain().forEach(l -> modelClasses.add(l.getLabel()));
        Path prov = ProvenanceFiles.fileFor(file);
        return new EndModel(model, parseList(prov, "features", features, modelFeatures),
                parseList(prov, "classes", classes, modelClasses), p);
    }

    /**
     * Writes a list of names as a provenance setting: a JSON array of strings, so names holding commas survive
     * (the form {@code features} and {@code classes} take in end-model and {@code edgeloop train} provenance).
     *
     * @param names the names, in order
     * @return the setting's text
     */
    public static String listSetting(List<String> names) {
        try {
            return JSON.writeValueAsString(names);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a list of strings always serialises", e);
        }
    }

    /** Reads a list setting: a JSON array of strings, else the old comma-separated form when unambiguous. */
    private static List<String> parseList(Path prov, String key, String value, Set<String> known) throws IOException {
        if (value.startsWith("[")) {
            try {
                List<String> names = JSON.readValue(value, STRINGS);
                if (names != null && names.stream().allMatch(Objects::nonNull)) {
                    return List.copyOf(names);
                }
            } catch (JsonProcessingException e) {
                // Not a JSON array: an old comma-separated list whose first name starts with '['.
            }
        }
        List<String> split = List.of(value.split(",", -1));
        if (!split.containsAll(known)) {
            Set<String> missing = new TreeSet<>(known);
            split.forEach(missing::remove);
            throw new IOException(prov + ": setting '" + key + "' is an old comma-separated list that cannot be split "
                    + "unambiguously (the model knows " + missing + ", which are not among the parts " + split
                    + ": a name holds a comma); train the model again to write the list as a JSON array");
        }
        return split;
    }

    /**
     * @param values feature values in {@link #features()} order, all finite
     * @return class probabilities by index (one-hot when the model has no probabilities)
     * @throws IllegalArgumentException when the number of values differs from the features, or a value is NaN or
     *                                  infinite (naming the feature)
     */
    public double[] predictProba(double[] values) {
        if (values.length != features.size()) {
            throw new IllegalArgumentException(values.length + " feature values for the " + features.size()
                    + " features " + features);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("feature '" + features.get(i) + "' is " + values[i]
                        + "; the end model predicts from finite values only (a window with bad data has no "
                        + "prediction: check FeatureTable.complete)");
            }
        }
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
     * Predicts every row of a table. A row with a missing (NaN) feature, a window with bad data
     * ({@link FeatureTable#complete(int)} false), has no prediction: it gets {@code -1}, as an abstaining label,
     * and the other rows are still predicted (one bad window used to fail the whole batch).
     *
     * @param table rows to predict, with this model's features in its order
     * @return the most probable class per row, {@code -1} for an incomplete row
     * @throws IllegalArgumentException when the table's features are not this model's
     */
    public int[] predict(FeatureTable table) {
        if (!table.names().equals(features)) {
            throw new IllegalArgumentException("the table's features " + table.names() + " are not the model's "
                    + features);
        }
        int[] out = new int[table.size()];
        for (int i = 0; i < out.length; i++) {
            if (!table.complete(i)) {
                out[i] = -1;
                continue;
            }
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
