package io.edgeloop.labeling.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Which class prior the Snorkel models ({@code snorkel}, {@code snorkel-mc}) hold fixed: one set or from a validation
 * split, scaled to sum to 1; not one computed from expert answers. Both ask {@link FitData#fixedClassBalance()}.
 */
class FixedClassBalanceTest {
    private static Map<Integer, Integer> answers(GeneratedSets.Set s, int count) {
        Map<Integer, Integer> a = new LinkedHashMap<>();
        for (int i = 0; a.size() < count; i += 7) {
            a.put(i, s.trainGold()[i]);
        }
        return a;
    }

    /** The class balance {@code snorkel-mc} reports in its settings. */
    private static double[] classBalance(LabelModel snorkelMc) {
        String list = snorkelMc.settings().get("classBalance");
        return Arrays.stream(list.substring(1, list.length() - 1).split(", ")).mapToDouble(Double::parseDouble)
                .toArray();
    }

    @Test
    @DisplayName("a set or validation prior is held fixed, scaled to sum to 1; none, or one from expert answers, isn't")
    void onlyASetOrValidationPriorIsHeldFixed() {
        GeneratedSets.Set s = GeneratedSets.generate(1);
        double[] set = new double[s.k()];
        Arrays.fill(set, 1);
        set[0] = 1 + s.k();
        double[] scaled = set.clone();
        for (int c = 0; c < s.k(); c++) {
            scaled[c] = set[c] / (2 * s.k());
        }
        FitData withSet = FitData.builder().train(s.train()).classPrior(set).answers(s.train(), answers(s, 40))
                .build();
        assertArrayEquals(scaled, withSet.fixedClassBalance().orElseThrow());
        FitData withValid = FitData.builder().train(s.train()).valid(s.valid(), s.validGold()).build();
        double[] wrench = FitData.wrenchPrior(s.validGold(), s.k());
        double wrenchSum = (s.validGold().length + s.k()) / (double) s.validGold().length;
        double[] wrenchScaled = new double[s.k()];
        for (int c = 0; c < s.k(); c++) {
            wrenchScaled[c] = wrench[c] / wrenchSum;
        }
        assertArrayEquals(wrenchScaled, withValid.fixedClassBalance().orElseThrow(), 1e-12);
        FitData withAnswers = FitData.builder().train(s.train()).answers(s.train(), answers(s, 40)).build();
        assertTrue(withAnswers.classPrior().isPresent(), "the answers give a class prior (wmv uses it)");
        assertTrue(withAnswers.fixedClassBalance().isEmpty());
        assertTrue(FitData.of(s.train()).fixedClassBalance().isEmpty());

        assertEquals("true", LabelModels.fit("snorkel", withSet).settings().get("classPriorFixed"));
        assertEquals("true", LabelModels.fit("snorkel", withValid).settings().get("classPriorFixed"));
        assertEquals("false", LabelModels.fit("snorkel", withAnswers).settings().get("classPriorFixed"));
        assertArrayEquals(scaled, classBalance(LabelModels.fit("snorkel-mc", withSet)), 1e-12);
        double[] uniform = new double[s.k()];
        Arrays.fill(uniform, 1.0 / s.k());
        assertArrayEquals(uniform, classBalance(LabelModels.fit("snorkel-mc", withAnswers)), 1e-12);
    }
}
