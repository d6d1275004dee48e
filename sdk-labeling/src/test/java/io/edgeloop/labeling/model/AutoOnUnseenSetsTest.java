package io.edgeloop.labeling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.io.WrenchDataset;
import io.edgeloop.labeling.io.WrenchEvaluation;
import io.edgeloop.labeling.matrix.LabelMatrix;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auto} against majority vote on a HELD-OUT family of {@value #SETS} generated WRENCH-style sets
 * ({@link GeneratedSets}: 2-10 classes, 5-100 LFs, sparse one-sided SMS-like sets scored by binary F1, correlated
 * LFs, confusable classes; validation splits absent, small or large). The selection rule and its level were
 * designed on seeds 0-799 ({@link AutoDesignHarness}); these seeds start at {@value #HELD_OUT_FROM} and were not
 * looked at while designing. The thresholds for wins were fixed from the design family before this test first
 * ran: there, {@code auto} won on 58 % of the sets with at least 500 validation rows and on 31 % of all sets with
 * a validation split.
 *
 * <p>"Never below majority vote" is checked on the population, not only on the sample: a rule that ever departs
 * from majority vote can lose on a finite test split by test noise alone. The first run of this test found 2 of
 * 1000 sets where {@code auto} scored 0.26 points below {@code mv} on the standard test split (5 and 2 rows);
 * on the same sets with a test split 50 times larger, {@code auto} was above {@code mv} (+1.25 and +0.76). So
 * every sample-level loss is re-scored on a 50 times larger test split of the same set and must disappear there;
 * the sample-level losses are printed and documented in docs/ARCHITECTURE.md. The rule was not changed after
 * that run.
 *
 * <p>The first 30 held-out sets are also written as WRENCH directories (no {@code valid.json} when the set has no
 * validation split) and read back through {@link WrenchDataset} and {@link WrenchEvaluation}, the path of
 * {@code edgeloop label fit}, which must give the same figures.
 */
class AutoOnUnseenSetsTest {
    /** First seed of the held-out family; design experiments use seeds below it. */
    static final long HELD_OUT_FROM = 1_000_000;
    private static final int SETS = 1000;
    /** Test split size factor for re-scoring a sample-level loss on (nearly) the population. */
    private static final int POPULATION_SCALE = 50;

    @Test
    @DisplayName("on 1000 held-out generated sets auto is never below majority vote in expectation, and above it on most sets with a large validation split")
    void autoNeverLosesToMajorityVoteOnHeldOutSets() throws Exception {
        int wins = 0;
        int withValid = 0;
        int winsLarge = 0;
        int large = 0;
        int changedWithoutValid = 0;
        double gain = 0;
        List<String> losses = new ArrayList<>();
        List<String> populationLosses = new ArrayList<>();
        // The sets are independent (each generated from its own seed, the fits are deterministic), so they are
        // scored on every core and the figures summed in seed order, as one loop would.
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
        List<Future<Outcome>> outcomes = new ArrayList<>();
        try {
            for (long seed = HELD_OUT_FROM; seed < HELD_OUT_FROM + SETS; seed++) {
                long setSeed = seed;
                outcomes.add(pool.submit(() -> score(setSeed)));
            }
            for (Future<Outcome> f : outcomes) {
                Outcome o = f.get();
                if (o.loss() != null) {
                    losses.add(o.loss());
                    if (o.populationLoss()) {
                        populationLosses.add(o.loss());
                    }
                }
                if (!o.withValid()) {
                    changedWithoutValid += o.auto() != o.mv() ? 1 : 0;
                    continue;
                }
                withValid++;
                boolean won = o.auto() > o.mv() + 1e-9;
                wins += won ? 1 : 0;
                gain += o.auto() - o.mv();
                if (o.largeValid()) {
                    large++;
                    winsLarge += won ? 1 : 0;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        String summary = String.format(Locale.ROOT, "held-out sets %d: below mv on the test split %d, on a %dx test "
                + "split %d; with validation %d, auto above mv on %d (mean %+.2f points); with >= 500 validation rows "
                + "%d, above on %d", SETS, losses.size(), POPULATION_SCALE, populationLosses.size(), withValid, wins,
                gain / withValid, large, winsLarge);
        System.out.println(summary);
        losses.forEach(System.out::println);
        assertEquals(List.of(), populationLosses, summary);
        assertEquals(0, changedWithoutValid, "without labelled rows auto is majority vote: " + summary);
        assertTrue(winsLarge > large / 2, summary);
        assertTrue(wins >= 0.25 * withValid, summary);
        assertTrue(gain > 0, summary);
    }

    /**
     * One held-out set's figures: mv and auto on its test split and, when auto is below mv there, the line describing
     * the loss and whether it remains on a 50 times larger test split.
     */
    private record Outcome(double mv, double auto, boolean withValid, boolean largeValid, String loss,
            boolean populationLoss) {
    }

    private static Outcome score(long seed) {
        GeneratedSets.Set s = GeneratedSets.generate(seed);
        FitData fd = s.fitData(seed);
        double mv = s.score(LabelModels.fit("mv", fd));
        double auto = s.score(LabelModels.fit("auto", fd));
        String loss = null;
        boolean populationLoss = false;
        if (auto < mv - 1e-9) {
            // Same train and valid splits (drawn first), a test split 50 times larger.
            GeneratedSets.Set big = GeneratedSets.generate(seed, POPULATION_SCALE);
            FitData bfd = big.fitData(seed);
            double bigMv = big.score(LabelModels.fit("mv", bfd));
            double bigAuto = big.score(LabelModels.fit("auto", bfd));
            loss = String.format(Locale.ROOT, "%s: mv %.2f auto %.2f; on %d test rows mv %.2f auto %.2f",
                    s.description(), mv, auto, big.test().rows(), bigMv, bigAuto);
            populationLoss = bigAuto < bigMv - 1e-9;
        }
        return new Outcome(mv, auto, s.valid() != null, s.valid() != null && s.valid().rows() >= 500, loss,
                populationLoss);
    }

    @Test
    @DisplayName("the first 30 held-out sets written as WRENCH JSON (valid.json only when present) give the same mv and auto figures through WrenchDataset and WrenchEvaluation")
    void wrenchFormatPathGivesTheSameFigures(@TempDir Path dir) throws IOException {
        int withoutValid = 0;
        for (long seed = HELD_OUT_FROM; seed < HELD_OUT_FROM + 30; seed++) {
            GeneratedSets.Set s = GeneratedSets.generate(seed);
            Path set = Files.createDirectories(dir.resolve("set" + seed));
            StringBuilder labels = new StringBuilder("{");
            for (int c = 0; c < s.k(); c++) {
                labels.append(c == 0 ? "" : ", ").append('"').append(c).append("\": \"class").append(c).append('"');
            }
            Files.writeString(set.resolve("label.json"), labels.append('}'));
            write(set.resolve("train.json"), s.train(), s.trainGold());
            write(set.resolve("test.json"), s.test(), s.testGold());
            if (s.valid() != null) {
                write(set.resolve("valid.json"), s.valid(), s.validGold());
            } else {
                withoutValid++;
            }
            WrenchDataset read = WrenchDataset.read(set);
            FitData fd = s.fitData(seed);
            for (String model : List.of("mv", "auto")) {
                Scores viaFiles = WrenchEvaluation.evaluate(read, model, seed);
                double expected = s.score(LabelModels.fit(model, fd));
                double actual = s.metric() == Metric.F1_BINARY ? viaFiles.f1Binary() : viaFiles.accuracy();
                assertEquals(expected, actual, 1e-9, s.description() + " " + model);
            }
        }
        assertTrue(withoutValid > 0 && withoutValid < 30, withoutValid + " of 30 sets without valid.json");
    }

    /** Writes a split as WRENCH JSON: {@code {"i": {"label": y, "weak_labels": [...], "data": {}}}}. */
    private static void write(Path file, LabelMatrix votes, int[] gold) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("{");
            for (int i = 0; i < votes.rows(); i++) {
                w.write(i == 0 ? "\n" : ",\n");
                w.write("\"" + i + "\": {\"label\": " + gold[i] + ", \"weak_labels\": [");
                for (int j = 0; j < votes.lfs(); j++) {
                    w.write((j == 0 ? "" : ", ") + votes.get(i, j));
                }
                w.write("], \"data\": {}}");
            }
            w.write("\n}\n");
        }
    }
}
