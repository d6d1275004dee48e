package io.edgeloop.quantize.ir;

import java.util.Objects;

/**
 * Per-feature affine preprocessing {@code x'[i] = scale[i] * x[i] + offset[i]}, as feature standardisation
 * ({@code scale = 1/std}, {@code offset = -mean/std}) or min-max scaling.
 *
 * <p>Thread-safe: immutable.
 */
public final class FeatureScaling {
    private final double[] scale;
    private final double[] offset;

    /**
     * @param scale  per-feature multipliers, finite
     * @param offset per-feature offsets, finite
     */
    public FeatureScaling(double[] scale, double[] offset) {
        Objects.requireNonNull(scale, "scale");
        Objects.requireNonNull(offset, "offset");
        if (scale.length != offset.length) {
            throw new IllegalArgumentException("Feature scaling has " + scale.length + " scales and " + offset.length
                    + " offsets");
        }
        for (int i = 0; i < scale.length; i++) {
            if (!Double.isFinite(scale[i]) || !Double.isFinite(offset[i])) {
                throw new IllegalArgumentException("Feature scaling of feature " + i + " is not finite");
            }
        }
        this.scale = scale.clone();
        this.offset = offset.clone();
    }

    /**
     * Standardisation from means and standard deviations (a zero deviation maps the feature to 0).
     *
     * @param mean per-feature means
     * @param std  per-feature standard deviations
     * @return the scaling
     */
    public static FeatureScaling standardize(double[] mean, double[] std) {
        double[] s = new double[mean.length];
        double[] o = new double[mean.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = std[i] == 0 ? 0 : 1 / std[i];
            o[i] = -mean[i] * s[i];
        }
        return new FeatureScaling(s, o);
    }

    /**
     * @param n the number of features
     * @return the identity scaling
     */
    public static FeatureScaling identity(int n) {
        double[] s = new double[n];
        java.util.Arrays.fill(s, 1);
        return new FeatureScaling(s, new double[n]);
    }

    /** @return the number of features */
    public int size() {
        return scale.length;
    }

    /**
     * @param i feature
     * @return its multiplier
     */
    public double scale(int i) {
        return scale[i];
    }

    /**
     * @param i feature
     * @return its offset
     */
    public double offset(int i) {
        return offset[i];
    }

    /**
     * @param x raw features
     * @return scaled features
     */
    public double[] apply(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = scale[i] * x[i] + offset[i];
        }
        return y;
    }
}
