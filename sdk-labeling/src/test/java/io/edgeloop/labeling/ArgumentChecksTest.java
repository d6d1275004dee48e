package io.edgeloop.labeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.labeling.active.SimulatedOracle;
import io.edgeloop.labeling.model.Scores;
import io.edgeloop.labeling.train.EndModelKind;
import io.edgeloop.labeling.train.EndModelTrainer;
import io.edgeloop.labeling.train.FeatureTable;
import io.edgeloop.labeling.train.WeakLabels;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Public entry points refuse inconsistent arguments with an IllegalArgumentException that says what is wrong,
 * where they threw IndexOutOfBounds or ArrayIndexOutOfBounds exceptions from deep inside.
 */
@DisplayName("Argument checks of the public API")
class ArgumentChecksTest {
    @Test
    @DisplayName("EndModelTrainer with fewer class names than the labels' classes")
    void endModelTrainerNeedsANamePerClass() {
        WeakLabels labels = WeakLabels.fromProbabilities(new double[][] {{0.9, 0.1}, {0.1, 0.9}, {0.8, 0.2}},
                null, 0.0);
        FeatureTable table = new FeatureTable(List.of("f"), new double[][] {{1}, {2}, {3}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                new EndModelTrainer(EndModelKind.LOGISTIC, List.of("empty"), 0, Map.of()).train(table, labels));
        assertEquals("the labels have 2 classes but the EndModelTrainer was given 1 class name(s) [empty]; give one "
                + "name per class, in class index order", e.getMessage());
    }

    @Test
    @DisplayName("Scores.of with a gold label or prediction outside the classes; -1 stays unknown / no label")
    void scoresNeedsLabelsWithinTheClasses() {
        assertEquals("gold label of row 1 is 2; expected -1 (unknown) or a class in [0, 2)",
                assertThrows(IllegalArgumentException.class,
                        () -> Scores.of(new int[] {0, 1}, new int[] {0, 2}, 2)).getMessage());
        assertEquals("prediction of row 0 is 5; expected -1 (no label) or a class in [0, 2)",
                assertThrows(IllegalArgumentException.class,
                        () -> Scores.of(new int[] {5, 1}, new int[] {0, 1}, 2)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Scores.of(new int[0], new int[0], 0));
        assertEquals(50.0, Scores.of(new int[] {-1, 1}, new int[] {0, 1}, 2).accuracy(), 1e-12);
    }

    @Test
    @DisplayName("SimulatedOracle asked about a row beyond its gold array")
    void oracleNeedsGoldForEveryRow() {
        SimulatedOracle oracle = new SimulatedOracle(new int[] {1, -1});
        ExpertQuery beyond = new ExpertQuery(2, new double[] {0.5, 0.5}, new int[] {0}, new double[0]);
        assertEquals("the oracle was asked about row 2 but holds gold labels for 2 rows; give it one per matrix row "
                + "(-1 where unknown)", assertThrows(IllegalArgumentException.class,
                        () -> oracle.answer(beyond)).getMessage());
        assertEquals(Optional.of(1), oracle.answer(new ExpertQuery(0, new double[] {0.5, 0.5}, new int[] {1},
                new double[0])));
        assertEquals(1, oracle.asked(), "the refused question is not counted");
    }
}
