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
}
