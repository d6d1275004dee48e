package io.edgeloop.quantize.scheme;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a value range is chosen from representative data: {@link #MIN_MAX} (the observed extremes),
 * {@link #PERCENTILE} (the 0.01th and 99.99th percentiles, clipping rare outliers: see {@link #PERCENTILE} for the
 * rank rule) or {@link #MSE} (the clipping
 * range that minimises the mean squared quantization error over the data, searched over 57 candidates: the min-max range shrunk symmetrically about its centre to k/64 of its width, k = 64..8), or
 * {@link #AUTO}: quantize with each of the three and keep the model whose outputs agree best with the float
 * model on the calibration rows (same predicted class for classifiers, smallest squared error for regression).
 *
 * <p>Thread-safe: an enum.
 */
public enum Calibration {
    /** Observed minimum and maximum. */
    MIN_MAX("min-max"),
    /**
     * 0.01th to 99.99th percentile, each taken as a value of the data at a rank rounded toward the median, never
     * interpolated: of {@code n} sorted values {@code v[0..n-1]}, the range is {@code v[k]} to {@code v[n-1-k]} with
     * {@code k = ceil((n-1) / 10000)} ({@link #percentileRank}). For {@code n >= 2} neither bound is the single most extreme value on its side
     * (the upper bound is at most {@code v[n-2]}), so one outlier, however large, is always clipped; with more
     * than 10,001 values more than one is. (Interpolating between ranks, as before, put the upper bound of 8,143
     * values a fifth of the way into the largest one: one reading of 1e300 made the bound about 2e299.)
     */
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
                int k = percentileRank(v.length);
                return new double[] {v[k], v[v.length - 1 - k]};
            case MSE:
                return mse(v, lo, hi, levels);
            default:
                return new double[] {lo, hi};
        }
    }

    /**
     * The rank {@link #PERCENTILE} clips to on each side.
     *
     * @param n the number of values, at least 1
     * @return {@code ceil((n-1) / 10000)}: 0 for one value, 1 for 2 to 10,001 values, then one more per 10,000
     */
    public static int percentileRank(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, got " + n);
        }
        return (n - 1 + 9999) / 10000;
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
