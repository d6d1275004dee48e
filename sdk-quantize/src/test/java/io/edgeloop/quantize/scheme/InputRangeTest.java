package io.edgeloop.quantize.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.ir.TreeEnsembleModel;
import io.edgeloop.quantize.runtime.InputQuantization;
import io.edgeloop.quantize.runtime.IntModel;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How calibrated ranges map onto the input types: int8 margins for networks, the int32 Q format's zero points. */
class InputRangeTest {
    private static double[][] rows(double offset, double span, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[2000][2];
        for (double[] row : x) {
            row[0] = offset + span * r.nextDouble();
            row[1] = r.nextGaussian();
        }
        x[0][0] = offset;
        x[1][0] = offset + span;
        return x;
    }

    @Test
    @DisplayName("int8 network inputs keep 1/8 of the calibrated span beyond each end, so nearby field values are not clamped")
    void int8NetworkInputsKeepAMargin() {
        double[][] x = rows(0, 100, 1);
        InputQuantization in = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).inputQuantization(x);
        int lo = in.quantize(0, 0.0);
        int hi = in.quantize(0, 100.0);
        // 255 steps over 1.25 spans: the calibrated range takes 204 of them, about 25 spare at each end.
        assertEquals(204, hi - lo, 1);
        assertTrue(lo >= -104 && hi <= 103, lo + " " + hi);
        int beyond = in.quantize(0, 110.0);
        assertTrue(beyond < 127, "110 (10 % beyond calibration) quantizes to " + beyond);
        assertEquals(110.0, in.dequantize(0, beyond), in.scale(0) / 2 + 1e-9);
    }

    @Test
    @DisplayName("int8 tree inputs keep the full range: a value beyond calibration decides as the calibration extreme")
    void int8TreeInputsUseTheFullRange() {
        double[][] x = rows(0, 100, 2);
        TreeEnsembleModel forest = TestModels.forest(2, x, 3, 4, false, 3);
        IntModel m = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(forest, x);
        assertEquals(-128, m.input().quantize(0, 0.0));
        assertEquals(127, m.input().quantize(0, 100.0));
    }

    @Test
    @DisplayName("int32 gives an offset feature a zero point and the resolution of its own span")
    void int32OffsetFeaturesKeepTheirResolution() {
        double[][] x = rows(1e6, 2000, 3);
        InputQuantization in = new ModelQuantizer(Scheme.INT32, Calibration.MIN_MAX).inputQuantization(x);
        // Before: zero point 0 and |q| <= 2^23, so the scale was 2^-3 (16,000 steps over the span); now the
        // smallest power of two with 1000 / s <= 2^29: 2^-19 (about 2^30 steps), the zero point taking the offset.
        assertEquals(Math.scalb(1.0, -19), in.scale(0), 0.0);
        assertNotEquals(0, in.zeroPoint(0));
        assertTrue(Math.abs(in.zeroPoint(0)) <= InputQuantization.ZERO_POINT_LIMIT);
        for (double[] row : x) {
            int q = in.quantize(0, row[0]);
            assertTrue(Math.abs(q) <= (1 << 29) + 1, "calibrated values stay within +-2^29: " + q);
            assertEquals(row[0], in.dequantize(0, q), in.scale(0) / 2);
        }
        // A centred feature: zero point 0 and scale 2^-29 for a half-span of 1.
        InputQuantization c = new ModelQuantizer(Scheme.INT32, Calibration.MIN_MAX)
                .inputQuantization(new double[][] {{-1.0}, {0.25}, {1.0}});
        assertEquals(Math.scalb(1.0, -29), c.scale(0), 0.0);
        assertEquals(0, c.zeroPoint(0));
    }

    @Test
    @DisplayName("int32 coarsens a feature's scale only as far as |zero point| <= 2^39 requires")
    void int32CoarsensOnlyForTheZeroPointLimit() {
        // The reviewer's 1e9 +- 1e3: before, scale 128 (about 16 steps over the span); now 1e9 / s <= 2^39 needs
        // s >= 2^-9 (about 2^20 steps over the span), and the next smaller power of two would break the limit.
        double[][] x = rows(1e9, 2000, 4);
        InputQuantization in = new ModelQuantizer(Scheme.INT32, Calibration.MIN_MAX).inputQuantization(x);
        assertTrue(Math.abs(in.zeroPoint(0)) <= InputQuantization.ZERO_POINT_LIMIT);
        assertEquals(Math.scalb(1.0, -9), in.scale(0), 0.0);
        assertTrue(1e9 / (in.scale(0) / 2) > InputQuantization.ZERO_POINT_LIMIT);
        for (double[] row : x) {
            assertEquals(row[0], in.dequantize(0, in.quantize(0, row[0])), in.scale(0) / 2);
        }
    }
}
