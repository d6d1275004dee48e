package io.edgeloop.quantize.ir;

import java.util.Objects;

/**
 * A fully connected layer {@code y = activation(W x + b)} with {@code W} of shape [outputs][inputs].
 *
 * <p>Thread-safe: immutable (arrays are copied in and out).
 */
public final class DenseLayer {
    private final double[][] weights;
    private final double[] bias;
    private final Activation activation;

    /**
     * @param weights    [outputs][inputs], finite
     * @param bias       [outputs], finite
     * @param activation the activation
     * @throws IllegalArgumentException when shapes disagree or a value is not finite
     */
    public DenseLayer(double[][] weights, double[] bias, Activation activation) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(bias, "bias");
        this.activation = Objects.requireNonNull(activation, "activation");
        if (weights.length == 0 || weights.length != bias.length) {
            throw new IllegalArgumentException("Dense layer has " + weights.length + " weight rows and "
                    + bias.length + " biases; they must be equal and positive");
        }
        int in = weights[0].length;
        this.weights = new double[weights.length][];
        for (int o = 0; o < weights.length; o++) {
            if (weights[o].length != in || in == 0) {
                throw new IllegalArgumentException("Dense layer weight row " + o + " has " + weights[o].length
                        + " values; row 0 has " + in);
            }
            for (double w : weights[o]) {
                requireFinite(w, "weight");
            }
            requireFinite(bias[o], "bias");
            this.weights[o] = weights[o].clone();
        }
        this.bias = bias.clone();
    }

    private static void requireFinite(double v, String what) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("Dense layer " + what + " is " + v + "; only finite values are allowed");
        }
    }

    /** @return the number of inputs */
    public int inputs() {
        return weights[0].length;
    }

    /** @return the number of outputs */
    public int outputs() {
        return weights.length;
    }

    /**
     * @param o output index
     * @param i input index
     * @return the weight
     */
    public double weight(int o, int i) {
        return weights[o][i];
    }

    /** @return a copy of the weights */
    public double[][] weights() {
        double[][] c = new double[weights.length][];
        for (int o = 0; o < c.length; o++) {
            c[o] = weights[o].clone();
        }
        return c;
    }

    /** @return a copy of the bias */
    public double[] bias() {
        return bias.clone();
    }

    /**
     * @param o output index
     * @return the bias of output {@code o}
     */
    public double bias(int o) {
        return bias[o];
    }

    /** @return the activation */
    public Activation activation() {
        return activation;
    }

    /**
     * @param x the input
     * @return the layer output
     */
    public double[] apply(double[] x) {
        double[] y = new double[weights.length];
        for (int o = 0; o < y.length; o++) {
            double s = bias[o];
            double[] w = weights[o];
            for (int i = 0; i < w.length; i++) {
                s += w[i] * x[i];
            }
            y[o] = activation.apply(s);
        }
        return y;
    }
}
