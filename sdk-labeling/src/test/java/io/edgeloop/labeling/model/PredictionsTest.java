package io.edgeloop.labeling.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PredictionsTest {
    @Test
    @DisplayName("breaks ties by sha1 of the decimal row index, as Snorkel's probs_to_preds does")
    void tieBreakMatchesSnorkel() {
        // Python: int(hashlib.sha1(str(i).encode()).hexdigest(), 16) % 2 for i in 0..5 -> 0 1 0 1 0 0
        int[] expected2 = {0, 1, 0, 1, 0, 0};
        // ... % 3 -> 0 0 0 1 0 0
        int[] expected3 = {0, 0, 0, 1, 0, 0};
        for (int i = 0; i < 6; i++) {
            assertEquals(expected2[i], Predictions.tieBreak(i, 2), "row " + i);
            assertEquals(expected3[i], Predictions.tieBreak(i, 3), "row " + i);
        }
    }

    @Test
    @DisplayName("treats probabilities within 1e-5 of the maximum as tied and ignores the others")
    void tolerance() {
        double[][] p = {{0.5, 0.5}, {0.5, 0.5}, {0.2, 0.8}, {0.4, 0.3 + 0.1 - 1e-7, 0.2}, {0.1, 0.45, 0.45}};
        // row 1: tied -> index 1; row 3: classes 0 and 1 tied, sha1("3") % 2 = 1 -> class 1;
        // row 4: classes 1 and 2 tied, sha1("4") % 2 = 0 -> class 1
        assertArrayEquals(new int[] {0, 1, 1, 1, 1}, Predictions.fromProbabilities(p));
    }
}
