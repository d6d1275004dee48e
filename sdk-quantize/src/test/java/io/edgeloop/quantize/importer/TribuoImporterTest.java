package io.edgeloop.quantize.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.Datasets;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.ensemble.AdaBoostTrainer;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.ensemble.AveragingCombiner;
import org.tribuo.regression.rtree.CARTRegressionTrainer;
import org.tribuo.regression.rtree.impurity.MeanSquaredError;
import org.tribuo.regression.sgd.linear.LinearSGDTrainer;
import org.tribuo.regression.sgd.objectives.SquaredLoss;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.LinearScalingTransformation;
import org.tribuo.MutableDataset;
import io.edgeloop.quantize.parity.ParityHarness;
import io.edgeloop.quantize.parity.ParityResult;
import io.edgeloop.quantize.parity.ParityTarget;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.IntTreeEnsemble;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.util.List;

class TribuoImporterTest {
    @Test
    @DisplayName("imports the random forest edgeloop train writes with Tribuo's own predictions")
    void importsUniformVotingForests() throws Exception {
        CsvData train = Datasets.occupancyTrain();
        CsvData test = Datasets.occupancyTest();
        Model<Label> forest = TribuoTraining.train(train, "forest", 1);
        FloatModel fm = new TribuoImporter().fromModel(forest);
        String[] names = test.features().toArray(new String[0]);
        double[][] rows = test.rowsInOrder(fm.featureNames());
        int disagree = 0;
        for (int i = 0; i < test.size(); i++) {
            String t = forest.predict(TribuoTraining.example(names, test.row(i), null)).getOutput().getLabel();
            disagree += t.equals(fm.classNames().get(fm.predictClass(rows[i]))) ? 0 : 1;
        }
        assertEquals(0, disagree, "rows where the imported forest disagrees with Tribuo");
    }

    @Test
    @DisplayName("imports the standardisation of a feature far from zero (1.7e9 +- 10) exactly enough to agree with "
            + "Tribuo on every row")
    void importsStandardisationOfOffsetFeatures(@TempDir Path dir) throws Exception {
        Random r = new Random(17);
        StringBuilder csv = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 600; i++) {
            double z = r.nextGaussian();
            double b = r.nextGaussian();
            csv.append(String.format(Locale.ROOT, "%.6f,%.6f,%s%n", 1.7e9 + 10 * z, b, z + b > 0 ? "y" : "n"));
        }
        Path file = dir.resolve("off.csv");
        Files.writeString(file, csv);
        CsvData data = CsvData.read(file, "label", Set.of());
        Model<Label> lr = TribuoTraining.train(data, "logistic", 1);
        FloatModel fm = new TribuoImporter().fromModel(lr);
        String[] names = data.features().toArray(new String[0]);
        double[][] rows = data.rowsInOrder(fm.featureNames());
        int disagree = 0;
        for (int i = 0; i < data.size(); i++) {
            String t = lr.predict(TribuoTraining.example(names, data.row(i), null)).getOutput().getLabel();
            disagree += t.equals(fm.classNames().get(fm.predictClass(rows[i]))) ? 0 : 1;
        }
        // Measuring the slope as t(1) - t(0) made 319 of these 600 rows disagree.
        assertEquals(0, disagree, "rows where the imported logistic regression disagrees with Tribuo");
    }

    @Test
    @DisplayName("refuses an AdaBoost ensemble, whose member weights the device runtime cannot reproduce")
    void refusesWeightedEnsembles() throws Exception {
        CsvData train = Datasets.occupancyTrain();
        Model<Label> ada = new AdaBoostTrainer(new CARTClassificationTrainer(2), 10, 1L)
                .train(TribuoTraining.dataset(train));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TribuoImporter().fromModel(ada));
        assertTrue(e.getMessage().contains("member weights differ"), e.getMessage());
    }

    private static final String[] REG_NAMES = {"a", "b", "c"};

    /** y = 0.002 a + 300 b - 2 c + noise over features of very different scales (the reviewer's Reg.java). */
    private static double[][] regressionRows(int n, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {r.nextGaussian() * 1000 + 5000, r.nextGaussian() * 0.01, r.nextGaussian()};
        }
        return x;
    }

    private static MutableDataset<Regressor> regressionData(double[][] x, long seed, String... dims) {
        Random r = new Random(seed);
        MutableDataset<Regressor> ds = new MutableDataset<>(new SimpleDataSourceProvenance("synthetic",
                new RegressionFactory()), new RegressionFactory());
        for (double[] row : x) {
            double y = 0.002 * row[0] + 300 * row[1] - 2 * row[2] + r.nextGaussian() * 0.1;
            double[] ys = new double[dims.length];
            for (int d = 0; d < dims.length; d++) {
                ys[d] = y * (d + 1);
            }
            ds.add(new ArrayExample<>(new Regressor(dims, ys), REG_NAMES, row));
        }
        return ds;
    }

    private static double tribuo(Model<Regressor> m, double[] row) {
        return m.predict(new ArrayExample<>(new Regressor("y", 0), REG_NAMES, row)).getOutput().getValues()[0];
    }

    @Test
    @DisplayName("imports Tribuo's regression CART (CARTRegressionTrainer) and a regression random forest of them, "
            + "predicting as Tribuo does, and the quantized trees run bit-exactly on the host")
    void importsRegressionTreesAndForests() throws Exception {
        double[][] x = regressionRows(2000, 5);
        MutableDataset<Regressor> ds = regressionData(x, 6, "y");
        Model<Regressor> cart = new CARTRegressionTrainer(6).train(ds);
        Model<Regressor> forest = new RandomForestTrainer<>(new CARTRegressionTrainer(5, 5.0f, 0.0f, 0.7f, false,
                new MeanSquaredError(), 3L), new AveragingCombiner(), 5, 9L).train(ds);
        double[][] unseen = regressionRows(500, 77);
        ParityHarness h = new ParityHarness();
        for (Model<Regressor> m : List.of(cart, forest)) {
            // Before: NullPointerException (IndependentRegressionTreeModel keeps its root in getRoots()).
            FloatModel fm = new TribuoImporter().fromModel(m);
            assertTrue(fm.classNames().isEmpty(), "a regression model");
            double maxDiff = 0;
            for (double[][] rows : List.of(x, unseen)) {
                for (double[] row : rows) {
                    double t = tribuo(m, row);
                    maxDiff = Math.max(maxDiff, Math.abs(t - fm.scores(row)[0]) / Math.max(1, Math.abs(t)));
                }
            }
            assertTrue(maxDiff < 1e-12, m.getClass().getSimpleName() + ": IR against Tribuo, max relative diff "
                    + maxDiff);
            for (Scheme s : new Scheme[] {Scheme.INT8, Scheme.INT16, Scheme.INT32}) {
                IntModel im = new ModelQuantizer(s, Calibration.MIN_MAX).quantize(fm, x);
                assertEquals(0, ((IntTreeEnsemble) im).droppedSplits().getAsInt(), "no split dropped");
                ParityResult r = h.run(im, ParityTarget.HOST, 2000, 20261130L);
                String line = m.getClass().getSimpleName() + " " + s + ": " + r.toMap();
                assertEquals(0, r.mismatches(), line);
                assertEquals(r.javaHash(), r.deviceHash(), line);
            }
        }
    }

    @Test
    @DisplayName("refuses a regression tree over several output dimensions in one line")
    void refusesMultiOutputRegressionTrees() {
        double[][] x = regressionRows(300, 5);
        Model<Regressor> two = new CARTRegressionTrainer(4).train(regressionData(x, 6, "y1", "y2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TribuoImporter().fromModel(two));
        assertTrue(e.getMessage().contains("predicts 2 output dimensions") && !e.getMessage().contains("\n"),
                e.getMessage());
    }

    @Test
    @DisplayName("refuses Tribuo's linear scaling (it clamps, so it is not affine) without claiming it imports")
    void refusesLinearScaling() {
        double[][] x = regressionRows(300, 5);
        Model<Regressor> m = new TransformTrainer<>(new LinearSGDTrainer(new SquaredLoss(), new AdaGrad(0.1), 2, 1000,
                1, 1L), new TransformationMap(List.of(new LinearScalingTransformation(-1, 1))))
                .train(regressionData(x, 6, "y"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TribuoImporter().fromModel(m));
        assertTrue(e.getMessage().contains("is not affine") && e.getMessage().contains("linear scaling clamps"),
                e.getMessage());
    }

    @Test
    @DisplayName("refuses one-class classifiers (CART, forest, logistic) trained on data with one label, in one line")
    void refusesOneClassClassifiers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("one.csv");
        Files.writeString(file, "a,b,label\n1,2,x\n3,4,x\n5,6,x\n2,1,x\n");
        CsvData data = CsvData.read(file, "label", Set.of());
        // TribuoTraining.train refuses one-class labels itself now; a model from Tribuo directly can still be one.
        java.util.Map<String, org.tribuo.Trainer<Label>> trainers = new java.util.LinkedHashMap<>();
        trainers.put("cart", new org.tribuo.classification.dtree.CARTClassificationTrainer(8, 1.0f, 1));
        trainers.put("forest", new org.tribuo.common.tree.RandomForestTrainer<>(
                new org.tribuo.classification.dtree.CARTClassificationTrainer(8, 0.7f, 1),
                new org.tribuo.classification.ensemble.VotingCombiner(), 20, 1));
        trainers.put("logistic", new org.tribuo.transform.TransformTrainer<>(
                new org.tribuo.classification.sgd.linear.LogisticRegressionTrainer(),
                new org.tribuo.transform.TransformationMap(List.of(
                        new org.tribuo.transform.transformations.MeanStdDevTransformation())), true));
        for (String algo : List.of("cart", "forest", "logistic")) {
            Model<Label> m = trainers.get(algo).train(TribuoTraining.dataset(data));
            // Before: CART and forest quantized into a model the C generator cast to a network (ClassCastException).
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TribuoImporter().fromModel(m), algo);
            assertTrue(e.getMessage().contains("classifier with one class ('x')") && !e.getMessage().contains("\n"),
                    algo + ": " + e.getMessage());
        }
    }
}
