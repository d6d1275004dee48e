package io.edgeloop.labeling.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * rev-s8-label item 5: {@code WeakLabelSet.build} applied answers one {@code withGold} copy at a time (10 s for 10,000
 * answers on 1M rows); {@link WeakLabels#withGold(Map)} applies them in one copy, with the same result.
 */
class WeakLabelsGoldTest {
    @Test
    @DisplayName("all answers in one copy give what one copy per answer gave, and bad answers are named")
    void batchedGoldEqualsOneByOne() {
        Random r = new Random(5);
        double[][] p = new double[500][];
        for (int i = 0; i < p.length; i++) {
            double a = r.nextDouble();
            p[i] = new double[] {a, 1 - a};
        }
        WeakLabels base = WeakLabels.fromProbabilities(p, null, 0);
        Map<Integer, Integer> answers = new java.util.HashMap<>();
        while (answers.size() < 50) {
            answers.put(r.nextInt(p.length), r.nextInt(2));
        }
        WeakLabels one = base;
        for (Map.Entry<Integer, Integer> a : answers.entrySet()) {
            one = one.withGold(a.getKey(), a.getValue());
        }
        WeakLabels all = base.withGold(answers);
        for (int i = 0; i < p.length; i++) {
            assertEquals(one.label(i), all.label(i));
            assertEquals(one.weight(i), all.weight(i));
            assertEquals(one.isGold(i), all.isGold(i));
        }
        assertEquals(50, all.goldCount());
        String m = assertThrows(IllegalArgumentException.class, () -> base.withGold(Map.of(3, 2))).getMessage();
        assertTrue(m.contains("gold label 2 for row 3"), m);
        m = assertThrows(IllegalArgumentException.class, () -> base.withGold(Map.of(500, 1))).getMessage();
        assertTrue(m.contains("gold row 500"), m);
    }
}
