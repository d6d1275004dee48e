package io.edgeloop.quantize.scheme;

import java.util.Locale;

/**
 * How a tree split's float threshold is mapped into the integer input domain.
 * <ul>
 * <li>{@link #EXACT} (the default): the integer threshold is the largest integer whose dequantized value is
 * {@code <=} the float model's own threshold, so for every quantized input {@code q} the integer split decides
 * exactly as the float model decides on {@code dequantize(q)} (issue #5's guarantee; proved per node at
 * quantization and load time).</li>
 * <li>{@link #ALIGNED}: a threshold may first move by less than one input step so that rounding never carries a
 * calibration value across it ("calibration alignment"). Raw readings next to a threshold then keep their side
 * more often, but <em>this drops the guarantee</em>: for quantized inputs between the model's threshold and the
 * moved one the integer tree decides unlike the float model on the dequantized value. The moved threshold is
 * stored as the split's {@code floatThreshold}, and splits are proved against it.</li>
 * </ul>
 *
 * <p>Thread-safe: an enum.
 */
public enum TreeThresholds {
    /** Thresholds from the float model as they are: every split decision equals the float model's. */
    EXACT("exact"),
    /** Thresholds moved to keep calibration values on their side; drops the exact-split guarantee. */
    ALIGNED("aligned");

    private final String id;

    TreeThresholds(String id) {
        this.id = id;
    }

    /** @return the option value */
    public String id() {
        return id;
    }

    /**
     * @param id {@code exact} or {@code aligned}
     * @return the mode
     * @throws IllegalArgumentException listing the known ids
     */
    public static TreeThresholds of(String id) {
        String k = id.trim().toLowerCase(Locale.ROOT);
        for (TreeThresholds t : values()) {
            if (t.id.equals(k)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown tree thresholds '" + id + "'; use exact (the default: every split "
                + "decides as the float model) or aligned (drops that guarantee)");
    }
}
