package io.edgeloop.labeling.lf;

import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.window.Window;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.impl.ArrayExample;

/**
 * A trained Tribuo classifier used as a labelling function: predicts from the window's features and votes the
 * predicted class when its probability reaches {@code minConfidence}; abstains when a feature is missing or the
 * model is unsure. Class names map to indices through {@code classNames}.
 *
 * <p>Thread-safe: Tribuo models are safe for concurrent prediction.
 */
public final class TribuoLabeller implements Labeller {
    private final String name;
    private final Model<org.tribuo.classification.Label> model;
    private final String[] features;
    private final List<String> classNames;
    private final double minConfidence;
    private final String modelSha256;

    /**
     * @param name          the labeller name
     * @param model         the classifier
     * @param features      the window features to feed it, in order
     * @param classNames    class names by index (the model's label strings)
     * @param minConfidence the probability needed to vote, in [0, 1]
     * @throws IllegalArgumentException when a feature is not one the model was trained on, a feature the model was
     *                                  trained on is not given (Tribuo would read it as 0), a feature is given
     *                                  twice, or the class names are not the model's output classes
     */
    public TribuoLabeller(String name, Model<org.tribuo.classification.Label> model, List<String> features,
            List<String> classNames, double minConfidence) {
        this.name = Objects.requireNonNull(name, "name");
        this.model = Objects.requireNonNull(model, "model");
        this.features = features.toArray(new String[0]);
        this.classNames = List.copyOf(classNames);
        if (this.classNames.size() < 2) {
            throw new IllegalArgumentException("TribuoLabeller '" + name + "' needs at least two class names");
        }
        if (!(minConfidence >= 0 && minConfidence <= 1)) {
            throw new IllegalArgumentException("minConfidence must be in [0, 1], got " + minConfidence);
        }
        this.minConfidence = minConfidence;
        checkAgainstModel(name, model, this.features, this.classNames);
        // Tribuo's provenance names the trainer, its settings and seed, the training data's digest and the training
        // time, so it tells models apart; hashing it is cheap, unlike serialising the model.
        this.modelSha256 = Sha256.hex(model.getProvenance().toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A labeller that cannot vote right is refused here, not found out by its silence: Tribuo drops a feature it does
     * not know and reads one it misses as 0, and a class name the model never predicts would make the labeller
     * abstain on every window.
     */
    private static void checkAgainstModel(String name, Model<org.tribuo.classification.Label> model,
            String[] features, List<String> classNames) {
        org.tribuo.ImmutableFeatureMap known = model.getFeatureIDMap();
        java.util.Set<String> given = new java.util.LinkedHashSet<>();
        List<String> unknown = new java.util.ArrayList<>();
        for (String f : features) {
            if (!given.add(f)) {
                throw new IllegalArgumentException("TribuoLabeller '" + name + "': feature '" + f + "' is given twice");
            }
            if (known.get(f) == null) {
                unknown.add(f);
            }
        }
        List<String> missing = new java.util.ArrayList<>();
        for (org.tribuo.VariableInfo v : known) {
            if (!given.contains(v.getName())) {
                missing.add(v.getName());
            }
        }
        java.util.Collections.sort(missing);
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            throw new IllegalArgumentException("TribuoLabeller '" + name + "': the features do not match the model's"
                    + (unknown.isEmpty() ? "" : "; not known to the model: " + unknown)
                    + (missing.isEmpty() ? "" : "; the model's, not given (they would be read as 0): " + missing));
        }
        java.util.Set<String> outputs = new java.util.TreeSet<>();
        for (org.tribuo.classification.Label l : model.getOutputIDInfo().getDomain()) {
            outputs.add(l.getLabel());
        }
        if (!outputs.equals(new java.util.TreeSet<>(classNames)) || classNames.size() != outputs.size()) {
            throw new IllegalArgumentException("TribuoLabeller '" + name + "': class names " + classNames
                    + " are not the model's output classes " + outputs + " (a class the model never predicts would "
                    + "never get a vote; give the model's names, in the order of the label matrix's class indices)");
        }
    }

    /**
     * Describes the labeller for provenance digests: its features, class names, minimum confidence and the
     * SHA-256 of the model's Tribuo provenance, so another model or setting gives another LF digest.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "TribuoLabeller[" + name + ": features=" + Arrays.toString(features) + " classes=" + classNames
                + " minConfidence=" + minConfidence + " modelProvenanceSha256=" + modelSha256 + "]";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int numClasses() {
        return classNames.size();
    }

    @Override
    public int label(Window window) {
        double[] v = new double[features.length];
        for (int i = 0; i < features.length; i++) {
            Double x = window.features().get(features[i]);
            if (x == null || !Double.isFinite(x)) {
                return Label.ABSTAIN;
            }
            v[i] = x;
        }
        ArrayExample<org.tribuo.classification.Label> ex = new ArrayExample<>(
                org.tribuo.classification.LabelFactory.UNKNOWN_LABEL, features, v);
        Prediction<org.tribuo.classification.Label> p = model.predict(ex);
        org.tribuo.classification.Label out = p.getOutput();
        int idx = classNames.indexOf(out.getLabel());
        if (idx < 0) {
            return Label.ABSTAIN;
        }
        double conf = p.hasProbabilities() ? out.getScore() : 1.0;
        return conf >= minConfidence ? idx : Label.ABSTAIN;
    }
}
