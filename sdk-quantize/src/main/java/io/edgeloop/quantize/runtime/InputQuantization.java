package io.edgeloop.quantize.runtime;

import io.edgeloop.quantize.scheme.FixedPoint;
import java.util.Objects;

/**
 * How raw feature values become integer model inputs, per feature:
 * {@code q = clamp(roundHalfAwayFromZero(x / scale) + zeroPoint, min, max)}; the value an integer {@code q}
 * stands for is {@code scale * (q - zeroPoint)} evaluated in double precision ({@link #dequantize}).
 *
 * <p>Thread-safe: immutable.
 */
public final class InputQuantization {
    private final double[] scale;
    /** The largest zero-point magnitude: valid inputs then keep {@code |x / scale|} below 2^40, exact in a double. */
    public static final long ZERO_POINT_LIMIT = 1L << 39;

    private final long[] zeroPoint;
    private final int min;
    private final int max;

    /**
     * @param scale     per-feature positive scales
     * @param zeroPoint per-feature zero points, int64 with magnitude at most {@link #ZERO_POINT_LIMIT} (they may
     *                  lie far outside [min, max] for offset features such as a pressure in Pa: they are folded
     *                  into the first layer's bias or the tree thresholds, never used on the device)
     * @param min       smallest valid input
     * @param max       largest valid input
     */
    public InputQuantization(double[] scale, long[] zeroPoint, int min, int max) {
        Objects.requireNonNull(scale, "scale");
        Objects.requireNonNull(zeroPoint, "zeroPoint");
        if (scale.length != zeroPoint.length || scale.length == 0) {
            throw new IllegalArgumentException("Input quantization has " + scale.length + " scales and "
                    + zeroPoint.length + " zero points");
        }
        if (min >= max) {
            throw new IllegalArgumentException("Input range [" + min + ", " + max + "] is empty");
        }
        for (int i = 0; i < scale.length; i++) {
            if (!(scale[i] > 0) || Double.isInfinite(scale[i])) {
                throw new IllegalArgumentException("Input scale of feature " + i + " is " + scale[i]
                        + "; it must be finite and positive");
            }
            if (zeroPoint[i] > ZERO_POINT_LIMIT || zeroPoint[i] < -ZERO_POINT_LIMIT) {
                throw new IllegalArgumentException("Input zero point of feature " + i + " is " + zeroPoint[i]
                        + "; its magnitude must be at most 2^39");
            }
        }
        this.scale = scale.clone();
        this.zeroPoint = zeroPoint.clone();
        this.min = min;
        this.max = max;
    }

    /** @return the number of features */
    public int size() {
        return scale.length;
    }

    /**
     * @param i feature
     * @return its scale
     */
    public double scale(int i) {
        return scale[i];
    }

    /**
     * @param i feature
     * @return its zero point
     */
    public long zeroPoint(int i) {
        return zeroPoint[i];
    }

    /** @return the smallest valid input */
    public int min() {
        return min;
    }

    /** @return the largest valid input */
    public int max() {
        return max;
    }

    /**
     * @param x raw features (NaN is rejected)
     * @return the integer inputs
     * @throws IllegalArgumentException when the length is wrong or a value is NaN
     */
    public int[] quantize(double[] x) {
        if (x.length != scale.length) {
            throw new IllegalArgumentException("Expected " + scale.length + " features, got " + x.length);
        }
        int[] q = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            q[i] = quantize(i, x[i]);
        }
        return q;
    }

    /**
     * @param i feature
     * @param x its raw value (NaN is rejected)
     * @return the integer input
     * @throws IllegalArgumentException when the value is NaN
     */
    public int quantize(int i, double x) {
        if (Double.isNaN(x)) {
            throw new IllegalArgumentException("Feature " + i + " is NaN");
        }
        double r = x / scale[i];
        long v;
        if (r >= 0x1p40) {
            v = Long.MAX_VALUE / 2;
        } else if (r <= -0x1p40) {
            v = Long.MIN_VALUE / 2;
        } else {
            v = FixedPoint.roundHalfAwayFromZero(r) + zeroPoint[i];
        }
        return (int) Math.max(min, Math.min(max, v));
    }

    /**
     * @param i feature
     * @param q integer input
     * @return the real value it stands for
     */
    public double dequantize(int i, int q) {
        return scale[i] * ((double) q - (double) zeroPoint[i]);
    }
}
