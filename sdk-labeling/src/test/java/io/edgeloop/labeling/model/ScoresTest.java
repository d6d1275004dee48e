package io.edgeloop.labeling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ScoresTest {
    @Test
    @DisplayName("with no row of known gold every figure is undefined (NaN), binary F1 included, not 0")
    void noScoredRowIsUndefined() {
        Scores s = Scores.of(new int[] {1, 0, 1}, new int[] {-1, -1, -1}, 2);
        assertEquals(0, s.n());
        assertTrue(Double.isNaN(s.accuracy()));
        assertTrue(Double.isNaN(s.f1Binary()), "f1Binary " + s.f1Binary());
        assertTrue(Double.isNaN(s.f1Macro()));
    }

    @Test
    @DisplayName("rows of unknown gold are skipped; binary F1 is that of class 1")
    void unknownGoldIsSkipped() {
        Scores s = Scores.of(new int[] {1, 0, 1, 1}, new int[] {1, 0, 0, -1}, 2);
        assertEquals(3, s.n());
        assertEquals(100.0 * 2 / 3, s.accuracy(), 1e-12);
        assertEquals(100.0 * 2 / 3, s.f1Binary(), 1e-12);
    }
}
