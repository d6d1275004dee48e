package io.edgeloop.examples.bench.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The paired ratio's summary and verdict: a range that straddles the target is not called met or not met. */
class PairedRatioTest {
    @Test
    @DisplayName("median and range of the per-repetition ratios; met only when every repetition reached the target")
    void verdicts() {
        PairedRatio straddles = new PairedRatio(100, "group", "raw group", new double[] {0.59, 3.17, 0.9}, 0.8);
        assertEquals(0.9, straddles.median());
        assertEquals(0.59, straddles.min());
        assertEquals(3.17, straddles.max());
        assertEquals("inconclusive", straddles.verdict());
        assertEquals("met", new PairedRatio(100, "group", "raw group", new double[] {0.8, 1.2}, 0.8).verdict());
        assertEquals("not met", new PairedRatio(100, "group", "raw group", new double[] {0.5, 0.79}, 0.8).verdict());
        assertNull(new PairedRatio(100, "none", "raw none", new double[] {0.5}, null).verdict());
        assertEquals(0.5, new PairedRatio(100, "group", "raw group", new double[] {0.9, 0.5}, 0.8).median(),
                "even count: the lower middle, never flattering");
    }

    @Test
    @DisplayName("the ratios are copied in and out, and at least one is needed")
    void copies() {
        double[] in = {1.0, 2.0};
        PairedRatio r = new PairedRatio(100, "always", "raw always", in, 0.8);
        in[0] = 99;
        assertArrayEquals(new double[] {1.0, 2.0}, r.perRepetition());
        r.perRepetition()[0] = 99;
        assertArrayEquals(new double[] {1.0, 2.0}, r.perRepetition());
        assertThrows(IllegalArgumentException.class,
                () -> new PairedRatio(100, "always", "raw always", new double[0], 0.8));
    }
}
