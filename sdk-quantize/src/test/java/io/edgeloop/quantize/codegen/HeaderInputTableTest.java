package io.edgeloop.quantize.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.Datasets;
import io.edgeloop.quantize.importer.TribuoImporter;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.InputQuantization;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.FixedPoint;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code model.h} documents each feature's input quantization: the exact rule the Java runtime uses (double
 * division, round half away from zero, int64 zero point, clamp), checked value for value without tolerance, and
 * the low-end form only as what it is, a float32-friendlier rule that can differ by one step (review
 * rev-s4-codegen item 2).
 */
class HeaderInputTableTest {
    /**
     * Checks the header's table and its exact rule on every value of {@code data}.
     *
     * @return how many values the low-end form quantizes differently (in double)
     */
    private static int check(IntModel m, double[][] data) {
        String h = new CCodeGenerator().generate(m, TargetProfile.AVR8).header();
        assertTrue(h.contains("r = x / scale[i]                      (IEEE 754 binary64 division, correctly rounded)"), h);
        assertTrue(h.contains("q = round_half_away(r) + zero_point[i]"), h);
        assertTrue(h.contains("it is NOT the same rule"), h);
        assertFalse(h.contains("The same q"), h);
        InputQuantization iq = m.input();
        int lowEndDiffers = 0;
        for (int i = 0; i < iq.size(); i++) {
            Matcher x = Pattern.compile(" \\*   " + i + " " + Pattern.quote(CCodeGenerator.commentText(m.featureNames().get(i)))
                    + ": (\\S+), (-?\\d+), (\\S+)\\n").matcher(h);
            assertTrue(x.find(), "feature " + i + " in\n" + h);
            double scale = Double.parseDouble(x.group(1));
            long zp = Long.parseLong(x.group(2));
            double lo = Double.parseDouble(x.group(3));
            assertEquals(iq.scale(i), scale);
            assertEquals(iq.zeroPoint(i), zp);
            for (double[] row : data) {
                double v = row[i];
                // The documented rule, from the header's constants, equals the runtime exactly.
                long q = Math.max(iq.min(), Math.min(iq.max(), FixedPoint.roundHalfAwayFromZero(v / scale) + zp));
                assertEquals(iq.quantize(i, v), q, "feature " + i + " value " + v);
                long low = Math.max(iq.min(), Math.min(iq.max(),
                        FixedPoint.roundHalfAwayFromZero((v - lo) / scale) + iq.min()));
                assertTrue(Math.abs(low - q) <= 1, "low-end form within one step: feature " + i + " value " + v);
                lowEndDiffers += low != q ? 1 : 0;
            }
        }
        return lowEndDiffers;
    }

    @Test
    @DisplayName("occupancy CART int16: the documented exact rule gives the runtime's q on every value")
    void occupancyExact() throws Exception {
        CsvData occ = Datasets.occupancyTrain();
        FloatModel fm = new TribuoImporter().fromModel(TribuoTraining.train(occ, "cart", 1));
        double[][] rows = occ.rowsInOrder(fm.featureNames());
        IntModel m = new ModelQuantizer(Scheme.INT16, Calibration.AUTO).quantize(fm, rows);
        check(m, rows);
        check(m, Datasets.occupancyTest().rowsInOrder(fm.featureNames()));
    }

    @Test
    @DisplayName("room occupancy logistic int16: exact rule on every value; the low-end form really differs at ties")
    void roomExactAndLowEndDiffers() throws Exception {
        CsvData[] room = Datasets.room();
        FloatModel fm = new TribuoImporter().fromModel(TribuoTraining.train(room[0], "logistic", 1));
        double[][] rows = room[0].rowsInOrder(fm.featureNames());
        IntModel m = new ModelQuantizer(Scheme.INT16, Calibration.MIN_MAX).quantize(fm, rows);
        int differs = check(m, rows) + check(m, room[1].rowsInOrder(fm.featureNames()));
        // Integer light readings land on ties of x / scale: the header must not call the low-end form "the same q".
        assertTrue(differs > 0, "expected the low-end form to differ somewhere, as the header says");
    }
}
