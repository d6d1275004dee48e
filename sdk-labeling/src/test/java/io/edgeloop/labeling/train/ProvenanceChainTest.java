package io.edgeloop.labeling.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.labeling.active.ActiveLearner;
import io.edgeloop.labeling.active.QueryStrategy;
import io.edgeloop.labeling.active.SimulatedOracle;
import io.edgeloop.labeling.lf.Conditions;
import io.edgeloop.labeling.lf.Lf;
import io.edgeloop.labeling.lf.LfApplier;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.model.FitData;
import io.edgeloop.labeling.model.LabelModel;
import io.edgeloop.labeling.model.LabelModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.provenance.ModelProvenance;

/**
 * The provenance chain on real data (UCI occupancy, datatest.txt): active learning with a simulated expert,
 * {@link WeakLabelSet}, {@link EndModelTrainer}, the provenance file next to the model and reading it back.
 */
@DisplayName("Provenance from expert answers to the end model")
class ProvenanceChainTest {
    private static final List<String> CLASSES = List.of("empty", "occupied");
    private static final int BUDGET = 50;
    private static final long SEED = 11;

    private static List<Labeller> lfs;
    private static LabelMatrix matrix;
    private static FeatureTable features;
    private static ActiveLearner.Result al;
    private static WeakLabelSet set;
    private static EndModel model;

    @BeforeAll
    static void runTheDocumentedPath() throws Exception {
        Occupancy.Data data = Occupancy.read("datatest.txt");
        lfs = Occupancy.lfs();
        matrix = new LfApplier(lfs).apply(data.windows()).matrix();
        features = FeatureTable.of(data.windows(), Occupancy.FEATURES);
        al = new ActiveLearner("ds", QueryStrategy.LEAST_CONFIDENCE, 10, 5, SEED)
                .run(matrix, features, new SimulatedOracle(data.gold()), BUDGET);
        set = WeakLabelSet.builder().labellers(lfs).matrix(matrix).labelModel(al.model())
                .probabilities(al.probabilities()).answers(al.answers()).seed(SEED).build();
        model = new EndModelTrainer(EndModelKind.LOGISTIC, CLASSES, SEED, Map.of()).train(features, set);
    }

    /** The documented digest, computed here from its definition rather than by the SDK. */
    private static String digestOf(Map<Integer, Integer> answers) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (Map.Entry<Integer, Integer> e : new TreeMap<>(answers).entrySet()) {
            md.update((e.getKey() + ":" + e.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Nested
    @DisplayName("ActiveLearner -> WeakLabelSet -> EndModelTrainer")
    class ApiPath {
        @Test
        @DisplayName("every answered row is gold with the expert's class and weight 1; no other row is gold")
        void answeredRowsAreGold() {
            assertEquals(BUDGET, al.answers().size());
            WeakLabels w = set.labels();
            assertEquals(BUDGET, w.goldCount());
            for (Map.Entry<Integer, Integer> a : al.answers().entrySet()) {
                assertTrue(w.isGold(a.getKey()), "row " + a.getKey());
                assertEquals(a.getValue(), w.label(a.getKey()));
                assertEquals(1f, w.weight(a.getKey()));
            }
            assertEquals(set.answers(), new TreeMap<>(al.answers()));
        }

        @Test
        @DisplayName("the end model's provenance names the answers (count and digest) and the label model")
        void endModelNamesTheAnswers() throws Exception {
            Provenance p = model.provenance();
            assertEquals("end-model", p.kind());
            assertEquals(String.valueOf(BUDGET), p.settings().get("goldRows"));
            assertEquals(String.valueOf(BUDGET), p.settings().get("expertAnswers"));
            assertEquals(digestOf(al.answers()), p.settings().get("expertAnswersSha256"));
            assertEquals("ds", p.settings().get("labelModel"));
            assertEquals(1, p.parents().size());
            Provenance labels = p.parents().get(0);
            assertEquals("weak-labels", labels.kind());
            assertEquals(String.valueOf(BUDGET), labels.settings().get("expertAnswers"));
            assertEquals(digestOf(al.answers()), labels.settings().get("expertAnswersSha256"));
            assertEquals("ds", labels.settings().get("labelModel"));
            assertTrue(labels.settings().keySet().stream().anyMatch(k -> k.startsWith("labelModel.")),
                    "label model settings: " + labels.settings());
            for (Labeller l : lfs) {
                assertTrue(labels.settings().get("lf." + l.name()).endsWith("sha256=" + LabelProvenance.lfSha256(l)),
                        l.name());
            }
            assertEquals(SEED, labels.seed().getAsLong());
            assertEquals(List.of("label-matrix", "weak-labels"), labels.inputs().stream()
                    .map(Provenance.Input::name).toList());
        }

        @Test
        @DisplayName("the Tribuo model itself records the answers in its instance provenance")
        void tribuoModelRecordsThem() throws Exception {
            ModelProvenance mp = model.tribuoModel().getProvenance();
            String text = mp.getInstanceProvenance().toString();
            assertTrue(text.contains(digestOf(al.answers())), text);
            assertTrue(mp.getInstanceProvenance().getMap().containsKey("edgeloop.parent.0"), text);
        }

        @Test
        @DisplayName("the label-matrix input is the SHA-256 of the votes, row by row")
        void matrixDigest() throws Exception {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < matrix.rows(); i++) {
                for (int j = 0; j < matrix.lfs(); j++) {
                    md.update((byte) matrix.get(i, j));
                }
            }
            assertEquals(HexFormat.of().formatHex(md.digest()), set.provenance().inputs().get(0).sha256());
        }

        @Test
        @DisplayName("other answers give another digest; no answers give the digest of nothing")
        void digestsTellAnswerSetsApart() {
            Map<Integer, Integer> flipped = new TreeMap<>(al.answers());
            int row = flipped.keySet().iterator().next();
            flipped.put(row, 1 - flipped.get(row));
            WeakLabelSet other = WeakLabelSet.builder().labellers(lfs).matrix(matrix).labelModel(al.model())
                    .answers(flipped).seed(SEED).build();
            assertNotEquals(set.answersSha256(), other.answersSha256());
            assertEquals(1 - al.answers().get(row), other.labels().label(row));
            WeakLabelSet none = WeakLabelSet.builder().labellers(lfs).matrix(matrix).labelModel(al.model())
                    .seed(SEED).build();
            assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", none.answersSha256());
            assertEquals(0, none.labels().goldCount());
            assertEquals("0", none.provenance().settings().get("expertAnswers"));
        }

        @Test
        @DisplayName("rows no LF voted on get no label unless answered, or unless keepUncovered is set")
        void uncoveredRows() {
            int uncovered = -1;
            for (int i = 0; i < matrix.rows() && uncovered < 0; i++) {
                boolean any = false;
                for (int j = 0; j < matrix.lfs(); j++) {
                    any |= matrix.get(i, j) >= 0;
                }
                if (!any && !al.answers().containsKey(i)) {
                    uncovered = i;
                }
            }
            if (uncovered < 0) {
                // Occupancy LFs cover nearly every window; make the point on a matrix where one row has no vote.
                LabelMatrix m = LabelMatrix.ofRows(2, new int[][] {{1, 1}, {-1, -1}, {0, 0}, {0, 1}});
                List<Labeller> two = List.of(Lf.named(m.lfNames().get(0)).when(Conditions.feature("x").above(0))
                        .vote(1), Lf.named(m.lfNames().get(1)).when(Conditions.feature("x").above(1)).vote(1));
                LabelModel mv = LabelModels.fit("mv", FitData.builder().train(m).seed(1).build());
                double[][] skewed = {{0.1, 0.9}, {0.2, 0.8}, {0.9, 0.1}, {0.3, 0.7}};
                assertEquals(-1, WeakLabelSet.builder().labellers(two).matrix(m).labelModel(mv).probabilities(skewed)
                        .seed(1).build().labels().label(1));
                assertEquals(1, WeakLabelSet.builder().labellers(two).matrix(m).labelModel(mv).probabilities(skewed)
                        .seed(1).keepUncovered(true).build().labels().label(1));
                assertEquals(0, WeakLabelSet.builder().labellers(two).matrix(m).labelModel(mv).probabilities(skewed)
                        .answers(Map.of(1, 0)).seed(1).build().labels().label(1));
                return;
            }
            assertEquals(-1, set.labels().label(uncovered));
        }
    }

    @Nested
    @DisplayName("LF digests")
    class LfDigests {
        @Test
        @DisplayName("are the same for the same LF set built twice, and change when a threshold changes")
        void stableAndSensitive() {
            List<String> a = new ArrayList<>();
            List<String> b = new ArrayList<>();
            for (int i = 0; i < lfs.size(); i++) {
                a.add(LabelProvenance.lfSha256(lfs.get(i)));
                b.add(LabelProvenance.lfSha256(Occupancy.lfs().get(i)));
            }
            assertEquals(a, b);
            Labeller at300 = Lf.named("light_on").when(Conditions.feature("Light.last").above(300)).vote(1);
            Labeller at301 = Lf.named("light_on").when(Conditions.feature("Light.last").above(301)).vote(1);
            assertNotEquals(LabelProvenance.lfSha256(at300), LabelProvenance.lfSha256(at301));
            assertTrue(at300.toString().contains("Light.last > 300.0"), at300.toString());
        }

        @Test
        @DisplayName("a labeller without a description is identified by name and class, not by its identity hash")
        void undescribedLabeller() {
            Labeller custom = new Labeller() {
                @Override
                public String name() {
                    return "custom";
                }

                @Override
                public int numClasses() {
                    return 2;
                }

                @Override
                public int label(io.edgeloop.api.window.Window window) {
                    return 1;
                }
            };
            assertEquals(LabelProvenance.lfSha256(custom), LabelProvenance.lfSha256(custom));
            assertFalse(LabelProvenance.lfSha256(custom).isEmpty());
        }
    }

    @Nested
    @DisplayName("the provenance file next to the model")
    class WrittenForm {
        @TempDir
        Path dir;

        @Test
        @DisplayName("is written as <model>.provenance.json and reads back with the model")
        void roundTrip() throws Exception {
            Path file = dir.resolve("occupancy.tribuo");
            Path written = model.write(file);
            assertEquals(dir.resolve("occupancy.tribuo.provenance.json"), written);
            String json = Files.readString(written);
            assertTrue(json.contains("\"expertAnswersSha256\" : \"" + digestOf(al.answers()) + "\""), json);
            assertEquals(model.provenance(), ProvenanceFiles.read(file));
            EndModel back = EndModel.read(file);
            assertEquals(model.provenance(), back.provenance());
            assertEquals(model.features(), back.features());
            assertEquals(model.classNames(), back.classNames());
            assertArrayEquals(model.predict(features), back.predict(features));
            ProvenanceFiles.Entry e = ProvenanceFiles.readFile(written);
            assertEquals("occupancy.tribuo", e.artifact());
            assertEquals(Files.size(file), e.artifactBytes());
        }

        @Test
        @DisplayName("refuses a model file replaced after its provenance was written")
        void replacedModel() throws Exception {
            Path file = dir.resolve("m.tribuo");
            model.write(file);
            Path other = dir.resolve("other.tribuo");
            new EndModelTrainer(EndModelKind.CART, CLASSES, SEED, Map.of()).train(features, set).tribuoModel()
                    .serializeToFile(other);
            Files.copy(other, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            IOException e = assertThrows(IOException.class, () -> EndModel.read(file));
            assertTrue(e.getMessage().contains("replaced after its provenance was written"), e.getMessage());
        }

        @Test
        @DisplayName("reports a missing, truncated, foreign or newer-version provenance file with its path")
        void badFiles() throws Exception {
            Path file = dir.resolve("m.tribuo");
            Path prov = model.write(file);
            String good = Files.readString(prov);
            Files.delete(prov);
            assertThrows(NoSuchFileException.class, () -> ProvenanceFiles.read(file));

            Files.writeString(prov, good.substring(0, good.length() / 2));
            IOException truncated = assertThrows(IOException.class, () -> ProvenanceFiles.read(file));
            assertTrue(truncated.getMessage().startsWith(prov.toString()) && truncated.getMessage().contains("JSON"),
                    truncated.getMessage());

            Files.writeString(prov, good.replace("\"formatVersion\" : 1,\n  \"artifact\"",
                    "\"formatVersion\" : 2,\n  \"artifact\""));
            IOException newer = assertThrows(IOException.class, () -> ProvenanceFiles.read(file));
            assertTrue(newer.getMessage().contains("formatVersion 2"), newer.getMessage());

            Files.writeString(prov, "{\"format\":\"something-else\",\"formatVersion\":1}");
            IOException foreign = assertThrows(IOException.class, () -> ProvenanceFiles.read(file));
            assertTrue(foreign.getMessage().contains("not a provenance file"), foreign.getMessage());

            Files.writeString(prov, good + "{}");
            assertThrows(IOException.class, () -> ProvenanceFiles.read(file), "trailing content is refused");

            Files.writeString(prov, good.replace("\"kind\" : \"end-model\"", "\"kind\" : \"weak-labels\""));
            IOException wrongKind = assertThrows(IOException.class, () -> EndModel.read(file));
            assertTrue(wrongKind.getMessage().contains("not an end model"), wrongKind.getMessage());
        }

        @Test
        @DisplayName("is not written for a missing artifact")
        void noArtifact() {
            assertThrows(NoSuchFileException.class, () -> ProvenanceFiles.write(dir.resolve("absent.tribuo"),
                    model.provenance()));
        }
    }

    @Nested
    @DisplayName("WeakLabelSet.Builder")
    class Validation {
        @Test
        @DisplayName("names what is missing or does not fit")
        void refusesBadInput() {
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> WeakLabelSet.builder().labellers(lfs).matrix(matrix).labelModel(al.model()).build());
            assertTrue(missing.getMessage().endsWith("missing: seed"), missing.getMessage());
            List<Labeller> reversed = new ArrayList<>(lfs);
            java.util.Collections.reverse(reversed);
            IllegalArgumentException order = assertThrows(IllegalArgumentException.class,
                    () -> WeakLabelSet.builder().labellers(reversed).matrix(matrix).labelModel(al.model()).seed(1)
                            .build());
            assertTrue(order.getMessage().contains("column order"), order.getMessage());
            IllegalArgumentException row = assertThrows(IllegalArgumentException.class,
                    () -> WeakLabelSet.builder().labellers(lfs).matrix(matrix).labelModel(al.model()).seed(1)
                            .answers(Map.of(matrix.rows(), 1)).build());
            assertTrue(row.getMessage().contains("out of range"), row.getMessage());
            IllegalArgumentException cls = assertThrows(IllegalArgumentException.class,
                    () -> WeakLabelSet.builder().labellers(lfs).matrix(matrix).labelModel(al.model()).seed(1)
                            .answers(Map.of(0, 2)).build());
            assertTrue(cls.getMessage().contains("class 2"), cls.getMessage());
            double[][] nan = java.util.Arrays.stream(al.probabilities()).map(double[]::clone).toArray(double[][]::new);
            nan[3][0] = Double.NaN;
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> WeakLabelSet.builder().labellers(lfs).matrix(matrix).labelModel(al.model()).seed(1)
                            .probabilities(nan).build());
            assertTrue(bad.getMessage().contains("row 3"), bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> WeakLabelSet.builder().labellers(lfs).matrix(matrix)
                    .labelModel(al.model()).seed(1).probabilities(new double[5][2]).build());
            assertThrows(IllegalArgumentException.class, () -> WeakLabelSet.builder().minWeight(1.0));
        }
    }
}
