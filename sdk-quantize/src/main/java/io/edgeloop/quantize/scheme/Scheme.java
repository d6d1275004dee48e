package io.edgeloop.quantize.scheme;

import java.util.Locale;

/**
 * The integer widths of a scheme.
 * <ul>
 * <li>{@code int8}: int8 inputs and activations (asymmetric), symmetric per-channel int8 weights in [-127, 127],
 * 32-bit bias and accumulator (proved per layer).</li>
 * <li>{@code int16}: int16 inputs and activations (asymmetric), symmetric per-channel int16 weights (or int8 with
 * {@code weights=int8}); the accumulator is 32- or 64-bit as the per-layer proof decides.</li>
 * <li>{@code int32}: Q-format fixed point: power-of-two scales everywhere (inputs, per-channel weights,
 * activations), so requantisation is an exact shift; int32 values, 64-bit accumulators. Inputs have an int64 zero
 * point (folded into the first layer's bias or the tree thresholds, like int8/int16) so an offset feature keeps
 * its resolution; weights are as wide as the accumulator bound allows.</li>
 * </ul>
 *
 * <p>Thread-safe: immutable.
 *
 * @param name        {@code int8}, {@code int16} or {@code int32}
 * @param valueBits   width of inputs and activations
 * @param weightBits  width of weight storage
 * @param powerOfTwo  whether scales are powers of two (Q format)
 */
public record Scheme(String name, int valueBits, int weightBits, boolean powerOfTwo) {
    /**
     * Q-format values use at most this many magnitude bits for the calibrated range (inputs around their zero
     * point, activations, regression leaves), leaving 2 bits of int32 headroom for values beyond calibration.
     */
    public static final int Q_VALUE_BITS = 29;

    /** int8. */
    public static final Scheme INT8 = new Scheme("int8", 8, 8, false);
    /** int16 with int16 weights. */
    public static final Scheme INT16 = new Scheme("int16", 16, 16, false);
    /** int16 with int8 weights. */
    public static final Scheme INT16_W8 = new Scheme("int16", 16, 8, false);
    /** int32 Q format. */
    public static final Scheme INT32 = new Scheme("int32", 32, 32, true);

    /**
     * @param name       scheme name
     * @param weightBits 0 for the default, or 8/16 for int16
     * @return the scheme
     */
    public static Scheme of(String name, int weightBits) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "int8":
                return INT8;
            case "int16":
                return weightBits == 8 ? INT16_W8 : INT16;
            case "int32":
                return INT32;
            default:
                throw new IllegalArgumentException("Unknown scheme '" + name + "'; use int8, int16 or int32");
        }
    }

    /** @return smallest value */
    /**
     * A scheme by name with an optional weight width, which only the int16 scheme offers.
     *
     * @param name    {@code int8}, {@code int16} or {@code int32}
     * @param weights {@code int8} or {@code int16} for the int16 scheme, or null for the scheme's own width
     * @return the scheme
     * @throws IllegalArgumentException for an unknown scheme or width, or a width with another scheme
     */
    public static Scheme of(String name, String weights) {
        Scheme s = of(name, 16);
        if (weights == null) {
            return s;
        }
        if (s != INT16) {
            throw new IllegalArgumentException("A weight width (" + weights + ") applies only to the int16 scheme; "
                    + s.name() + " always uses " + (s == INT8 ? "int8 weights" : "32-bit Q-format weights"));
        }
        switch (weights.trim().toLowerCase(Locale.ROOT)) {
            case "int8":
                return INT16_W8;
            case "int16":
                return INT16;
            default:
                throw new IllegalArgumentException("Unknown weight width '" + weights + "'; use int8 or int16");
        }
    }

    /** @return the smallest value of the value type */
    public int valueMin() {
        return valueBits == 32 ? Integer.MIN_VALUE : -(1 << (valueBits - 1));
    }

    /** @return largest value */
    public int valueMax() {
        return valueBits == 32 ? Integer.MAX_VALUE : (1 << (valueBits - 1)) - 1;
    }

    /**
     * The accuracy a model quantized with this scheme may lose against its float model on a test split, in
     * percentage points, as issue #5 sets it: int8 0.5, int16 0.1, int32 0.01.
     *
     * @return the budget in percentage points
     */
    public double accuracyBudgetPoints() {
        return valueBits == 8 ? 0.5 : valueBits == 16 ? 0.1 : 0.01;
    }

    /** @return the C type of values */
    public String valueCType() {
        return "int" + valueBits + "_t";
    }
}
