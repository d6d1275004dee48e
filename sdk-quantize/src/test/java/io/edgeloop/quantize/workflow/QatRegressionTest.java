package io.edgeloop.quantize.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.quantize.runtime.QuantizedArtifact;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.linear.LinearSGDTrainer;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

/**
 * QAT on a regression model keeps the integer model closer to the float model, as it does for classifiers: the
 * mean absolute difference of the outputs on the calibration rows decides (there was no figure for regression, so
 * QAT was always kept, however far a too-large learning rate had moved it).
 */
class QatRegressionTest {
    @TempDir
    Path dir;

    private static final String[] FEATURES = {"a", "b"};

    /** y = 3 a - 2 b + 1 + noise, 300 rows, as a Tribuo linear regression file and the CSV it was trained on. */
    private Path[] regression() throws Exception {
        Random r = new Random(11);
        MutableDataset<Regressor> ds = new MutableDataset<>(new SimpleDataSourceProvenance("synthetic",
                new RegressionFactory()), new RegressionFactory());
        StringBuilder csv = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 300; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian() * 2;
            double y = 3 * a - 2 * b + 1 + r.nextGaussian() * 0.05;
            ds.add(new ArrayExample<>(new Regressor("y", y), FEATURES, new double[] {a, b}));
            csv.append(String.format(Locale.ROOT, "%.6f,%.6f,%.6f%n", a, b, y));
        }
        Model<Regressor> m = new LinearSGDTrainer(new SquaredLoss(), new AdaGrad(0.5), 20, 1000, 1, 1L).train(ds);
        Path model = dir.resolve("reg.model");
        m.serializeToFile(model);
        Path data = dir.resolve("reg.csv");
        Files.writeString(data, csv);
        return new Path[] {model, data};
    }

    @Test
    @DisplayName("a QAT run on a regression model that ends farther from the float model than plain PTQ writes the PTQ"
            + " model, and report.json's qat and the provenance say so with both mean absolute errors")
    void regressionKeepsTheModelCloserToTheFloatModel() throws Exception {
        Path[] in = regression();
        // the largest learning rate for many epochs: fine-tuning overshoots
        Path out = dir.resolve("q-bad");
        QuantizedArtifact a = QuantizeWorkflow.quantizeWithQat(in[0], in[1], "y", 50, 1.0, "int8", "cortex-m3",
                "min-max", null, out);
        JsonNode qat = new ObjectMapper().readTree(out.resolve("report.json").toFile()).get("qat");
        assertEquals("ptq", qat.get("kept").asText(), "PTQ is kept: " + qat);
        double mae = qat.get("meanAbsoluteError").asDouble();
        double ptq = qat.get("ptqMeanAbsoluteError").asDouble();
        assertTrue(ptq < mae, "the overshooting QAT run is farther from the float model than PTQ: " + qat);
        assertFalse(qat.has("agreement"), "no class agreement for a regression model: " + qat);
        assertEquals("ptq", a.provenance().settings().get("qat.kept"));
        assertEquals(String.valueOf(mae), a.provenance().settings().get("qat.meanAbsoluteError"));
        assertEquals(String.valueOf(ptq), a.provenance().settings().get("qat.ptq.meanAbsoluteError"));

        // a gentle run keeps whichever is closer, QAT on a tie
        out = dir.resolve("q-gentle");
        a = QuantizeWorkflow.quantizeWithQat(in[0], in[1], "y", 1, 1e-6, "int8", "cortex-m3", "min-max", null, out);
        qat = new ObjectMapper().readTree(out.resolve("report.json").toFile()).get("qat");
        boolean ptqCloser = qat.get("ptqMeanAbsoluteError").asDouble() < qat.get("meanAbsoluteError").asDouble();
        assertEquals(ptqCloser ? "ptq" : "qat", qat.get("kept").asText(), qat.toString());
        assertEquals(qat.get("kept").asText(), a.provenance().settings().get("qat.kept"));
    }
}
