package io.edgeloop.quantize.scheme;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a value range is chosen from representative data: {@link #MIN_MAX} (the observed extremes),
 * {@link #PERCENTILE} (the 0.01th and 99.99th percentiles, clipping rare outliers) or {@link #MSE} (the clipping
 * range that minimises the mean squared quantization error over the data, searched over 57 candidates: the min-max range shrunk symmetrically about its centre to k/64 of its width, k = 64..8), or
 * {@link #AUTO}: quantize with each of the three and keep the model whose outputs agree best with the float
 * model on the calibration rows (same predicted class for classifiers, smallest squared error for regression).
 *
 * <p>Thread-safe: an enum.
 */
public enum Calibration {
    /** Observed minimum and maximum. */
    MIN_MAX("min-max"),
    /** 0.01th to 99.99th percentile. */
    PERCENTILE("percentile"),
    /** Range minimising quantization MSE. */
    MSE("mse"),
    /** Try all three, keep the model closest to the float model on the calibration data. */
    AUTO("auto");

    private final String id;

    Calibration(String id) {
        this.id = id;
    }

    /** @return the option value ({@code min-max}, {@code percentile}, {@code mse}) */
    public String id() {
        return id;
    }

    /**
     * @param id option value
     * @return the calibration
     * @throws IllegalArgumentException for an unknown id, listing the known ones
     */
    public static Calibration of(String id) {
        String k = id.trim().toLowerCase(Locale.ROOT);
        for (Calibration c : values()) {
            if (c.id.equals(k)) {
                return c;
            }
        }
        throw new IllegalArgumentException("Unknown calibration '" + id + "'; use auto, min-max, percentile or mse");
    }

    /**
     * Chooses a range for values quantized to {@code levels} steps.
     *
     * @param values the observed values (not modified), at least one, all finite
     * @param levels the number of quantization steps (255 for int8)
     * @return {@code {lo, hi}} with {@code lo <= hi}
     */
    public double[] range(double[] values, long levels) {
        if (values.length == 0) {
            throw new IllegalArgumentException("Calibration needs at least one value");
        }
        double[] v = values.clone();
        for (double d : v) {
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("Calibration data contains " + d + "; clean NaN/infinite values first");
            }
        }
        Arrays.sort(v);
        double lo = v[0];
        double hi = v[v.length - 1];
        switch (this) {
            case PERCENTILE:
                return new double[] {quantile(v, 0.0001), quantile(v, 0.9999)};
            case MSE:
                return mse(v, lo, hi, levels);
            default:
                return new double[] {lo, hi};
        }
    }

    private static double quantile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(i + 1, sorted.length - 1);
        return sorted[i] + (sorted[j] - sorted[i]) * (pos - i);
    }

    private static double[] mse(double[] sorted, double lo, double hi, long levels) {
        if (hi == lo) {
            return new double[] {lo, hi};
        }
        double bestErr = Double.POSITIVE_INFINITY;
        double[] best = {lo, hi};
        double center = (lo + hi) / 2;
        double half = (hi - lo) / 2;
        // Subsample large inputs: the error estimate needs only a few thousand points.
        int step = Math.max(1, sorted.length / 4096);
        for (int k = 64; k >= 8; k--) {
            double f = k / 64.0;
            double a = center - half * f;
            double b = center + half * f;
            double s = (b - a) / levels;
            double err = 0;
            for (int i = 0; i < sorted.length; i += step) {
                double x = Math.max(a, Math.min(b, sorted[i]));
                double q = a + Math.rint((x - a) / s) * s;
                err += (sorted[i] - q) * (sorted[i] - q);
            }
            if (err < bestErr) {
                bestErr = err;
                best = new double[] {a, b};
            }
        }
        return best;
    }
}
