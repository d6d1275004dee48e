package io.edgeloop.quantize.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.Datasets;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.importer.TribuoImporter;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * int8 parameter bytes against the float32 baseline of the same graph, for every model kind: at most 0.3x where
 * the floor allows it, and exactly the documented floor where it does not.
 */
class SizeRatioTest {
    private static CsvData occTrain;
    private static CsvData[] room;

    @BeforeAll
    static void load() throws Exception {
        occTrain = Datasets.occupancyTrain();
        room = Datasets.room();
    }

    private static IntModel int8(FloatModel fm, double[][] calib) {
        return new ModelQuantizer(Scheme.INT8, Calibration.AUTO).quantize(fm, calib);
    }

    private static IntModel trained(CsvData train, String algo) {
        FloatModel fm = new TribuoImporter().fromModel(TribuoTraining.train(train, algo, 7));
        return int8(fm, train.rowsInOrder(fm.featureNames()));
    }

    private static double report(String name, IntModel m) {
        double ratio = (double) m.parameterBytes() / m.float32ParameterBytes();
        System.out.printf("int8 %s: %d / %d float32 bytes = %.3fx (floor %.3fx)%n", name, m.parameterBytes(),
                m.float32ParameterBytes(), ratio, m.parameterRatioFloor());
        assertTrue(ratio >= m.parameterRatioFloor() - 1e-12, name + " is below its own floor");
        return ratio;
    }

    @Test
    @DisplayName("room-occupancy logistic regression (16 features, 4 classes) takes at most 0.3x its float32 bytes")
    void roomLogistic() {
        IntNetwork m = (IntNetwork) trained(room[0], "logistic");
        double ratio = report("room logistic", m);
        assertEquals(Requantization.NONE, m.layers().get(0).requantization(), "argmax head: accumulators compared");
        assertEquals(16 * 4 + 4 * 4, m.parameterBytes());
        assertEquals(4 * (16 * 4 + 4), m.float32ParameterBytes());
        assertTrue(ratio <= 0.3, "ratio " + ratio);
    }

    @Test
    @DisplayName("a 128-16-8-3 MLP takes at most 0.3x its float32 bytes")
    void mlp() {
        Map<String, Object[]> all = TestModels.all(128);
        double ratio = report("mlp 128-16-8-3", int8((FloatModel) all.get("mlp")[0], (double[][]) all.get("mlp")[1]));
        assertTrue(ratio <= 0.3, "ratio " + ratio);
    }

    @Test
    @DisplayName("occupancy logistic regression (5 features, 2 classes) reaches its floor, (5 + 4) / (4 * 5 + 4)")
    void occupancyLogisticAtFloor() {
        IntNetwork m = (IntNetwork) trained(occTrain, "logistic");
        double ratio = report("occupancy logistic", m);
        assertEquals(1, m.outputSize(), "two classes become one logit");
        assertEquals(Requantization.NONE, m.layers().get(0).requantization());
        assertEquals(5 + 4, m.parameterBytes());
        assertEquals(4 * (5 + 1), m.float32ParameterBytes());
        assertEquals(9.0 / 24.0, ratio, 1e-12);
        assertEquals(m.parameterRatioFloor(), ratio, 1e-12);
    }

    @Test
    @DisplayName("trees cannot reach 0.3x: only thresholds shrink, and their floor is above 0.4")
    void treesAboveFloor() {
        for (String algo : new String[] {"cart", "forest"}) {
            IntModel m = trained(occTrain, algo);
            report("occupancy " + algo, m);
            assertTrue(m.parameterRatioFloor() > 0.4, algo + " floor " + m.parameterRatioFloor());
        }
    }
}
