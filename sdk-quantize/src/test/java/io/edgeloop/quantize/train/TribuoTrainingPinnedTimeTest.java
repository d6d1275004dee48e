package io.edgeloop.quantize.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.Datasets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Training twice with the same data, seed and recorded time writes byte-identical model files (house style:
 * determinism; two reviews found `train` and end-model files differing only in Tribuo's timestamps).
 */
class TribuoTrainingPinnedTimeTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("logistic, CART and forest: same data, seed and time give byte-identical files that predict as an "
            + "unpinned model; without a time the files differ")
    void pinnedTimeGivesIdenticalBytes() throws IOException, InterruptedException {
        CsvData data = CsvData.read(Datasets.root().resolve("occupancy-detection-uci/datatraining.txt"), "Occupancy",
                Set.of("date"));
        CsvData test = Datasets.occupancyTest("datatest.txt");
        Instant t = Instant.ofEpochSecond(1_700_000_000L);
        for (String algo : new String[] {"logistic", "cart", "forest"}) {
            Model<Label> pinned = TribuoTraining.train(data, algo, 5, t);
            byte[] a = bytes(pinned, algo + "-a");
            Thread.sleep(5);
            byte[] b = bytes(TribuoTraining.train(data, algo, 5, t), algo + "-b");
            assertArrayEquals(a, b, algo + ": pinned files differ");
            Model<?> read = Model.deserializeFromFile(dir.resolve(algo + "-a.model"));
            assertEquals("2023-11-14T22:13:20Z", read.getProvenance().getTrainingTime().toString(), algo);
            String text = new String(a, StandardCharsets.ISO_8859_1);
            assertTrue(text.contains("2023-11-14T22:13:20Z"), algo + ": the pinned time is recorded");
            assertFalse(text.contains(String.valueOf(java.time.Year.now().getValue()) + "-"),
                    algo + ": no current-year timestamp left in the file");

            Model<Label> plain = TribuoTraining.train(data, algo, 5);
            double[][] x = test.rowsInOrder(data.features());
            String[] names = data.features().toArray(new String[0]);
            for (int i = 0; i < x.length; i += 7) {
                assertEquals(plain.predict(TribuoTraining.example(names, x[i], null)).getOutput().getLabel(),
                        pinned.predict(TribuoTraining.example(names, x[i], null)).getOutput().getLabel(),
                        algo + " row " + i);
            }
            byte[] c = bytes(plain, algo + "-c");
            Thread.sleep(5);
            byte[] d = bytes(TribuoTraining.train(data, algo, 5), algo + "-d");
            assertFalse(Arrays.equals(c, d), algo + ": unpinned files record the training time (the test can fail)");
        }
    }

    private byte[] bytes(Model<Label> m, String name) throws IOException {
        Path f = dir.resolve(name + ".model");
        m.serializeToFile(f);
        return Files.readAllBytes(f);
    }
}
