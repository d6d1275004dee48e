package io.edgeloop.quantize.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.Datasets;
import io.edgeloop.quantize.importer.TribuoImporter;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/** Accuracy budgets on the UCI test splits: int8 within 0.5 points of float, int16 within 0.1, int32 within 0.01. */
class DatasetAccuracyTest {
    private static CsvData occTrain;
    private static CsvData occTest;
    private static CsvData roomTrain;
    private static CsvData roomTest;

    @BeforeAll
    static void load() throws Exception {
        occTrain = Datasets.occupancyTrain();
        occTest = Datasets.occupancyTest();
        CsvData[] r = Datasets.room();
        roomTrain = r[0];
        roomTest = r[1];
    }

    static double accuracy(FloatModel m, CsvData d) {
        double[][] x = d.rowsInOrder(m.featureNames());
        int ok = 0;
        for (int i = 0; i < x.length; i++) {
            if (m.classNames().get(m.predictClass(x[i])).equals(d.labels().get(i))) {
                ok++;
            }
        }
        return 100.0 * ok / x.length;
    }

    static double accuracy(IntModel m, CsvData d) {
        double[][] x = d.rowsInOrder(m.featureNames());
        int ok = 0;
        for (int i = 0; i < x.length; i++) {
            if (m.classNames().get(m.predictClass(m.input().quantize(x[i]))).equals(d.labels().get(i))) {
                ok++;
            }
        }
        return 100.0 * ok / x.length;
    }

    private static Map<String, Double> check(String name, CsvData train, CsvData test, String algo) {
        Model<Label> tm = TribuoTraining.train(train, algo, 7);
        FloatModel fm = new TribuoImporter().fromModel(tm);
        double tribuo = TribuoTraining.accuracy(tm, test);
        double flt = accuracy(fm, test);
        Map<String, Double> r = new TreeMap<>();
        r.put("tribuo", tribuo);
        r.put("float", flt);
        double[][] calib = train.rowsInOrder(fm.featureNames());
        double[] budget = {0.5, 0.1, 0.01};
        Scheme[] schemes = {Scheme.INT8, Scheme.INT16, Scheme.INT32};
        for (int s = 0; s < schemes.length; s++) {
            IntModel im = new ModelQuantizer(schemes[s], Calibration.AUTO).quantize(fm, calib);
            double acc = accuracy(im, test);
            r.put(schemes[s].name(), acc);
            System.out.printf("%s %s %s: float %.3f%% quantized %.3f%% (tribuo %.3f%%)%n", name, algo,
                    schemes[s].name(), flt, acc, tribuo);
            assertTrue(Math.abs(flt - acc) <= budget[s] + 1e-9, name + " " + algo + " " + schemes[s].name() + ": float " + flt
                    + " quantized " + acc);
        }
        return r;
    }

    @Test
    @DisplayName("occupancy logistic regression keeps its accuracy in every scheme")
    void occupancyLogistic() {
        Map<String, Double> r = check("occupancy", occTrain, occTest, "logistic");
        assertEquals(r.get("tribuo"), r.get("float"), 1e-9, "the imported float model predicts as Tribuo does");
    }

    @Test
    @DisplayName("room-occupancy logistic regression keeps its accuracy in every scheme")
    void roomLogistic() {
        Map<String, Double> r = check("room", roomTrain, roomTest, "logistic");
        assertEquals(r.get("tribuo"), r.get("float"), 1e-9);
    }

    @Test
    @DisplayName("occupancy CART tree keeps its accuracy in every scheme")
    void occupancyCart() {
        Map<String, Double> r = check("occupancy", occTrain, occTest, "cart");
        assertEquals(r.get("tribuo"), r.get("float"), 1e-9);
    }

    @Test
    @DisplayName("room-occupancy random forest keeps its accuracy in every scheme")
    void roomForest() {
        check("room", roomTrain, roomTest, "forest");
    }
}
