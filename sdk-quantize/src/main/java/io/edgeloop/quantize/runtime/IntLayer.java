package io.edgeloop.quantize.runtime;

import io.edgeloop.quantize.scheme.FixedPoint;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One integer dense layer: {@code acc[o] = bias[o] + sum_i w[o][i] * in[i]} (the input zero points are folded
 * into the bias), then {@code out[o] = clamp(zeroPoint + RoundingDivideByPOT64(acc * multiplier[o], shift[o]),
 * outputMin, outputMax)}. ReLU and ReLU6 are expressed by the clamp bounds. With {@link Requantization#PER_TENSOR}
 * one multiplier and shift serve every output; with {@link Requantization#NONE} {@code out[o] = acc[o]} (32-bit
 * accumulators, zero point 0, no clamp).
 *
 * <p>The accumulator proof: for inputs in [inputMin, inputMax], {@code |acc| <= accumulatorBound}, computed
 * from the weights; the accumulator is 32-bit when the bound is below 2^31, else 64-bit, and
 * {@code accumulatorBound * multiplier < 2^63} so the requantisation product cannot overflow, and
 * {@code floor(accumulatorBound * multiplier / 2^shift) + 1 + |zeroPoint| < 2^63} so adding the zero point cannot. The constructor
 * recomputes the bound and rejects a layer whose stored bound or widths are not proved.
 *
 * <p>Thread-safe: immutable.
 */
public final class IntLayer {
    private static final BigInteger INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private final int inputs;
    private final int outputs;
    private final int weightBits;
    private final int[] weights;
    private final long[] bias;
    /** The most inputs or outputs a layer may have: the generated C counts them in {@code uint16_t}. */
    public static final int MAX_WIDTH = 65535;

    private final int[] multiplier;
    private final int[] shift;
    private final int zeroPoint;
    private final int outputMin;
    private final int outputMax;
    private final int inputMin;
    private final int inputMax;
    private final double outputScale;
    private final String activation;
    private final long accumulatorBound;
    private final int accumulatorBits;
    private final Requantization requantization;

    /**
     * A layer with per-channel requantisation (one multiplier and shift per output).
     *
     * @param inputs      input count
     * @param outputs     output count
     * @param weightBits  8, 16 or 32: the storage width of the weights
     * @param weights     row-major [outputs][inputs]
     * @param bias        per-output bias with the input zero points folded in
     * @param multiplier  per-output multiplier in [0, 2^31)
     * @param shift       per-output right shift in [0, 62]
     * @param zeroPoint   output zero point
     * @param outputMin   output clamp minimum
     * @param outputMax   output clamp maximum
     * @param inputMin    smallest input value the layer can receive
     * @param inputMax    largest input value the layer can receive
     * @param outputScale the real value of one output step (for dequantisation)
     * @param activation  the activation name, for documentation ({@code none}, {@code relu}, {@code relu6})
     * @throws IllegalArgumentException when a value is out of range or the accumulator is not proved
     */
    public IntLayer(int inputs, int outputs, int weightBits, int[] weights, long[] bias, int[] multiplier, int[] shift,
            int zeroPoint, int outputMin, int outputMax, int inputMin, int inputMax, double outputScale,
            String activation) {
        this(inputs, outputs, weightBits, weights, bias, Requantization.PER_CHANNEL, multiplier, shift, zeroPoint,
                outputMin, outputMax, inputMin, inputMax, outputScale, activation);
    }

    /**
     * @param inputs         input count
     * @param outputs        output count
     * @param weightBits     8, 16 or 32: the storage width of the weights
     * @param weights        row-major [outputs][inputs]
     * @param bias           per-output bias with the input zero points folded in
     * @param requantization how accumulators become outputs
     * @param multiplier     multipliers in [0, 2^31): one per output ({@code PER_CHANNEL}), one ({@code PER_TENSOR})
     *                       or none ({@code NONE})
     * @param shift          right shifts in [0, 62], as many as multipliers
     * @param zeroPoint      output zero point (0 for {@code NONE})
     * @param outputMin      output clamp minimum ({@code Integer.MIN_VALUE} for {@code NONE})
     * @param outputMax      output clamp maximum ({@code Integer.MAX_VALUE} for {@code NONE})
     * @param inputMin       smallest input value the layer can receive
     * @param inputMax       largest input value the layer can receive
     * @param outputScale    the real value of one output step (for dequantisation)
     * @param activation     the activation name ({@code none}, {@code relu}, {@code relu6}; {@code NONE} requires
     *                       {@code none})
     * @throws IllegalArgumentException when a value is out of range or the accumulator is not proved
     */
    public IntLayer(int inputs, int outputs, int weightBits, int[] weights, long[] bias, Requantization requantization,
            int[] multiplier, int[] shift, int zeroPoint, int outputMin, int outputMax, int inputMin, int inputMax,
            double outputScale, String activation) {
        this.requantization = Objects.requireNonNull(requantization, "requantization");
        this.inputs = inputs;
        this.outputs = outputs;
        this.weightBits = weightBits;
        this.weights = Objects.requireNonNull(weights, "weights").clone();
        this.bias = Objects.requireNonNull(bias, "bias").clone();
        this.multiplier = Objects.requireNonNull(multiplier, "multiplier").clone();
        this.shift = Objects.requireNonNull(shift, "shift").clone();
        this.zeroPoint = zeroPoint;
        this.outputMin = outputMin;
        this.outputMax = outputMax;
        this.inputMin = inputMin;
        this.inputMax = inputMax;
        this.outputScale = outputScale;
        this.activation = Objects.requireNonNull(activation, "activation");
        int nm = requantization.multipliers(outputs);
        if (inputs <= 0 || outputs <= 0 || weights.length != inputs * outputs || bias.length != outputs
                || multiplier.length != nm || shift.length != nm) {
            throw new IllegalArgumentException("Layer shapes disagree: " + inputs + "x" + outputs + " with "
                    + weights.length + " weights, " + bias.length + " biases, " + multiplier.length
                    + " multipliers, " + shift.length + " shifts (" + requantization.id() + " requantization needs "
                    + nm + ")");
        }
        if (inputs > MAX_WIDTH || outputs > MAX_WIDTH) {
            throw new IllegalArgumentException("inputs/outputs " + inputs + "x" + outputs + " exceed the generated C's "
                    + "16-bit loop counters (at most " + MAX_WIDTH + " each)");
        }
        if (requantization == Requantization.NONE && (zeroPoint != 0 || outputMin != Integer.MIN_VALUE
                || outputMax != Integer.MAX_VALUE || !"none".equals(activation))) {
            throw new IllegalArgumentException("A layer without requantization outputs its accumulators: zero point 0, "
                    + "no clamp and no activation, got zero point " + zeroPoint + ", range [" + outputMin + ", "
                    + outputMax + "], activation " + activation);
        }
        if (weightBits != 8 && weightBits != 16 && weightBits != 32) {
            throw new IllegalArgumentException("weightBits must be 8, 16 or 32, got " + weightBits);
        }
        long wLimit = weightBits == 32 ? Integer.MAX_VALUE : (1L << (weightBits - 1)) - 1;
        for (int w : weights) {
            if (Math.abs((long) w) > wLimit) {
                throw new IllegalArgumentException("Weight " + w + " does not fit " + weightBits + " bits");
            }
        }
        if (outputMin > outputMax || inputMin > inputMax) {
            throw new IllegalArgumentException("Empty output or input range");
        }
        if (!(outputScale > 0) || Double.isInfinite(outputScale)) {
            throw new IllegalArgumentException("outputScale must be finite and positive, got " + outputScale);
        }
        BigInteger inAbs = BigInteger.valueOf(Math.max(Math.abs((long) inputMin), Math.abs((long) inputMax)));
        BigInteger bound = BigInteger.ZERO;
        BigInteger maxProduct = BigInteger.ZERO;
        for (int k = 0; k < nm; k++) {
            if (multiplier[k] < 0 || shift[k] < 0 || shift[k] > 62) {
                throw new IllegalArgumentException("Multiplier " + k + " is " + multiplier[k] + " with shift "
                        + shift[k] + "; multipliers must be >= 0 and shifts in [0, 62]");
            }
        }
        BigInteger maxRequantized = BigInteger.ZERO;
        for (int o = 0; o < outputs; o++) {
            BigInteger b = BigInteger.valueOf(bias[o]).abs(); // exact: Math.abs(Long.MIN_VALUE) is negative
            for (int i = 0; i < inputs; i++) {
                b = b.add(BigInteger.valueOf(Math.abs((long) weights[o * inputs + i])).multiply(inAbs));
            }
            bound = bound.max(b);
            if (nm > 0) {
                int k = nm == 1 ? 0 : o;
                BigInteger product = b.multiply(BigInteger.valueOf(multiplier[k]));
                maxProduct = maxProduct.max(product);
                // |RoundingDivideByPOT64(x, n)| <= floor(|x| / 2^n) + 1
                maxRequantized = maxRequantized.max(product.shiftRight(shift[k]).add(BigInteger.ONE));
            }
        }
        if (bound.compareTo(INT64_MAX) > 0 || maxProduct.compareTo(INT64_MAX) > 0) {
            throw new IllegalArgumentException("Accumulator bound " + bound + " times multiplier exceeds int64: the layer "
                    + "cannot be computed exactly; use narrower weights or fewer inputs");
        }
        // The zero point is added before the clamp, in int64 (Java and C alike): that sum must not overflow either.
        if (nm > 0 && maxRequantized.add(BigInteger.valueOf(Math.abs((long) zeroPoint))).compareTo(INT64_MAX) > 0) {
            throw new IllegalArgumentException("outputZeroPoint " + zeroPoint + " added to a requantised value of up to "
                    + maxRequantized + " (accumulator bound " + bound + " times multiplier, shifted) overflows int64");
        }
        this.accumulatorBound = bound.longValueExact();
        this.accumulatorBits = accumulatorBound <= Integer.MAX_VALUE ? 32 : 64;
        if (requantization == Requantization.NONE && accumulatorBits != 32) {
            throw new IllegalArgumentException("A layer without requantization outputs its accumulators, which must be "
                    + "proved to fit 32 bits; the bound is " + accumulatorBound);
        }
    }

    /** @return how the accumulators become outputs */
    public Requantization requantization() {
        return requantization;
    }

    /** @return input count */
    public int inputs() {
        return inputs;
    }

    /** @return output count */
    public int outputs() {
        return outputs;
    }

    /** @return weight storage width */
    public int weightBits() {
        return weightBits;
    }

    /**
     * @param o output
     * @param i input
     * @return the weight
     */
    public int weight(int o, int i) {
        return weights[o * inputs + i];
    }

    /**
     * @param o output
     * @return its bias
     */
    public long bias(int o) {
        return bias[o];
    }

    /**
     * @param o output
     * @return its multiplier (the shared one for {@code PER_TENSOR})
     * @throws IllegalStateException for {@code NONE}
     */
    public int multiplier(int o) {
        return multiplier[index(o)];
    }

    /**
     * @param o output
     * @return its shift (the shared one for {@code PER_TENSOR})
     * @throws IllegalStateException for {@code NONE}
     */
    public int shift(int o) {
        return shift[index(o)];
    }

    private int index(int o) {
        if (requantization == Requantization.NONE) {
            throw new IllegalStateException("The layer has no requantization: its outputs are the accumulators");
        }
        if (o < 0 || o >= outputs) {
            throw new IndexOutOfBoundsException("Output " + o + " of " + outputs);
        }
        return requantization == Requantization.PER_TENSOR ? 0 : o;
    }

    /** @return output zero point */
    public int zeroPoint() {
        return zeroPoint;
    }

    /** @return output clamp minimum */
    public int outputMin() {
        return outputMin;
    }

    /** @return output clamp maximum */
    public int outputMax() {
        return outputMax;
    }

    /** @return smallest input */
    public int inputMin() {
        return inputMin;
    }

    /** @return largest input */
    public int inputMax() {
        return inputMax;
    }

    /** @return the real value of one output step */
    public double outputScale() {
        return outputScale;
    }

    /** @return the proved accumulator bound */
    public long accumulatorBound() {
        return accumulatorBound;
    }

    /** @return 32 or 64 */
    public int accumulatorBits() {
        return accumulatorBits;
    }

    /** @return whether every bias fits in 32 bits */
    public boolean biasFits32() {
        for (long b : bias) {
            if (b != (int) b) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs the layer.
     *
     * @param in  inputs
     * @param out outputs
     */
    void apply(int[] in, int[] out) {
        for (int o = 0; o < outputs; o++) {
            long acc = bias[o];
            int base = o * inputs;
            for (int i = 0; i < inputs; i++) {
                acc += (long) weights[base + i] * in[i];
            }
            if (requantization == Requantization.NONE) {
                out[o] = (int) acc;
                continue;
            }
            int k = requantization == Requantization.PER_TENSOR ? 0 : o;
            long v = FixedPoint.requantize(acc, multiplier[k], shift[k]) + zeroPoint;
            out[o] = (int) Math.max(outputMin, Math.min(outputMax, v));
        }
    }

    /**
     * Bytes of the layer's parameters on the device: weights at their storage width, biases (4 bytes, or 8 when
     * one does not fit 32 bits), and a 4-byte multiplier plus a 1-byte shift per stored multiplier.
     *
     * @return parameter bytes on the device
     */
    public long parameterBytes() {
        long w = (long) weights.length * (weightBits / 8);
        long b = (long) outputs * (accumulatorBits == 32 && biasFits32() ? 4 : 8);
        return w + b + 5L * requantization.multipliers(outputs);
    }

    /** The layer's fields for {@code model.json}; arrays are copies, so the layer stays immutable. */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inputs", inputs);
        m.put("outputs", outputs);
        m.put("activation", activation);
        m.put("weightBits", weightBits);
        m.put("weights", weights.clone());
        m.put("bias", bias.clone());
        m.put("weightScales", requantization == Requantization.PER_CHANNEL ? "per-channel" : "per-tensor");
        m.put("requantization", requantization.id());
        m.put("multiplier", multiplier.clone());
        m.put("shift", shift.clone());
        m.put("outputZeroPoint", zeroPoint);
        m.put("outputScale", outputScale);
        m.put("outputMin", outputMin);
        m.put("outputMax", outputMax);
        m.put("inputMin", inputMin);
        m.put("inputMax", inputMax);
        m.put("accumulatorBits", accumulatorBits);
        m.put("accumulatorBound", accumulatorBound);
        return m;
    }

    /** @return the activation name */
    public String activation() {
        return activation;
    }
}
