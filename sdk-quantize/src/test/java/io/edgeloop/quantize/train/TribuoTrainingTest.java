package io.edgeloop.quantize.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.MeanStdDevTransformation;

/** Columns whose scale breaks standardisation are named before training, and a broken model is caught after it. */
class TribuoTrainingTest {
    @TempDir
    Path dir;

    /** Columns tiny (~1e-310, subnormal), huge (~1e300) and mid (N(0,1)); label = mid > 0. */
    private CsvData extreme(Set<String> drop) throws IOException {
        Random r = new Random(3);
        StringBuilder b = new StringBuilder("tiny,huge,mid,label\n");
        for (int i = 0; i < 400; i++) {
            double mid = r.nextGaussian();
            b.append(String.format(Locale.ROOT, "%s,%s,%s,%d%n", (1 + r.nextDouble()) * 1e-310,
                    (1 + r.nextDouble()) * 1e300, mid, mid > 0 ? 1 : 0));
        }
        Path f = dir.resolve("extreme.csv");
        Files.writeString(f, b);
        return CsvData.read(f, "label", drop);
    }

    @Test
    @DisplayName("logistic training refuses a subnormal column and a 1e300 column by name before training")
    void namesColumnsWhoseScaleBreaksStandardisation() throws IOException {
        IllegalArgumentException tiny = assertThrows(IllegalArgumentException.class,
                () -> TribuoTraining.train(extreme(Set.of("huge")), "logistic", 1));
        assertTrue(tiny.getMessage().startsWith("Column 'tiny' breaks logistic regression")
                && tiny.getMessage().contains("underflows") && tiny.getMessage().contains("--drop tiny"), tiny.getMessage());
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                () -> TribuoTraining.train(extreme(Set.of("tiny")), "logistic", 1));
        assertTrue(huge.getMessage().startsWith("Column 'huge' breaks logistic regression")
                && huge.getMessage().contains("overflows") && huge.getMessage().contains("--drop huge"), huge.getMessage());
        // Trees compare raw values and do not standardise: the same columns train fine.
        TribuoTraining.evaluate(TribuoTraining.train(extreme(Set.of()), "cart", 1), extreme(Set.of()));
    }

    @Test
    @DisplayName("a model trained past the column check (Tribuo directly) fails evaluation naming the column")
    void evaluationCatchesAModelThatCannotPredict() throws IOException {
        CsvData data = extreme(Set.of("huge"));
        Model<Label> broken = new TransformTrainer<>(new LogisticRegressionTrainer(),
                new TransformationMap(List.of(new MeanStdDevTransformation())), true).train(TribuoTraining.dataset(data));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TribuoTraining.evaluate(broken, data));
        assertTrue(e.getMessage().startsWith("Training failed: ") && e.getMessage().contains("'tiny'"), e.getMessage());
    }

    @Test
    @DisplayName("every algorithm refuses a label column with one class, naming the column and the class")
    void refusesOneClass() throws IOException {
        Random r = new Random(5);
        StringBuilder b = new StringBuilder("a,b,Occupancy\n");
        for (int i = 0; i < 16; i++) {
            b.append(String.format(Locale.ROOT, "%.4f,%.4f,1%n", r.nextGaussian(), r.nextGaussian()));
        }
        Path f = dir.resolve("oneclass.csv");
        Files.writeString(f, b);
        CsvData data = CsvData.read(f, "Occupancy", Set.of());
        for (String algo : new String[] {"logistic", "cart", "forest"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TribuoTraining.train(data, algo, 1), algo);
            assertTrue(e.getMessage().startsWith("Label column 'Occupancy' holds one class only ('1' on all 16 rows)"),
                    e.getMessage());
        }
    }
}
