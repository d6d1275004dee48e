package io.edgeloop.labeling.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.active.ActiveLearner;
import io.edgeloop.labeling.active.QueryStrategy;
import io.edgeloop.labeling.active.SimulatedOracle;
import io.edgeloop.labeling.lf.LfApplier;
import io.edgeloop.labeling.lf.LfRun;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.matrix.LfAnalysis;
import io.edgeloop.labeling.model.Scores;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The occupancy figure: engineer-written LFs plus an expert budget of 1 % of windows give an end model
 * within 2 points of the same model trained on every gold label, on both UCI test files.
 */
class OccupancyWeakSupervisionTest {
    private static Occupancy.Data train;
    private static Occupancy.Data test1;
    private static Occupancy.Data test2;

    @BeforeAll
    static void read() throws Exception {
        train = Occupancy.read("datatraining.txt");
        test1 = Occupancy.read("datatest.txt");
        test2 = Occupancy.read("datatest2.txt");
    }

    private static double accuracy(EndModel m, Occupancy.Data d) {
        return Scores.of(m.predict(FeatureTable.of(d.windows(), Occupancy.FEATURES)), d.gold(), 2).accuracy();
    }

    @Test
    @DisplayName("weak labels + 1% expert budget train an end model within 2 points of the all-gold model")
    void weakSupervisionMatchesGold() throws Exception {
        LfRun run = new LfApplier(Occupancy.lfs()).apply(train.windows());
        assertEquals(0, run.totalErrors());
        LabelMatrix matrix = run.matrix();
        FeatureTable features = FeatureTable.of(train.windows(), Occupancy.FEATURES);
        int budget = train.windows().size() / 100;
        SimulatedOracle oracle = new SimulatedOracle(train.gold());
        ActiveLearner learner = new ActiveLearner("ds", QueryStrategy.DISAGREEMENT, 10, 5, 42);
        ActiveLearner.Result result = learner.run(matrix, features, oracle, budget);
        assertEquals(budget, result.answers().size());
        assertTrue(oracle.asked() <= budget);

        WeakLabels weak = WeakLabels.fromProbabilities(result.probabilities(), null, 0.0);
        for (Map.Entry<Integer, Integer> a : result.answers().entrySet()) {
            weak = weak.withGold(a.getKey(), a.getValue());
        }
        int[] weakHard = new int[weak.size()];
        for (int i = 0; i < weakHard.length; i++) {
            weakHard[i] = weak.label(i);
        }
        double labelAccuracy = Scores.of(weakHard, train.gold(), 2).accuracy();

        List<String> classes = List.of("empty", "occupied");
        Map<String, String> upstream = Map.of("labelModel", result.model().name(),
                "lfs", String.join(",", matrix.lfNames()), "expertAnswers", Integer.toString(budget));
        io.edgeloop.api.provenance.Provenance labelsProvenance = LabelProvenance.capture(Occupancy.lfs(), matrix,
                result.model(), result.answers(), 42);
        EndModel weakModel = new EndModelTrainer(EndModelKind.LOGISTIC, classes, 1, upstream, labelsProvenance)
                .train(features, weak);
        EndModelTrainer trainer = new EndModelTrainer(EndModelKind.LOGISTIC, classes, 1, Map.of());
        WeakLabels gold = WeakLabels.fromProbabilities(new double[weak.size()][2], new boolean[weak.size()], 0);
        for (int i = 0; i < weak.size(); i++) {
            gold = gold.withGold(i, train.gold()[i]);
        }
        EndModel goldModel = trainer.train(features, gold);

        double w1 = accuracy(weakModel, test1);
        double g1 = accuracy(goldModel, test1);
        double w2 = accuracy(weakModel, test2);
        double g2 = accuracy(goldModel, test2);
        System.out.printf(Locale.ROOT, "occupancy: %d windows, %d expert answers, label accuracy %.2f%%;"
                + " datatest weak %.2f / gold %.2f; datatest2 weak %.2f / gold %.2f%n",
                weak.size(), budget, labelAccuracy, w1, g1, w2, g2);
        LfAnalysis.of(matrix, train.gold()).forEach(s -> System.out.printf(Locale.ROOT,
                "  %-22s coverage %5.1f%% accuracy %5.1f%%%n", s.name(), 100 * s.coverage(),
                100 * s.empiricalAccuracy()));
        assertTrue(Math.abs(w1 - g1) <= 2.0, "datatest: weak " + w1 + " vs gold " + g1);
        assertTrue(Math.abs(w2 - g2) <= 2.0, "datatest2: weak " + w2 + " vs gold " + g2);
        EndModelTrainer cart = new EndModelTrainer(EndModelKind.CART, classes, 1, Map.of());
        EndModel weakTree = cart.train(features, weak);
        EndModel goldTree = cart.train(features, gold);
        double tw1 = accuracy(weakTree, test1);
        double tg1 = accuracy(goldTree, test1);
        double tw2 = accuracy(weakTree, test2);
        double tg2 = accuracy(goldTree, test2);
        System.out.printf(Locale.ROOT, "occupancy CART: datatest weak %.2f / gold %.2f; datatest2 weak %.2f / gold %.2f%n",
                tw1, tg1, tw2, tg2);
        // Measured: the gold-trained depth-8 tree generalises worse to datatest than the weak-label tree (85.5 vs
        // 97.5), so for CART the check is one-sided: weak labels cost at most 2 points.
        assertTrue(tw1 >= tg1 - 2.0, "CART datatest: weak " + tw1 + " vs gold " + tg1);
        assertTrue(tw2 >= tg2 - 2.0, "CART datatest2: weak " + tw2 + " vs gold " + tg2);
        assertEquals("end-model", weakModel.provenance().kind());
        assertEquals(Integer.toString(budget), weakModel.provenance().settings().get("expertAnswers"));
        assertEquals(String.valueOf(budget), weakModel.provenance().settings().get("goldRows"));
        io.edgeloop.api.provenance.Provenance parent = weakModel.provenance().parents().get(0);
        assertEquals("weak-labels", parent.kind());
        assertEquals(Integer.toString(budget), parent.settings().get("expertAnswers"));
        assertEquals("ds", parent.settings().get("labelModel"));
        assertTrue(parent.settings().get("lf.light_on").contains("sha256="));
        assertEquals("label-matrix", parent.inputs().get(0).name());
    }
}
