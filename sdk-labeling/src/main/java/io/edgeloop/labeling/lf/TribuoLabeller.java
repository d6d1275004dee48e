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
        // Tribuo's provenance names the trainer, its settings and seed, the training data's digest and the training
        // time, so it tells models apart; hashing it is cheap, unlike serialising the model.
        this.modelSha256 = Sha256.hex(model.getProvenance().toString().getBytes(StandardCharsets.UTF_8));
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
