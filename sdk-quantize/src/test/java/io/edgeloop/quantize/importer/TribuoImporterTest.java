package io.edgeloop.quantize.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.Datasets;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
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
