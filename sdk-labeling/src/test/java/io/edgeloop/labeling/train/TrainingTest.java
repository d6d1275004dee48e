package io.edgeloop.labeling.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.window.Window;
import io.edgeloop.labeling.lf.TribuoLabeller;
import io.edgeloop.labeling.model.Scores;
import io.edgeloop.tck.LabellerContractTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TrainingTest {
    static FeatureTable blobs(long seed, int n, int[] y) {
        Random r = new Random(seed);
        double[][] x = new double[n][2];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(2);
            x[i][0] = (y[i] == 1 ? 3 : -3) + r.nextGaussian();
            x[i][1] = r.nextGaussian() * 50;
        }
        return new FeatureTable(List.of("signal", "noise"), x);
    }

    static WeakLabels labels(int[] y) {
        WeakLabels w = WeakLabels.fromProbabilities(new double[y.length][2], new boolean[y.length], 0);
        for (int i = 0; i < y.length; i++) {
            w = w.withGold(i, y[i]);
        }
        return w;
    }

    @Test
    @DisplayName("weights follow confidence; uncovered and uniform rows get no label")
    void weakLabelWeights() {
        WeakLabels w = WeakLabels.fromProbabilities(new double[][] {{0.9, 0.1}, {0.5, 0.5}, {0.2, 0.8}},
                new boolean[] {true, true, false}, 0);
        assertEquals(0, w.label(0));
        assertEquals(0.8f, w.weight(0), 1e-6);
        assertEquals(-1, w.label(1));
        assertEquals(-1, w.label(2));
    }

    @Test
    @DisplayName("both end models learn, deterministically for a seed, and carry provenance")
    void endModels() {
        int[] y = new int[400];
        FeatureTable t = blobs(1, 400, y);
        int[] yt = new int[300];
        FeatureTable test = blobs(2, 300, yt);
        for (EndModelKind k : EndModelKind.values()) {
            EndModelTrainer tr = new EndModelTrainer(k, List.of("a", "b"), 5, Map.of("labelModel", "ds"));
            EndModel m = tr.train(t, labels(y));
            assertTrue(Scores.of(m.predict(test), yt, 2).accuracy() > 95, k.name());
            assertArrayEquals(m.predict(test), tr.train(t, labels(y)).predict(test), k.name());
            assertEquals("ds", m.provenance().settings().get("labelModel"));
            assertEquals(1, m.provenance().inputs().size());
            assertEquals(5L, m.provenance().seed().getAsLong());
        }
    }

    @Test
    @DisplayName("self-training adopts confident predictions for unlabelled rows")
    void selfTraining() {
        int[] y = new int[400];
        FeatureTable t = blobs(3, 400, y);
        WeakLabels few = firstTwentyGold(y);
        EndModelTrainer tr = new EndModelTrainer(EndModelKind.LOGISTIC, List.of("a", "b"), 1, Map.of());
        EndModel m = tr.train(t, few, 2, 0.9);
        assertEquals("2", m.provenance().settings().get("selfTrainingRound"));
        assertTrue(Integer.parseInt(m.provenance().settings().get("trainingRows")) > 200);
    }

    /** No weak label at all (a uniform guess for each of 400 rows), and the first 20 rows labelled gold. */
    private static WeakLabels firstTwentyGold(int[] y) {
        WeakLabels few = WeakLabels.fromProbabilities(new double[400][2], new boolean[400], 0);
        for (int i = 0; i < 20; i++) {
            few = few.withGold(i, y[i]);
        }
        return few;
    }

    @Test
    @DisplayName("the self-training asked for (rounds, threshold) and the rows it adopted are in the provenance, so "
            + "two thresholds give two provenances (they differed only in the derived round and row count)")
    void selfTrainingSettingsAreInTheProvenance() {
        int[] y = new int[400];
        FeatureTable t = blobs(3, 400, y);
        WeakLabels few = firstTwentyGold(y);
        EndModelTrainer tr = new EndModelTrainer(EndModelKind.LOGISTIC, List.of("a", "b"), 1, Map.of());
        Map<String, String> low = tr.train(t, few, 3, 0.6).provenance().settings();
        Map<String, String> high = tr.train(t, few, 3, 0.99).provenance().settings();
        assertEquals("3", low.get("selfTrainingRounds"));
        assertEquals("3", high.get("selfTrainingRounds"));
        assertEquals("0.6", low.get("selfTrainingThreshold"));
        assertEquals("0.99", high.get("selfTrainingThreshold"));
        int adopted = Integer.parseInt(low.get("selfTrainedRows"));
        assertEquals(Integer.parseInt(low.get("trainingRows")) - 20, adopted, "adopted rows = trained rows - gold");
        assertTrue(adopted > 300, "adopted " + adopted);
        Map<String, String> none = tr.train(t, few).provenance().settings();
        assertEquals("0", none.get("selfTrainingRounds"));
        assertEquals("0", none.get("selfTrainedRows"));
        WeakLabels labels = few;
        assertThrows(IllegalArgumentException.class, () -> tr.train(t, labels, -1, 0.9));
        assertThrows(IllegalArgumentException.class, () -> tr.train(t, labels, 1, Double.NaN));
    }

    @Test
    @DisplayName("confident learning finds most injected label flips with few false alarms")
    void confidentLearning() {
        int[] y = new int[500];
        FeatureTable t = blobs(4, 500, y);
        int[] noisy = y.clone();
        Set<Integer> flipped = new HashSet<>();
        Random r = new Random(9);
        while (flipped.size() < 25) {
            int i = r.nextInt(500);
            if (flipped.add(i)) {
                noisy[i] = 1 - noisy[i];
            }
        }
        EndModelTrainer tr = new EndModelTrainer(EndModelKind.LOGISTIC, List.of("a", "b"), 1, Map.of());
        List<ConfidentLearning.Suspect> s = new ConfidentLearning(tr, 4, 7).find(t, labels(noisy));
        long hits = s.stream().filter(x -> flipped.contains(x.row())).count();
        assertTrue(hits >= 20, "found " + hits + " of 25");
        assertTrue(s.size() - hits <= 10, "false alarms: " + (s.size() - hits));
    }

    @Nested
    class TribuoModelAsLabellingFunction extends LabellerContractTest {
        private final TribuoLabeller lf;

        TribuoModelAsLabellingFunction() {
            int[] y = new int[300];
            FeatureTable t = blobs(5, 300, y);
            EndModel m = new EndModelTrainer(EndModelKind.CART, List.of("a", "b"), 1, Map.of()).train(t, labels(y));
            lf = new TribuoLabeller("tree", m.tribuoModel(), List.of("signal", "noise"), List.of("a", "b"), 0.6);
        }

        private Window w(int i, double signal, double noise, boolean nan) {
            return Window.builder().deviceId("d").index(i).timestamps(new long[] {0})
                    .channel("signal", new double[] {nan ? Double.NaN : signal}).feature("signal", nan ? Double.NaN : signal)
                    .feature("noise", noise).build();
        }

        @Override
        protected TribuoLabeller labeller() {
            return lf;
        }

        @Override
        protected List<Window> windows() {
            List<Window> ws = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ws.add(w(i, i % 2 == 0 ? 2.5 : -2.5, i, false));
            }
            return ws;
        }

        @Override
        protected List<Window> badWindows() {
            return List.of(w(0, 0, 0, true), Window.builder().deviceId("d").build());
        }
    }

    @Test
    @DisplayName("a Tribuo labeller's digest covers its model, features, classes and minimum confidence")
    void tribuoLabellerDigestCoversSettings() {
        int[] y = new int[300];
        FeatureTable t = blobs(5, 300, y);
        EndModel tree = new EndModelTrainer(EndModelKind.CART, List.of("a", "b"), 1, Map.of()).train(t, labels(y));
        EndModel logistic = new EndModelTrainer(EndModelKind.LOGISTIC, List.of("a", "b"), 1, Map.of())
                .train(t, labels(y));
        List<String> f = List.of("signal", "noise");
        String base = LabelProvenance.lfSha256(new TribuoLabeller("m", tree.tribuoModel(), f, List.of("a", "b"), 0.6));
        assertEquals(base, LabelProvenance.lfSha256(new TribuoLabeller("m", tree.tribuoModel(), f, List.of("a", "b"),
                0.6)), "the same model and settings");
        for (TribuoLabeller other : List.of(
                new TribuoLabeller("m", logistic.tribuoModel(), f, List.of("a", "b"), 0.6),
                new TribuoLabeller("m", tree.tribuoModel(), List.of("noise", "signal"), List.of("a", "b"), 0.6),
                new TribuoLabeller("m", tree.tribuoModel(), f, List.of("b", "a"), 0.6),
                new TribuoLabeller("m", tree.tribuoModel(), f, List.of("a", "b"), 0.9))) {
            assertNotEquals(base, LabelProvenance.lfSha256(other), other.toString());
        }
    }

    @Test
    @DisplayName("predict(table) gives -1 for a row with bad data and predicts the others (it failed the whole batch "
            + "on the first NaN, naming no row)")
    void predictSkipsIncompleteRows() {
        int[] y = new int[200];
        FeatureTable t = blobs(4, 200, y);
        EndModel m = new EndModelTrainer(EndModelKind.LOGISTIC, List.of("a", "b"), 1, Map.of()).train(t, labels(y));
        double[][] rows = new double[200][];
        for (int i = 0; i < 200; i++) {
            rows[i] = t.row(i);
        }
        rows[150][0] = Double.NaN;
        FeatureTable withNaN = new FeatureTable(t.names(), rows);
        int[] whole = m.predict(t);
        int[] p = m.predict(withNaN);
        assertEquals(-1, p[150]);
        for (int i = 0; i < 200; i++) {
            if (i != 150) {
                assertEquals(whole[i], p[i], "row " + i);
            }
        }
        int right = 0;
        for (int i = 0; i < 200; i++) {
            right += whole[i] == y[i] ? 1 : 0;
        }
        assertTrue(right > 180, "the model predicts: " + right);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.predict(new FeatureTable(List.of("noise", "signal"), rows)));
        assertTrue(e.getMessage().contains("[noise, signal]"), e.getMessage());
    }

    @Test
    @DisplayName("a Tribuo labeller whose features or class names do not match its model is refused at construction "
            + "(it voted with a typo'd feature read as 0, or abstained on every window, with 0 errors)")
    void tribuoLabellerMustMatchItsModel() {
        int[] y = new int[300];
        FeatureTable t = blobs(5, 300, y);
        EndModel tree = new EndModelTrainer(EndModelKind.CART, List.of("empty", "occupied"), 1, Map.of())
                .train(t, labels(y));
        List<String> f = List.of("signal", "noise");
        new TribuoLabeller("ok", tree.tribuoModel(), List.of("noise", "signal"), List.of("occupied", "empty"), 0.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TribuoLabeller("numbers",
                tree.tribuoModel(), f, List.of("0", "1"), 0.5));
        assertTrue(e.getMessage().contains("'numbers'") && e.getMessage().contains("[0, 1]")
                && e.getMessage().contains("[empty, occupied]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TribuoLabeller("typo", tree.tribuoModel(),
                List.of("signal", "nosie"), List.of("empty", "occupied"), 0.5));
        assertTrue(e.getMessage().contains("not known to the model: [nosie]")
                && e.getMessage().contains("not given (they would be read as 0): [noise]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TribuoLabeller("short", tree.tribuoModel(),
                List.of("signal"), List.of("empty", "occupied"), 0.5));
        assertTrue(e.getMessage().contains("[noise]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TribuoLabeller("twice", tree.tribuoModel(),
                List.of("signal", "noise", "signal"), List.of("empty", "occupied"), 0.5));
        assertThrows(IllegalArgumentException.class, () -> new TribuoLabeller("three", tree.tribuoModel(), f,
                List.of("empty", "occupied", "other"), 0.5));
    }

    @Test
    @DisplayName("FeatureTable refuses a feature no window has when it looks misspelt (the wrong case, an edit away), "
            + "naming the closest one; another name no window has, or one some windows lack, is NaN there (s15)")
    void featureNoWindowHasIsRefused() {
        Window a = Window.builder().deviceId("d").timestamps(new long[] {0}).channel("x", new double[] {1})
                .feature("CO2.mean", 500).feature("CO2.slope", 0.1).build();
        Window b = Window.builder().deviceId("d").timestamps(new long[] {0}).channel("x", new double[] {1})
                .feature("CO2.mean", 600).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureTable.of(List.of(a, b), List.of("CO2.mean", "co2.slope")));
        assertTrue(e.getMessage().startsWith("no window has feature 'co2.slope'; did you mean 'CO2.slope'?"),
                e.getMessage());
        // a device without the sensor, alone in its batch (review s15): a column of NaN, not an error
        FeatureTable noLight = FeatureTable.of(List.of(a, b), List.of("CO2.mean", "Light.mean"));
        assertTrue(Double.isNaN(noLight.row(0)[1]) && !noLight.complete(0));
        Window bare = Window.builder().deviceId("d").timestamps(new long[] {0}).channel("x", new double[] {1}).build();
        e = assertThrows(IllegalArgumentException.class, () -> FeatureTable.of(List.of(bare), List.of("x.mean")));
        assertTrue(e.getMessage().contains("the windows have no features (build them with Windower)"), e.getMessage());
        FeatureTable t = FeatureTable.of(List.of(a, b), List.of("CO2.mean", "CO2.slope"));
        assertTrue(Double.isNaN(t.row(1)[1]), "lacking in one window: NaN there");
        assertEquals(0, FeatureTable.of(List.of(), List.of("anything")).size(), "no windows: nothing to check");
    }

    @Test
    @DisplayName("FeatureTable refuses +-Infinity naming row and feature; EndModel refuses non-finite inputs instead "
            + "of predicting NaN probabilities (class 0)")
    void infiniteInputsAreRefused() {
        for (double inf : new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new FeatureTable(List.of("signal", "noise"), new double[][] {{1, 2}, {inf, 0}}));
            assertTrue(e.getMessage().contains("row 1 feature 'signal'"), e.getMessage());
            Window w = Window.builder().deviceId("d").timestamps(new long[] {0}).channel("x", new double[] {1})
                    .feature("signal", inf).build();
            e = assertThrows(IllegalArgumentException.class, () -> FeatureTable.of(List.of(w), List.of("signal")));
            assertTrue(e.getMessage().contains("'signal'"), e.getMessage());
        }
        assertTrue(Double.isNaN(new FeatureTable(List.of("a"), new double[][] {{Double.NaN}}).row(0)[0]),
                "NaN is missing, still accepted");
        int[] y = new int[300];
        EndModel m = new EndModelTrainer(EndModelKind.LOGISTIC, List.of("a", "b"), 1, Map.of())
                .train(blobs(5, 300, y), labels(y));
        for (double bad : new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.predictProba(new double[] {bad, 0}));
            assertTrue(e.getMessage().contains("feature 'signal' is " + bad), e.getMessage());
        }
    }

    @Test
    @DisplayName("class and feature names with commas survive EndModel.write and read (JSON arrays in the provenance)")
    void namesWithCommasRoundTrip(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        int[] y = new int[300];
        FeatureTable blobs = blobs(5, 300, y);
        double[][] x = new double[300][];
        for (int i = 0; i < 300; i++) {
            x[i] = blobs.row(i);
        }
        FeatureTable t = new FeatureTable(List.of("signal, filtered", "noise"), x);
        EndModel m = new EndModelTrainer(EndModelKind.LOGISTIC, List.of("no, empty", "yes"), 1, Map.of())
                .train(t, labels(y));
        java.nio.file.Path file = dir.resolve("m.tribuo");
        m.write(file);
        EndModel back = EndModel.read(file);
        assertEquals(List.of("no, empty", "yes"), back.classNames());
        assertEquals(List.of("signal, filtered", "noise"), back.features());
        assertArrayEquals(m.predictProba(new double[] {3, 0}), back.predictProba(new double[] {3, 0}));
        assertEquals("[\"no, empty\",\"yes\"]", back.provenance().settings().get("classes"));
    }

    /** Rewrites a model's provenance file with its lists in the comma-separated form of earlier versions. */
    private static void writeOldForm(java.nio.file.Path file, Provenance p, List<String> features, List<String> classes)
            throws java.io.IOException {
        Provenance.Builder b = p.toBuilder();
        b.setting("features", String.join(",", features)).setting("classes", String.join(",", classes));
        ProvenanceFiles.write(file, b.build());
    }

    @Test
    @DisplayName("a model written before (comma-separated lists) is still read when unambiguous, and refused naming the "
            + "file when a name held a comma")
    void oldCommaFormIsReadWhenUnambiguous(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        int[] y = new int[300];
        FeatureTable t = blobs(5, 300, y);
        EndModel m = new EndModelTrainer(EndModelKind.CART, List.of("empty", "occupied"), 1, Map.of())
                .train(t, labels(y));
        java.nio.file.Path file = dir.resolve("old.tribuo");
        m.write(file);
        writeOldForm(file, m.provenance(), List.of("signal", "noise"), List.of("empty", "occupied"));
        EndModel back = EndModel.read(file);
        assertEquals(List.of("empty", "occupied"), back.classNames());
        assertEquals(List.of("signal", "noise"), back.features());

        EndModel commas = new EndModelTrainer(EndModelKind.CART, List.of("no, empty", "yes"), 1, Map.of())
                .train(t, labels(y));
        java.nio.file.Path bad = dir.resolve("bad.tribuo");
        commas.write(bad);
        writeOldForm(bad, commas.provenance(), List.of("signal", "noise"), List.of("no, empty", "yes"));
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> EndModel.read(bad));
        assertTrue(e.getMessage().contains("bad.tribuo.provenance.json") && e.getMessage().contains("'classes'")
                && e.getMessage().contains("[no, empty]"), e.getMessage());
    }
}
