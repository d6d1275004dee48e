package io.edgeloop.quantize.scheme;

/**
 * Exact integer helpers shared by the Java runtime and the generated C code, with gemmlowp/TFLite semantics
 * where those exist. Every method is written so that C99 with {@code <stdint.h>} computes the same bits on
 * 8-, 16- and 32-bit targets (arithmetic right shift of negative values, as gcc defines it).
 *
 * <p>Edgeloop's requantisation rule ({@link #requantize}) is <em>single rounding</em>: the 64-bit product of
 * the accumulator and an integer multiplier is divided by a power of two once, rounding half away from zero.
 * The double-rounding gemmlowp variant ({@link #multiplyByQuantizedMultiplier}) is provided for reference and
 * for comparison in tests.
 *
 * <p>Thread-safe: stateless.
 */
public final class FixedPoint {
    private FixedPoint() {
    }

    /**
     * gemmlowp's SaturatingRoundingDoublingHighMul: {@code floor((a*b + 2^30) / 2^31)}, saturating the single
     * overflow case {@code a = b = INT32_MIN} to {@code INT32_MAX}.
     *
     * @param a first factor
     * @param b second factor
     * @return the rounded high half of the doubled product
     */
    public static int saturatingRoundingDoublingHighMul(int a, int b) {
        if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
            return Integer.MAX_VALUE;
        }
        long ab = (long) a * (long) b;
        // gemmlowp adds a sign-dependent nudge and truncates; that equals floor((ab + 2^30) / 2^31).
        return (int) Math.floorDiv(ab + (1L << 30), 1L << 31);
    }

    /**
     * gemmlowp's RoundingDivideByPOT: {@code x / 2^exponent}, rounding half away from zero.
     *
     * @param x        the dividend
     * @param exponent the power of two, 0 to 31
     * @return the rounded quotient
     */
    public static int roundingDivideByPot(int x, int exponent) {
        if (exponent < 0 || exponent > 31) {
            throw new IllegalArgumentException("exponent must be in [0, 31], got " + exponent);
        }
        int mask = (int) ((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /**
     * 64-bit RoundingDivideByPOT: {@code x / 2^exponent}, rounding half away from zero.
     *
     * @param x        the dividend
     * @param exponent the power of two, 0 to 62
     * @return the rounded quotient
     */
    public static long roundingDivideByPot64(long x, int exponent) {
        if (exponent < 0 || exponent > 62) {
            throw new IllegalArgumentException("exponent must be in [0, 62], got " + exponent);
        }
        long mask = (1L << exponent) - 1;
        long remainder = x & mask;
        long threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /**
     * TFLite's reference MultiplyByQuantizedMultiplier with double rounding:
     * {@code RoundingDivideByPOT(SRDHM(x * 2^left, m0), right)}.
     *
     * @param x     the accumulator
     * @param m0    the multiplier in [2^30, 2^31)
     * @param shift the exponent from {@link #quantizeMultiplier(double)} (positive: left shift)
     * @return the requantised value
     */
    public static int multiplyByQuantizedMultiplier(int x, int m0, int shift) {
        int left = shift > 0 ? shift : 0;
        int right = shift > 0 ? 0 : -shift;
        return roundingDivideByPot(saturatingRoundingDoublingHighMul(x * (1 << left), m0), right);
    }

    /**
     * TFLite's QuantizeMultiplier: splits {@code m} into {@code q * 2^(shift - 31)} with {@code q} in
     * [2^30, 2^31) (or 0 for {@code m = 0}), rounding the mantissa half away from zero as C's {@code round}.
     *
     * @param m a finite non-negative real multiplier
     * @return {@code {q, shift}}
     */
    public static int[] quantizeMultiplier(double m) {
        if (!(m >= 0) || Double.isInfinite(m)) {
            throw new IllegalArgumentException("multiplier must be finite and >= 0, got " + m);
        }
        if (m == 0) {
            return new int[] {0, 0};
        }
        int[] fr = frexp(m);
        double mantissa = Math.scalb(m, -fr[1]);
        long q = roundHalfAwayFromZero(mantissa * (1L << 31));
        int shift = fr[1];
        if (q == (1L << 31)) {
            q /= 2;
            shift++;
        }
        return new int[] {(int) q, shift};
    }

    /**
     * C's {@code frexp}: {@code x = m * 2^e} with {@code |m|} in [0.5, 1); subnormals handled.
     *
     * @param x a finite non-zero value
     * @return {@code {unused, e}}; the mantissa is {@code Math.scalb(x, -e)}
     */
    static int[] frexp(double x) {
        int e = Math.getExponent(x);
        if (e == Double.MIN_EXPONENT - 1) {
            // subnormal: normalise first
            double n = x * 0x1p54;
            e = Math.getExponent(n) - 54;
        }
        return new int[] {0, e + 1};
    }

    /**
     * Rounds half away from zero, as C's {@code round} ({@code Math.round} rounds half up instead).
     *
     * @param x a finite value
     * @return the nearest integer, ties away from zero
     */
    public static long roundHalfAwayFromZero(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            throw new IllegalArgumentException("cannot round " + x);
        }
        double a = Math.abs(x);
        double r = Math.floor(a);
        // a - floor(a) is exact, unlike floor(a + 0.5), which rounds 0.49999999999999994 up.
        if (a - r >= 0.5) {
            r += 1;
        }
        return (long) Math.copySign(r, x);
    }

    /**
     * Edgeloop's requantisation (single rounding): {@code RoundingDivideByPOT64(acc * multiplier, shift)}.
     * The quantizer proves {@code |acc| * multiplier < 2^63} for every layer and stores the bound.
     *
     * @param acc        the accumulator
     * @param multiplier a positive multiplier below 2^31
     * @param shift      the right shift, 0 to 62
     * @return the rounded scaled value (before the zero point is added)
     */
    public static long requantize(long acc, int multiplier, int shift) {
        return roundingDivideByPot64(acc * multiplier, shift);
    }
}
