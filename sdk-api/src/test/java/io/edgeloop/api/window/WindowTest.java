package io.edgeloop.api.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Window.Builder} refuses windows whose parts disagree. */
class WindowTest {
    private static Window.Builder window(long... timestamps) {
        double[] v = new double[timestamps.length];
        return Window.builder().deviceId("d").stream("s").index(0).timestamps(timestamps).channel("t", v);
    }

    @Test
    @DisplayName("refuses timestamps that go backwards, naming the sample (they used to give endMillis() < startMillis())")
    void refusesDecreasingTimestamps() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> window(2, 1).build());
        assertTrue(e.getMessage().contains("sample 1 at 1 follows 2"), e.getMessage());
    }

    @Test
    @DisplayName("accepts samples stamped at one instant and increasing timestamps")
    void acceptsEqualAndIncreasingTimestamps() {
        Window w = window(5, 5, 7).build();
        assertEquals(5, w.startMillis());
        assertEquals(7, w.endMillis());
        assertEquals(3, window(1, 2, 3).build().size());
    }
}
