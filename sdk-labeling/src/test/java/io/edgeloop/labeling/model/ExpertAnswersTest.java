package io.edgeloop.labeling.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Expert answers reach every label model: as labels of the answered rows, in fitting, and in the class prior. */
class ExpertAnswersTest {
    /** Answers about {@code count} random training rows, from the set's gold labels (a simulated expert). */
    private static Map<Integer, Integer> answers(GeneratedSets.Set s, int count, long seed) {
        Random r = new Random(seed);
        Map<Integer, Integer> a = new LinkedHashMap<>();
        while (a.size() < count) {
            int i = r.nextInt(s.train().rows());
            a.put(i, s.trainGold()[i]);
        }
        return a;
    }

    private static FitData withAnswers(GeneratedSets.Set s, Map<Integer, Integer> answers) {
        return FitData.builder().train(s.train()).answers(s.train(), answers).build();
    }

    @Test
    @DisplayName("every label model gives answered training rows their answer and leaves the other rows alone")
    void everyModelGivesAnsweredRowsTheirAnswer() {
        GeneratedSets.Set s = GeneratedSets.generate(1);
        Map<Integer, Integer> answers = answers(s, 50, 1);
        FitData data = withAnswers(s, answers);
        for (String name : List.of("mv", "wmv", "ds", "snorkel", "auto")) {
            LabelModel model = LabelModels.fit(name, data);
            double[][] plain = model.predictProba(s.train());
            double[][] labelled = LabelModels.labelTrainingRows(model, s.train(), data);
            for (int i = 0; i < plain.length; i++) {
                if (answers.containsKey(i)) {
                    double[] oneHot = new double[s.k()];
                    oneHot[answers.get(i)] = 1;
                    assertArrayEquals(oneHot, labelled[i], name + " row " + i);
                } else {
                    assertArrayEquals(plain[i], labelled[i], name + " row " + i);
                }
            }
        }
    }

    @Test
    @DisplayName("without a validation split the class prior comes from the answers, so wmv works; a validation split's prior wins")
    void answersGiveTheClassPriorWithoutValidation() {
        GeneratedSets.Set s = GeneratedSets.generate(1);
        Map<Integer, Integer> answers = answers(s, 60, 2);
        int[] labels = answers.keySet().stream().sorted().mapToInt(answers::get).toArray();
        double[] expected = FitData.wrenchPrior(labels, s.k());
        FitData data = withAnswers(s, answers);
        assertArrayEquals(expected, data.classPrior().orElseThrow(), 1e-12);
        assertEquals(Arrays.toString(expected), LabelModels.fit("wmv", data).settings().get("classWeights"));
        assertThrows(IllegalArgumentException.class, () -> LabelModels.fit("wmv", FitData.of(s.train())));

        FitData both = FitData.builder().train(s.train()).valid(s.valid(), s.validGold())
                .answers(s.train(), answers).build();
        assertArrayEquals(FitData.wrenchPrior(s.validGold(), s.k()), both.classPrior().orElseThrow(), 1e-12);
    }

    @Test
    @DisplayName("the Snorkel-style model learns from answers: 300 answers lift its test accuracy by more than 5 points")
    void snorkelLearnsFromAnswers() {
        // Design seed 1: 3 classes, 20 LFs, some below chance; unsupervised EM settles on poor accuracies.
        GeneratedSets.Set s = GeneratedSets.generate(1);
        double without = s.score(LabelModels.fit("snorkel", FitData.of(s.train())));
        SnorkelStyleModel with = (SnorkelStyleModel) LabelModels.fit("snorkel", withAnswers(s, answers(s, 300, 3)));
        assertTrue(s.score(with) > without + 5, "snorkel " + without + " -> " + s.score(with));
    }

    @Test
    @DisplayName("Dawid-Skene and the HMM through it learn from answers: 300 answers lift ds's test accuracy by more than 5 points")
    void dawidSkeneLearnsFromAnswers() {
        // Design seed 10: 3 classes, correlated LFs, where unsupervised Dawid-Skene falls to 47 %.
        GeneratedSets.Set s = GeneratedSets.generate(10);
        double without = s.score(LabelModels.fit("ds", FitData.of(s.train())));
        double with = s.score(LabelModels.fit("ds", withAnswers(s, answers(s, 300, 4))));
        assertTrue(with > without + 5, "ds " + without + " -> " + with);
    }

    @Test
    @DisplayName("auto does not choose on answers (training rows flatter learned models): without validation it stays majority vote")
    void autoDoesNotSelectOnAnswers() {
        // Design seed 34: 200 answers would let ds win by 11.5 points on the answered rows, while it is 23 points
        // below majority vote on test.
        GeneratedSets.Set s = GeneratedSets.generate(34);
        FitData data = FitData.builder().train(s.train()).answers(s.train(), answers(s, 200, 34)).build();
        AutoLabelModel auto = (AutoLabelModel) LabelModels.fit("auto", data);
        assertEquals("mv", auto.chosen().name());
        assertTrue(s.score(auto) >= s.score(LabelModels.fit("mv", data)));
    }

    @Test
    @DisplayName("when every training row is answered the models fit from the answers alone: ds marginals of 4 rows "
            + "all answered class 0 are exactly [1, 0]")
    void everyTrainingRowAnswered() {
        LabelMatrix train = LabelMatrix.ofRows(2, new int[][] {{0, -1}, {0, 1}, {1, 0}, {-1, -1}});
        FitData data = FitData.builder().train(train).sequence(train)
                .answers(train, Map.of(0, 0, 1, 0, 2, 0, 3, 0)).build();
        assertEquals(0, data.counts().total(), "no unlabelled rows are left");
        DawidSkene ds = DawidSkene.fit(data);
        assertArrayEquals(new double[] {1, 0}, ds.classMarginals(), 0.0);
        assertEquals(1, ds.iterations(), "nothing to iterate without unlabelled rows");
        for (String model : List.of("mv", "wmv", "ds", "snorkel", "hmm", "auto")) {
            LabelModel lm = LabelModels.fit(model, data);
            for (double[] p : lm.predictProba(train)) {
                assertTrue(Arrays.stream(p).allMatch(Double::isFinite), model + " " + Arrays.toString(p));
            }
            assertArrayEquals(new int[] {0, 0, 0, 0},
                    Predictions.fromProbabilities(LabelModels.labelTrainingRows(lm, train, data)), model);
        }
        IllegalArgumentException mc = assertThrows(IllegalArgumentException.class,
                () -> LabelModels.fit("snorkel-mc", data));
        assertTrue(mc.getMessage().contains("every training row is answered"), mc.getMessage());
    }

    @Test
    @DisplayName("no training rows: ds fits from gold rows alone; with no gold either, FitData is rejected clearly")
    void noTrainingRows() {
        LabelMatrix empty = LabelMatrix.of(0, 2, 2, new byte[0], LabelMatrix.defaultNames(2));
        LabelMatrix gold = LabelMatrix.ofRows(2, new int[][] {{0, 0}, {1, 1}, {1, -1}});
        DawidSkene ds = DawidSkene.fit(FitData.builder().train(empty).gold(gold, new int[] {0, 1, 1}).build());
        assertArrayEquals(new double[] {1.0 / 3, 2.0 / 3}, ds.classMarginals(), 1e-15);
        assertArrayEquals(new int[] {0, 1, 1}, ds.predict(gold));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FitData.of(empty));
        assertTrue(e.getMessage().contains("at least one training row or expert answer"), e.getMessage());
    }

    @Test
    @DisplayName("an empty answers map adds no answers")
    void emptyAnswersAreNone() {
        GeneratedSets.Set s = GeneratedSets.generate(1);
        FitData data = FitData.builder().train(s.train()).answers(s.train(), Map.of()).build();
        assertTrue(data.goldRows().isEmpty());
        assertTrue(data.answeredRows().isEmpty());
        assertEquals(s.train().rows(), data.counts().total());
    }

    @Test
    @DisplayName("answers about rows outside the training matrix or with unknown classes are rejected, naming the problem")
    void badAnswersAreRejected() {
        GeneratedSets.Set s = GeneratedSets.generate(1);
        IllegalArgumentException row = assertThrows(IllegalArgumentException.class,
                () -> FitData.builder().train(s.train()).answers(s.train(), Map.of(s.train().rows(), 0)));
        assertTrue(row.getMessage().contains("row " + s.train().rows()), row.getMessage());
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> FitData.builder().train(s.train()).answers(s.train(), Map.of(0, s.k())).build());
        assertTrue(label.getMessage().contains("gold label " + s.k()), label.getMessage());
    }

    @Test
    @DisplayName("answered training rows are observed once, with their answer: the fit equals one on the unanswered "
            + "rows plus the answered rows as separate gold rows (no row counted twice)")
    void answeredRowsAreNotCountedTwice() {
        GeneratedSets.Set s = GeneratedSets.generate(10);
        Map<Integer, Integer> a = answers(s, 200, 5);
        int[] rows = a.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        int[][] votes = new int[rows.length][s.train().lfs()];
        int[] labels = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            for (int j = 0; j < s.train().lfs(); j++) {
                votes[r][j] = s.train().get(rows[r], j);
            }
            labels[r] = a.get(rows[r]);
        }
        FitData separate = FitData.builder().train(s.train().without(rows))
                .gold(io.edgeloop.labeling.matrix.LabelMatrix.ofRows(s.train().numClasses(), votes), labels).build();
        assertEquals(s.train().rows() - rows.length, withAnswers(s, a).counts().total());
        for (String model : List.of("ds", "snorkel")) {
            double[][] viaAnswers = LabelModels.fit(model, withAnswers(s, a)).predictProba(s.test());
            double[][] viaGold = LabelModels.fit(model, separate).predictProba(s.test());
            for (int i = 0; i < viaAnswers.length; i++) {
                assertArrayEquals(viaGold[i], viaAnswers[i], 1e-12, model + " row " + i);
            }
        }
    }
}
