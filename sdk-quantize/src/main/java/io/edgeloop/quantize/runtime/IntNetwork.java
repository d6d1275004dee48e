package io.edgeloop.quantize.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An integer network: per-feature input quantization followed by {@link IntLayer}s. The outputs are the last
 * layer's integer values.
 *
 * <p>Thread-safe: immutable; {@link #predict} allocates its own buffers.
 */
public final class IntNetwork implements IntModel {
    private final String scheme;
    private final List<String> featureNames;
    private final List<String> classNames;
    private final InputQuantization input;
    private final List<IntLayer> layers;

    /**
     * @param scheme       scheme name
     * @param featureNames feature names, non-empty and distinct
     * @param classNames   class names (non-empty and distinct), empty for regression
     * @param input        input quantization
     * @param layers       layers, chained
     */
    public IntNetwork(String scheme, List<String> featureNames, List<String> classNames, InputQuantization input,
            List<IntLayer> layers) {
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        this.featureNames = List.copyOf(featureNames);
        this.classNames = List.copyOf(classNames);
        io.edgeloop.quantize.ir.DistinctNames.require(this.featureNames, "feature name");
        io.edgeloop.quantize.ir.DistinctNames.require(this.classNames, "class name");
        this.input = Objects.requireNonNull(input, "input");
        this.layers = List.copyOf(layers);
        if (this.layers.isEmpty()) {
            throw new IllegalArgumentException("An integer network needs at least one layer");
        }
        if (featureNames.size() != input.size()) {
            throw new IllegalArgumentException(featureNames.size() + " feature names for " + input.size() + " inputs");
        }
        int width = input.size();
        int lo = input.min();
        int hi = input.max();
        for (int l = 0; l < this.layers.size(); l++) {
            IntLayer layer = this.layers.get(l);
            if (layer.inputs() != width) {
                throw new IllegalArgumentException("Layer " + l + " takes " + layer.inputs() + " inputs, receives " + width);
            }
            if (layer.inputMin() > lo || layer.inputMax() < hi) {
                throw new IllegalArgumentException("Layer " + l + " was proved for inputs in [" + layer.inputMin() + ", "
                        + layer.inputMax() + "] but receives [" + lo + ", " + hi + "]");
            }
            if (layer.requantization() == Requantization.NONE && l != this.layers.size() - 1) {
                throw new IllegalArgumentException("Layer " + l + " outputs raw accumulators (requantization none); only "
                        + "the last layer may");
            }
            if (l < this.layers.size() - 1 && (layer.outputMin() < valueMin() || layer.outputMax() > valueMax())) {
                // Hidden activations are stored in the input's type (the generated C's a<l> arrays; the Java
                // runtime's ints would keep what the C truncates).
                throw new IllegalArgumentException("Layer " + l + " outputMin/outputMax [" + layer.outputMin() + ", "
                        + layer.outputMax() + "] exceed the network's int" + valueBits() + " activation type ["
                        + valueMin() + ", " + valueMax() + "]; hidden layers output the input's width");
            }
            width = layer.outputs();
            lo = layer.outputMin();
            hi = layer.outputMax();
        }
    }

    /**
     * The width of the network's values: its inputs and every hidden activation (the generated C stores hidden
     * activations in this type).
     *
     * @return 8, 16 or 32
     */
    public int valueBits() {
        return input.max() <= Byte.MAX_VALUE ? 8 : input.max() <= Short.MAX_VALUE ? 16 : 32;
    }

    private long valueMin() {
        return -(1L << (valueBits() - 1));
    }

    private long valueMax() {
        return (1L << (valueBits() - 1)) - 1;
    }

    /** @return the layers */
    public List<IntLayer> layers() {
        return layers;
    }

    @Override
    public InputQuantization input() {
        return input;
    }

    @Override
    public List<String> featureNames() {
        return featureNames;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public String kind() {
        return "network";
    }

    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public int outputSize() {
        return layers.get(layers.size() - 1).outputs();
    }

    @Override
    public void predict(int[] in, int[] out) {
        checkInput(in);
        checkOutput(out);
        int[] cur = in;
        for (int l = 0; l < layers.size(); l++) {
            IntLayer layer = layers.get(l);
            int[] next = l == layers.size() - 1 ? out : new int[layer.outputs()];
            layer.apply(cur, next);
            cur = next;
        }
    }

    @Override
    public double dequantizeOutput(int o, int q) {
        IntLayer last = layers.get(layers.size() - 1);
        return last.outputScale() * ((double) q - last.zeroPoint());
    }

    @Override
    public long parameterBytes() {
        long b = 0;
        for (IntLayer l : layers) {
            b += l.parameterBytes();
        }
        return b;
    }

    /**
     * The float32 baseline: what a float32 C build of the same graph ships, 4 bytes per weight and per bias of
     * every layer. It is the same graph the integer model was quantized from, after the same rewrites (the
     * feature standardisation folded into the first layer, two-class heads reduced to one logit), so the ratio
     * compares representations, not graphs.
     *
     * @return float32 parameter bytes
     */
    @Override
    public long float32ParameterBytes() {
        long b = 0;
        for (IntLayer l : layers) {
            b += 4L * ((long) l.inputs() * l.outputs() + l.outputs());
        }
        return b;
    }

    @Override
    public double parameterRatioFloor() {
        long b = 0;
        for (int l = 0; l < layers.size(); l++) {
            IntLayer layer = layers.get(l);
            b += (long) layer.inputs() * layer.outputs() * (layer.weightBits() / 8) + 4L * layer.outputs();
            if (l < layers.size() - 1) {
                b += 5;
            }
        }
        return (double) b / float32ParameterBytes();
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> ls = new ArrayList<>();
        for (IntLayer l : layers) {
            ls.add(l.toMap());
        }
        m.put("layers", ls);
        return m;
    }
}
