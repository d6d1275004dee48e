package io.edgeloop.quantize.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Feature scaling followed by dense layers and a head. Linear regression is one dense layer with an
 * {@link Head#IDENTITY} head, logistic regression one dense layer with a {@link Head#SOFTMAX} or
 * {@link Head#LOGISTIC} head, and a small MLP several layers with ReLU/ReLU6 between them.
 *
 * <p>Thread-safe: immutable.
 */
public final class NetworkModel implements FloatModel {
    private final List<String> featureNames;
    private final List<String> classNames;
    private final FeatureScaling scaling;
    private final List<DenseLayer> layers;
    private final Head head;

    /**
     * @param featureNames feature names in input order, non-empty and distinct
     * @param classNames   class names (non-empty and distinct) in output order, empty for regression
     * @param scaling      input scaling (use {@link FeatureScaling#identity(int)} for none)
     * @param layers       at least one layer, shapes chained
     * @param head         the head
     */
    public NetworkModel(List<String> featureNames, List<String> classNames, FeatureScaling scaling,
            List<DenseLayer> layers, Head head) {
        this.featureNames = List.copyOf(Objects.requireNonNull(featureNames, "featureNames"));
        this.classNames = List.copyOf(Objects.requireNonNull(classNames, "classNames"));
        DistinctNames.require(this.featureNames, "feature name");
        DistinctNames.require(this.classNames, "class name");
        this.scaling = Objects.requireNonNull(scaling, "scaling");
        this.layers = List.copyOf(Objects.requireNonNull(layers, "layers"));
        this.head = Objects.requireNonNull(head, "head");
        if (this.layers.isEmpty()) {
            throw new IllegalArgumentException("A network needs at least one dense layer");
        }
        if (scaling.size() != this.featureNames.size()) {
            throw new IllegalArgumentException("Scaling covers " + scaling.size() + " features but the model has "
                    + this.featureNames.size());
        }
        int width = this.featureNames.size();
        for (int l = 0; l < this.layers.size(); l++) {
            if (this.layers.get(l).inputs() != width) {
                throw new IllegalArgumentException("Layer " + l + " takes " + this.layers.get(l).inputs()
                        + " inputs but receives " + width);
            }
            width = this.layers.get(l).outputs();
        }
        if (head.isClassification() != !this.classNames.isEmpty()) {
            throw new IllegalArgumentException("Head " + head + " does not match " + this.classNames.size()
                    + " class names");
        }
        if (!this.classNames.isEmpty() && this.classNames.size() != width && !(width == 1 && head == Head.LOGISTIC)) {
            throw new IllegalArgumentException("The last layer has " + width + " outputs for "
                    + this.classNames.size() + " classes");
        }
    }

    @Override
    public List<String> featureNames() {
        return featureNames;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    /** @return the input scaling */
    public FeatureScaling scaling() {
        return scaling;
    }

    /** @return the layers */
    public List<DenseLayer> layers() {
        return layers;
    }

    /** @return the head */
    public Head head() {
        return head;
    }

    @Override
    public int outputSize() {
        return layers.get(layers.size() - 1).outputs();
    }

    @Override
    public double[] scores(double[] x) {
        double[] v = scaling.apply(x);
        for (DenseLayer l : layers) {
            v = l.apply(v);
        }
        return v;
    }

    /**
     * Returns every layer's output for one input (after its activation), for calibration.
     *
     * @param x raw features
     * @return the scaled input followed by each layer's output
     */
    public List<double[]> trace(double[] x) {
        List<double[]> t = new ArrayList<>();
        double[] v = scaling.apply(x);
        t.add(v);
        for (DenseLayer l : layers) {
            v = l.apply(v);
            t.add(v);
        }
        return t;
    }

    @Override
    public int predictClass(double[] x) {
        double[] s = scores(x);
        if (s.length == 1 && head == Head.LOGISTIC) {
            return s[0] > 0 ? 1 : 0;
        }
        return FloatModel.argmax(s);
    }

    @Override
    public String kind() {
        return "network";
    }
}
