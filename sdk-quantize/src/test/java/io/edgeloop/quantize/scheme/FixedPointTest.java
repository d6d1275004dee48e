package io.edgeloop.quantize.scheme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FixedPointTest {
    private static final int MIN = Integer.MIN_VALUE;
    private static final int MAX = Integer.MAX_VALUE;

    @Test
    @DisplayName("SaturatingRoundingDoublingHighMul matches the gemmlowp vectors")
    void srdhmVectors() {
        assertEquals(2147483647, FixedPoint.saturatingRoundingDoublingHighMul(MIN, MIN));
        assertEquals(-2147483647, FixedPoint.saturatingRoundingDoublingHighMul(MIN, MAX));
        assertEquals(2147483646, FixedPoint.saturatingRoundingDoublingHighMul(MAX, MAX));
        assertEquals(56779306, FixedPoint.saturatingRoundingDoublingHighMul(123456789, 987654321));
        assertEquals(0, FixedPoint.saturatingRoundingDoublingHighMul(-(1 << 30), 1));
    }

    @Test
    @DisplayName("SaturatingRoundingDoublingHighMul equals gemmlowp's nudge-and-truncate form on random pairs")
    void srdhmMatchesGemmlowpForm() {
        java.util.Random r = new java.util.Random(1);
        for (int k = 0; k < 200_000; k++) {
            int a = r.nextInt();
            int b = k % 3 == 0 ? r.nextInt(1 << 16) - (1 << 15) : r.nextInt();
            long ab = (long) a * b;
            long nudge = ab >= 0 ? (1L << 30) : 1 - (1L << 30);
            int gemmlowp = (int) ((ab + nudge) / (1L << 31));
            if (a == MIN && b == MIN) {
                gemmlowp = MAX;
            }
            assertEquals(gemmlowp, FixedPoint.saturatingRoundingDoublingHighMul(a, b), a + " * " + b);
        }
    }

    @Test
    @DisplayName("RoundingDivideByPOT rounds half away from zero")
    void rdbpVectors() {
        assertEquals(3, FixedPoint.roundingDivideByPot(5, 1));
        assertEquals(-3, FixedPoint.roundingDivideByPot(-5, 1));
        assertEquals(2, FixedPoint.roundingDivideByPot(3, 1));
        assertEquals(-2, FixedPoint.roundingDivideByPot(-3, 1));
        assertEquals(-1, FixedPoint.roundingDivideByPot(-1, 1));
        assertEquals(-1, FixedPoint.roundingDivideByPot(MIN, 31));
        assertEquals(1, FixedPoint.roundingDivideByPot(MAX, 31));
        assertEquals(3L, FixedPoint.roundingDivideByPot64(5, 1));
        assertEquals(-3L, FixedPoint.roundingDivideByPot64(-5, 1));
        assertEquals(-1L, FixedPoint.roundingDivideByPot64(Long.MIN_VALUE + 1, 62) + 1);
    }

    @Test
    @DisplayName("64-bit RoundingDivideByPOT agrees with the 32-bit one on 32-bit inputs")
    void rdbp64AgreesWith32() {
        java.util.Random r = new java.util.Random(2);
        for (int k = 0; k < 100_000; k++) {
            int x = r.nextInt();
            int e = r.nextInt(32);
            assertEquals(FixedPoint.roundingDivideByPot(x, e), FixedPoint.roundingDivideByPot64(x, e));
        }
    }

    @Test
    @DisplayName("QuantizeMultiplier matches TFLite's vectors")
    void quantizeMultiplierVectors() {
        assertArrayEquals(new int[] {1073741824, 1}, FixedPoint.quantizeMultiplier(1.0));
        assertArrayEquals(new int[] {1 << 30, 0}, FixedPoint.quantizeMultiplier(0.5));
        assertArrayEquals(new int[] {1717986918, -3}, FixedPoint.quantizeMultiplier(0.1));
        assertArrayEquals(new int[] {1431655765, -1}, FixedPoint.quantizeMultiplier(1.0 / 3));
        assertArrayEquals(new int[] {1077952576, -7}, FixedPoint.quantizeMultiplier(1.0 / 255));
        int[] sub = FixedPoint.quantizeMultiplier(Double.MIN_VALUE * 3);
        assertEquals(1610612736, sub[0], "subnormal mantissa");
    }

    @Test
    @DisplayName("rounds half away from zero where Math.round rounds half up")
    void roundsHalfAway() {
        assertEquals(-3, FixedPoint.roundHalfAwayFromZero(-2.5));
        assertEquals(3, FixedPoint.roundHalfAwayFromZero(2.5));
        assertEquals(-2, Math.round(-2.5));
        assertEquals(0, FixedPoint.roundHalfAwayFromZero(0.49999999999999994));
    }

    @Test
    @DisplayName("double and single rounding disagree on 5 x 0.25 as the notes say")
    void doubleVersusSingleRounding() {
        int[] m = FixedPoint.quantizeMultiplier(0.25);
        assertEquals(2, FixedPoint.multiplyByQuantizedMultiplier(5, m[0], m[1]), "double rounding");
        // Single rounding of 5 * 0.25 = 1.25 is 1.
        assertEquals(1L, FixedPoint.requantize(5, m[0], 31 - m[1]));
    }
}
