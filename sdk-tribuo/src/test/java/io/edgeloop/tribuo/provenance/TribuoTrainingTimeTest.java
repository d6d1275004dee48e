package io.edgeloop.tribuo.provenance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.ensemble.VotingCombiner;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.MeanStdDevTransformation;

/**
 * The training time set by {@link TribuoTrainingTime} reaches every place Tribuo records one (the model, a
 * transformed model's inner model, each ensemble member, the data source), so two trainings write the same bytes;
 * with the clock they differ.
 */
class TribuoTrainingTimeTest {
    private static final Instant T = Instant.ofEpochSecond(1_700_000_000L);
    private static final String[] NAMES = {"a", "b", "c"};

    @TempDir
    Path dir;

    /** Two overlapping classes on three features, fixed by a seed. */
    private static MutableDataset<Label> data(Instant createdAt) {
        MutableDataset<Label> ds = new MutableDataset<>(TribuoTrainingTime.dataSource("synthetic", createdAt,
                new LabelFactory()), new LabelFactory());
        Random r = new Random(3);
        for (int i = 0; i < 400; i++) {
            boolean one = r.nextBoolean();
            double[] x = {r.nextGaussian() + (one ? 1 : 0), 100 * r.nextGaussian(), r.nextDouble() * (one ? 2 : 1)};
            ds.add(new ArrayExample<>(new Label(one ? "one" : "zero"), NAMES, x));
        }
        return ds;
    }

    private static List<Supplier<Trainer<Label>>> trainers() {
        return List.of(
                () -> new TransformTrainer<>(new LogisticRegressionTrainer(),
                        new TransformationMap(List.of(new MeanStdDevTransformation())), true),
                () -> new CARTClassificationTrainer(6, 1.0f, 5),
                () -> new RandomForestTrainer<>(new CARTClassificationTrainer(6, 0.7f, 5), new VotingCombiner(), 5, 5));
    }

    private byte[] bytes(Model<Label> m, String name) throws IOException {
        Path f = dir.resolve(name);
        m.serializeToFile(f);
        return Files.readAllBytes(f);
    }

    @Test
    @DisplayName("a transformed logistic model, a CART tree and a forest trained twice with one time are byte-identical,"
            + " record that time and predict as the unpinned model; with the clock the files differ")
    void pinnedModelsAreByteIdentical() throws Exception {
        int k = 0;
        for (Supplier<Trainer<Label>> trainer : trainers()) {
            k++;
            Model<Label> a = TribuoTrainingTime.pin(trainer.get().train(data(T)), T);
            Thread.sleep(5);
            Model<Label> b = TribuoTrainingTime.pin(trainer.get().train(data(T)), T);
            byte[] ab = bytes(a, k + "a");
            assertArrayEquals(ab, bytes(b, k + "b"), a.getClass().getSimpleName());
            assertEquals("2023-11-14T22:13:20Z", a.getProvenance().getTrainingTime().toString());
            String text = new String(ab, StandardCharsets.ISO_8859_1);
            assertFalse(text.contains(java.time.Year.now().getValue() + "-"), "no clock time left in " + a.getClass());

            Model<Label> plain = trainer.get().train(data(null));
            MutableDataset<Label> test = data(null);
            for (int i = 0; i < test.size(); i += 5) {
                assertEquals(plain.predict(test.getExample(i)).getOutput(), a.predict(test.getExample(i)).getOutput());
            }
            Thread.sleep(5);
            Model<Label> again = trainer.get().train(data(null));
            assertFalse(Arrays.equals(bytes(plain, k + "c"), bytes(again, k + "d")),
                    "with the clock two files differ (the test can fail)");
        }
    }

    @Test
    @DisplayName("the data source records the given time, or the clock without one")
    void dataSourceTime() {
        assertTrue(TribuoTrainingTime.dataSource("x", T, new LabelFactory()).toString().contains("2023-11-14T22:13:20Z"));
        assertFalse(TribuoTrainingTime.dataSource("x", null, new LabelFactory()).toString()
                .contains("2023-11-14T22:13:20Z"));
        assertThrows(NullPointerException.class, () -> TribuoTrainingTime.<Label>pin(null, T));
    }
}
