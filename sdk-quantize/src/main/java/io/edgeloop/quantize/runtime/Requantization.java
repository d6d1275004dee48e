package io.edgeloop.quantize.runtime;

import java.util.Locale;

/**
 * How an {@link IntLayer} turns its accumulators into outputs.
 * <ul>
 * <li>{@link #PER_CHANNEL}: per-output-channel weight scales, so one multiplier and shift per output.</li>
 * <li>{@link #PER_TENSOR}: one weight scale for the whole layer, so one multiplier and shift for every output.</li>
 * <li>{@link #NONE}: the outputs are the raw 32-bit accumulators (one weight scale for the layer, output zero point
 * 0, no clamp). Only for the last layer of a classifier whose head is an argmax (or a sign test for one logit):
 * with one shared scale, comparing accumulators gives the same class as comparing requantised scores, and more
 * exactly.</li>
 * </ul>
 *
 * <p>Thread-safe: an enum.
 */
public enum Requantization {
    /** One multiplier and shift per output channel. */
    PER_CHANNEL("per-channel"),
    /** One multiplier and shift for the layer. */
    PER_TENSOR("per-tensor"),
    /** No requantisation: the outputs are the accumulators. */
    NONE("none");

    private final String id;

    Requantization(String id) {
        this.id = id;
    }

    /** @return the id written to {@code model.json} */
    public String id() {
        return id;
    }

    /**
     * @param outputs the layer's output count
     * @return how many multipliers (and shifts) the layer stores
     */
    public int multipliers(int outputs) {
        switch (this) {
            case PER_CHANNEL:
                return outputs;
            case PER_TENSOR:
                return 1;
            default:
                return 0;
        }
    }

    /**
     * @param id {@code per-channel}, {@code per-tensor} or {@code none}
     * @return the mode
     * @throws IllegalArgumentException listing the known ids
     */
    public static Requantization of(String id) {
        String k = id.trim().toLowerCase(Locale.ROOT);
        for (Requantization r : values()) {
            if (r.id.equals(k)) {
                return r;
            }
        }
        throw new IllegalArgumentException("Unknown requantization '" + id + "'; use per-channel, per-tensor or none");
    }
}
