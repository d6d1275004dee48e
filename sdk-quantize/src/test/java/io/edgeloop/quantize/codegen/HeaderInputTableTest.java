package io.edgeloop.quantize.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.Datasets;
import io.edgeloop.quantize.importer.TribuoImporter;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.InputQuantization;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code model.h} documents each feature's input quantization and the low-end form a device can use. */
class HeaderInputTableTest {
    @Test
    @DisplayName("model.h lists scale, zero point and low end per feature; q = round((x - lo) / scale) + min agrees")
    void headerListsInputConstants() throws Exception {
        CsvData occ = Datasets.occupancyTrain();
        FloatModel fm = new TribuoImporter().fromModel(TribuoTraining.train(occ, "cart", 1));
        IntModel m = new ModelQuantizer(Scheme.INT16, Calibration.AUTO).quantize(fm, occ.rowsInOrder(fm.featureNames()));
        String h = new CCodeGenerator().generate(m, TargetProfile.AVR8).header();
        InputQuantization iq = m.input();
        double[][] rows = occ.rowsInOrder(fm.featureNames());
        for (int i = 0; i < iq.size(); i++) {
            Matcher x = Pattern.compile(" \\*   " + i + " " + Pattern.quote(m.featureNames().get(i))
                    + ": (\\S+), (-?\\d+), (\\S+)\\n").matcher(h);
            assertTrue(x.find(), "feature " + i + " in\n" + h);
            double scale = Double.parseDouble(x.group(1));
            assertEquals(iq.scale(i), scale);
            assertEquals(iq.zeroPoint(i), Long.parseLong(x.group(2)));
            double lo = Double.parseDouble(x.group(3));
            // The documented low-end form gives the runtime's q on the calibration data (in double).
            for (int r = 0; r < rows.length; r += 97) {
                long q = Math.max(iq.min(), Math.min(iq.max(), Math.round((rows[r][i] - lo) / scale) + iq.min()));
                double[] v = rows[r].clone();
                assertEquals(iq.quantize(v)[i], q, 1, "feature " + i + " row " + r);
            }
        }
    }
}
