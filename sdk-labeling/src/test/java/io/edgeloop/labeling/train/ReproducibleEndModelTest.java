package io.edgeloop.labeling.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.label.Labeller;
import io.edgeloop.labeling.lf.LfApplier;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.model.FitData;
import io.edgeloop.labeling.model.LabelModel;
import io.edgeloop.labeling.model.LabelModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;

/**
 * End models are reproducible: with a fixed time ({@code SOURCE_DATE_EPOCH} in the CLI), two runs on the same
 * windows, labels and seed write byte-identical model files, model provenance files and labelled-dataset
 * provenance files (as {@code edgeloop train} does). Without one, the files record the clock and differ, so the
 * test can fail. Real data: UCI occupancy, datatest.txt.
 */
@DisplayName("End models with a fixed time")
class ReproducibleEndModelTest {
    private static final List<String> CLASSES = List.of("empty", "occupied");
    private static final long SEED = 7;
    private static final Instant T = Instant.ofEpochSecond(1_700_000_000L);

    private static List<Labeller> lfs;
    private static LabelMatrix matrix;
    private static FeatureTable features;
    private static LabelModel labelModel;

    @TempDir
    Path dir;

    @BeforeAll
    static void windows() throws Exception {
        Occupancy.Data data = Occupancy.read("datatest.txt");
        lfs = Occupancy.lfs();
        matrix = new LfApplier(lfs).apply(data.windows()).matrix();
        features = FeatureTable.of(data.windows(), Occupancy.FEATURES);
        labelModel = LabelModels.fit("ds", FitData.builder().train(matrix).seed(SEED).build());
    }

    /** One run of the documented path: labels with their provenance file, then the end model with its own. */
    private byte[][] run(String name, EndModelKind kind, int rounds, Instant time) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        WeakLabelSet set = WeakLabelSet.builder().labellers(lfs).matrix(matrix).labelModel(labelModel)
                .answers(Map.of(3, 1, 40, 0)).seed(SEED).createdAt(time).build();
        Path labels = ProvenanceFiles.write(Files.writeString(d.resolve("labels.csv"), "labels\n"), set.provenance());
        EndModel model = new EndModelTrainer(kind, CLASSES, SEED, Map.of("lfs", "occupancy")).trainedAt(time)
                .train(features, set, rounds, 0.9);
        Path file = d.resolve("model.tribuo");
        Path prov = model.write(file);
        return new byte[][] {Files.readAllBytes(file), Files.readAllBytes(prov), Files.readAllBytes(labels)};
    }

    @Test
    @DisplayName("logistic, CART and self-training: two runs with one time write identical model, provenance and "
            + "label-provenance files that record that time; without a time they differ")
    void sameTimeSameBytes() throws Exception {
        for (EndModelKind kind : EndModelKind.values()) {
            for (int rounds : new int[] {0, 2}) {
                String k = kind + " rounds " + rounds;
                byte[][] a = run(k + " a", kind, rounds, T);
                Thread.sleep(5);
                byte[][] b = run(k + " b", kind, rounds, T);
                assertArrayEquals(a[0], b[0], k + ": model files differ");
                assertArrayEquals(a[1], b[1], k + ": model provenance files differ");
                assertArrayEquals(a[2], b[2], k + ": label provenance files differ");
                String modelText = new String(a[0], StandardCharsets.ISO_8859_1);
                assertTrue(modelText.contains("2023-11-14T22:13:20Z"), k + ": Tribuo records the given time");
                assertFalse(modelText.contains(String.valueOf(java.time.Year.now().getValue()) + "-"),
                        k + ": no current-year time left in the model file");
                assertTrue(new String(a[1], StandardCharsets.UTF_8).contains("\"createdAt\" : \"2023-11-14T22:13:20Z\""),
                        k + ": the end model's provenance records the given time");
                assertTrue(new String(a[2], StandardCharsets.UTF_8).contains("\"createdAt\" : \"2023-11-14T22:13:20Z\""),
                        k + ": the labels' provenance records the given time");
                Model<?> read = Model.deserializeFromFile(dir.resolve(k + " a").resolve("model.tribuo"));
                assertEquals("2023-11-14T22:13:20Z", read.getProvenance().getTrainingTime().toString(), k);
            }
        }
        byte[][] c = run("unpinned c", EndModelKind.LOGISTIC, 0, null);
        Thread.sleep(5);
        byte[][] d = run("unpinned d", EndModelKind.LOGISTIC, 0, null);
        assertFalse(Arrays.equals(c[0], d[0]), "without a time the model files record the clock (the test can fail)");
        assertFalse(Arrays.equals(c[1], d[1]), "without a time the provenance files record the clock");
        assertFalse(Arrays.equals(c[2], d[2]), "without a time the label provenance files record the clock");
    }

    @Test
    @DisplayName("a model trained with a fixed time predicts exactly as one trained with the clock")
    void pinnedPredictsAsUnpinned() {
        WeakLabelSet set = WeakLabelSet.builder().labellers(lfs).matrix(matrix).labelModel(labelModel).seed(SEED)
                .build();
        for (EndModelKind kind : EndModelKind.values()) {
            EndModelTrainer trainer = new EndModelTrainer(kind, CLASSES, SEED, Map.of());
            EndModel pinned = trainer.trainedAt(T).train(features, set);
            EndModel plain = trainer.train(features, set);
            assertArrayEquals(plain.predict(features), pinned.predict(features), kind.name());
            assertEquals(T, pinned.provenance().createdAt().orElseThrow(), kind.name());
        }
    }
}
