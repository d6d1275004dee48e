package io.edgeloop.quantize.scheme;

import java.util.Locale;

/**
 * How weight scales are shared within a dense layer.
 * <ul>
 * <li>{@link #PER_CHANNEL}: one scale per output channel (TFLite's int8 weights), so one requantisation
 * multiplier and shift per output.</li>
 * <li>{@link #PER_TENSOR}: one scale per layer, so one multiplier and shift for the layer; the last layer of an
 * argmax classifier then needs no requantisation at all (its 32-bit accumulators are compared directly) when they
 * are proved to fit 32 bits.</li>
 * <li>{@link #AUTO} (the default): start from per-channel everywhere, then, from the last layer to the first,
 * switch a layer to per-tensor when that makes the model smaller and the quantized model still agrees with the
 * float model on the calibration rows within {@value #AUTO_TOLERANCE_POINTS} percentage points of the per-channel
 * model's agreement or on at least {@code 100 - }{@value #AUTO_BUDGET_SHARE}{@code  x} the scheme's accuracy
 * budget ({@link Scheme#accuracyBudgetPoints()}: 99.75 % for int8, 99.95 % for int16) of them, whichever is
 * lower (classifiers), or within 1 % of its squared error (regression). With calibration {@code auto} the same
 * rule picks among the range methods: the smallest model whose agreement meets it.</li>
 * </ul>
 * The choice is recorded per layer in the model ({@code weightScales}, {@code requantization}).
 *
 * <p>Thread-safe: an enum.
 */
public enum WeightScales {
    /** One scale per output channel. */
    PER_CHANNEL("per-channel"),
    /** One scale per layer. */
    PER_TENSOR("per-tensor"),
    /** Per-tensor where it costs no fidelity on the calibration rows, else per-channel. */
    AUTO("auto");

    /** The agreement (percentage points) {@link #AUTO} may give up for a smaller layer. */
    public static final double AUTO_TOLERANCE_POINTS = 0.1;

    /**
     * The share of the scheme's accuracy budget that {@link #AUTO} may spend as disagreement with the float model
     * on the calibration rows for a smaller layer. Disagreement bounds the accuracy change on those rows; held-out
     * rows disagree more (review s8: 0.10 points on calibration rows, 0.17 on the test split), so half of the
     * budget is kept for that.
     */
    public static final double AUTO_BUDGET_SHARE = 0.5;

    private final String id;

    WeightScales(String id) {
        this.id = id;
    }

    /** @return the option value */
    public String id() {
        return id;
    }

    /**
     * @param id {@code auto}, {@code per-channel} or {@code per-tensor}
     * @return the mode
     * @throws IllegalArgumentException listing the known ids
     */
    public static WeightScales of(String id) {
        String k = id.trim().toLowerCase(Locale.ROOT);
        for (WeightScales w : values()) {
            if (w.id.equals(k)) {
                return w;
            }
        }
        throw new IllegalArgumentException("Unknown weight scales '" + id + "'; use auto, per-channel or per-tensor");
    }
}
