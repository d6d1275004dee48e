package io.edgeloop.quantize.scheme;

import java.util.Locale;

/**
 * How a tree model's per-feature input scales are chosen.
 * <ul>
 * <li>{@link #FITTED} (the default): each split feature's scale is chosen from a small interval above the
 * calibrated one ({@code TreeScaleFit}) so that calibration readings sharing an input cell with a split threshold
 * are decided by the integer tree as the float model decides them raw. Thresholds stay exact, so issue #5's
 * guarantee (every split decides as the float model on the value each quantized input stands for) is kept: only the
 * input grid moves. Applied where it was measured not to cost accuracy (ARCHITECTURE.md, "Trees"): at int16 and
 * int32, not at int8.</li>
 * <li>{@link #CALIBRATED}: the scale the calibrated range gives, as before 2026-12-03.</li>
 * </ul>
 *
 * <p>Thread-safe: an enum.
 */
public enum TreeInputScales {
    /** Scales fitted so calibration readings next to thresholds keep the float model's side. */
    FITTED("fitted"),
    /** Scales from the calibrated range alone. */
    CALIBRATED("calibrated");

    private final String id;

    TreeInputScales(String id) {
        this.id = id;
    }

    /** @return the option value */
    public String id() {
        return id;
    }

    /**
     * @param id {@code fitted} or {@code calibrated}
     * @return the mode
     * @throws IllegalArgumentException listing the known ids
     */
    public static TreeInputScales of(String id) {
        String k = id.trim().toLowerCase(Locale.ROOT);
        for (TreeInputScales t : values()) {
            if (t.id.equals(k)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown tree input scales '" + id + "'; use fitted (the default: scales "
                + "chosen so calibration readings next to thresholds decide as float) or calibrated (the calibrated "
                + "range's own scale)");
    }
}
