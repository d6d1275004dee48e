package io.edgeloop.quantize.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.Datasets;
import io.edgeloop.quantize.importer.TribuoImporter;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Accuracy budgets on the UCI test splits: int8 within 0.5 points of float, int16 within 0.1, int32 within 0.01.
 * The two published occupancy test files are checked one by one (merged, a breach on the smaller datatest.txt
 * hid behind datatest2.txt).
 */
class DatasetAccuracyTest {
    private static CsvData occTrain;
    private static CsvData occTest1;
    private static CsvData occTest2;
    private static CsvData roomTrain;
    private static CsvData roomTest;

    @BeforeAll
    static void load() throws Exception {
        occTrain = Datasets.occupancyTrain();
        occTest1 = Datasets.occupancyTest("datatest.txt");
        occTest2 = Datasets.occupancyTest("datatest2.txt");
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
        return io.edgeloop.quantize.Datasets.accuracy(m, d);
    }

    /**
     * Trains with Tribuo, imports, quantizes in every scheme and checks each test split against its budget.
     *
     * @return per split: "tribuo", "float" and each scheme's accuracy
     */
    private static Map<String, Map<String, Double>> check(String name, CsvData train, Map<String, CsvData> tests,
            String algo) {
        return check(name, train, tests, algo, TreeThresholds.EXACT, new double[] {0.5, 0.1, 0.01});
    }

    private static Map<String, Map<String, Double>> check(String name, CsvData train, Map<String, CsvData> tests,
            String algo, TreeThresholds treeThresholds, double[] budget) {
        Model<Label> tm = TribuoTraining.train(train, algo, 7);
        FloatModel fm = new TribuoImporter().fromModel(tm);
        double[][] calib = train.rowsInOrder(fm.featureNames());
        Scheme[] schemes = {Scheme.INT8, Scheme.INT16, Scheme.INT32};
        IntModel[] quantized = new IntModel[schemes.length];
        for (int s = 0; s < schemes.length; s++) {
            quantized[s] = new ModelQuantizer(schemes[s], Calibration.AUTO).withTreeThresholds(treeThresholds)
                    .quantize(fm, calib);
        }
        Map<String, Map<String, Double>> all = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, CsvData> e : tests.entrySet()) {
            CsvData test = e.getValue();
            Map<String, Double> r = new TreeMap<>();
            double flt = accuracy(fm, test);
            r.put("tribuo", TribuoTraining.accuracy(tm, test));
            r.put("float", flt);
            for (int s = 0; s < schemes.length; s++) {
                double acc = accuracy(quantized[s], test);
                r.put(schemes[s].name(), acc);
                System.out.printf("%s %s %s %s %s: float %.3f%% quantized %.3f%% (tribuo %.3f%%)%n", name, e.getKey(), algo,
                        schemes[s].name(), treeThresholds.id(), flt, acc, r.get("tribuo"));
                if (!(Math.abs(flt - acc) <= budget[s] + 1e-9)) {
                    failures.add(name + " " + e.getKey() + " " + algo + " " + schemes[s].name() + ": float " + flt
                            + " quantized " + acc + " (budget " + budget[s] + ")");
                }
            }
            all.put(e.getKey(), r);
        }
        assertTrue(failures.isEmpty(), String.join("; ", failures));
        return all;
    }

    private static Map<String, CsvData> occupancyTests() {
        Map<String, CsvData> m = new LinkedHashMap<>();
        m.put("datatest.txt", occTest1);
        m.put("datatest2.txt", occTest2);
        return m;
    }

    private static void assertFloatIsTribuo(Map<String, Map<String, Double>> r) {
        for (Map.Entry<String, Map<String, Double>> e : r.entrySet()) {
            assertEquals(e.getValue().get("tribuo"), e.getValue().get("float"), 1e-9,
                    e.getKey() + ": the imported float model predicts as Tribuo does");
        }
    }

    @Test
    @DisplayName("occupancy logistic regression keeps its accuracy in every scheme on each test file")
    void occupancyLogistic() {
        assertFloatIsTribuo(check("occupancy", occTrain, occupancyTests(), "logistic"));
    }

    @Test
    @DisplayName("room-occupancy logistic regression keeps its accuracy in every scheme")
    void roomLogistic() {
        assertFloatIsTribuo(check("room", roomTrain, Map.of("test", roomTest), "logistic"));
    }

    @Test
    @DisplayName("occupancy CART tree keeps its accuracy in every scheme on each test file")
    void occupancyCart() {
        assertFloatIsTribuo(check("occupancy", occTrain, occupancyTests(), "cart"));
    }

    /**
     * Exact tree splits (issue #5's guarantee, the default) with fitted input scales (the default): two of the 2,026
     * test rows carry readings one ulp above a Tribuo threshold (S1_Temp 25.69 against 25.689999999999998). With the
     * calibrated scales they rounded onto the threshold's left in every scheme (99.704 % against float 99.605 %, int32
     * 0.099 points outside its budget); the fitted int16 and int32 scales put 25.69's cell on the right, so int32 is
     * within 0.01 (int8, where fitting is not applied, still decides those two rows unlike float, within its 0.5).
     */
    @Test
    @DisplayName("room-occupancy CART tree with exact splits keeps its accuracy in every scheme, int32 within 0.01")
    void roomCart() {
        assertFloatIsTribuo(check("room", roomTrain, Map.of("test", roomTest), "cart"));
    }

    @Test
    @DisplayName("room-occupancy CART tree with aligned thresholds keeps every budget, int32 within 0.01")
    void roomCartAligned() {
        check("room", roomTrain, Map.of("test", roomTest), "cart", TreeThresholds.ALIGNED, new double[] {0.5, 0.1, 0.01});
    }

    @Test
    @DisplayName("room-occupancy random forest keeps its accuracy in every scheme")
    void roomForest() {
        check("room", roomTrain, Map.of("test", roomTest), "forest");
    }
}
