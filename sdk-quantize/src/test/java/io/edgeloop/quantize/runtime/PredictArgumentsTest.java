package io.edgeloop.quantize.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Both integer model kinds size and check {@code predict}'s arrays alike ({@link IntModel#inputSize()},
 * {@link IntModel#checkInput}, {@link IntModel#checkOutput}): the sdk-tck runtime contract loads a network only, so
 * this covers the tree ensemble too.
 */
class PredictArgumentsTest {
    @Test
    @DisplayName("networks and tree ensembles take one input per feature and refuse an output array of another length")
    void bothKindsCheckTheirArraysAlike() {
        double[][] rows = TestModels.wideRows(4, 300, 3);
        List<FloatModel> floats = List.of(TestModels.logistic(4, 3, rows, 1),
                TestModels.forest(4, rows, 3, 2, false, 2), TestModels.forest(4, rows, 3, 2, true, 4));
        List<Class<?>> kinds = List.of(IntNetwork.class, IntTreeEnsemble.class, IntTreeEnsemble.class);
        for (int i = 0; i < floats.size(); i++) {
            IntModel m = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(floats.get(i), rows);
            assertInstanceOf(kinds.get(i), m);
            assertEquals(4, m.inputSize(), m.kind());
            assertEquals(m.input().size(), m.inputSize(), m.kind());
            int[] in = m.input().quantize(rows[0]);
            int[] out = new int[m.outputSize()];
            m.predict(in, out);
            IllegalArgumentException longer = assertThrows(IllegalArgumentException.class,
                    () -> m.predict(in, new int[m.outputSize() + 1]), m.kind());
            assertEquals("Expected an output array of " + m.outputSize() + ", got " + (m.outputSize() + 1),
                    longer.getMessage());
            IllegalArgumentException shorter = assertThrows(IllegalArgumentException.class,
                    () -> m.predict(in, new int[m.outputSize() - 1]), m.kind());
            assertEquals("Expected an output array of " + m.outputSize() + ", got " + (m.outputSize() - 1),
                    shorter.getMessage());
            IllegalArgumentException input = assertThrows(IllegalArgumentException.class,
                    () -> m.predict(new int[m.inputSize() + 1], out), m.kind());
            assertEquals("Expected " + m.inputSize() + " inputs, got " + (m.inputSize() + 1), input.getMessage());
        }
    }
}
