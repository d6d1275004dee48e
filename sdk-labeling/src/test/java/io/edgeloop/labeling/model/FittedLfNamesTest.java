package io.edgeloop.labeling.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FittedLfNamesTest {
    private static final List<String> NAMES = List.of("light_on", "co2_high", "noise");

    /** 2,000 rows: light_on right 90 % of the time, co2_high a coin flip half the time, noise votes 1 now and then. */
    private static LabelMatrix train() {
        Random r = new Random(3);
        int n = 2000;
        int m = 3;
        byte[] v = new byte[n * m];
        for (int i = 0; i < n; i++) {
            int y = r.nextInt(2);
            v[i * m] = (byte) (r.nextDouble() < 0.9 ? y : 1 - y);
            v[i * m + 1] = (byte) (r.nextDouble() < 0.5 ? -1 : r.nextInt(2));
            v[i * m + 2] = (byte) (r.nextDouble() < 0.3 ? 1 : -1);
        }
        return LabelMatrix.of(n, m, 2, v, NAMES);
    }

    private static FitData data(LabelMatrix train) {
        return FitData.builder().train(train).sequence(train).classPrior(new double[] {0.5, 0.5}).seed(1).build();
    }

    @Test
    @DisplayName("every model refuses a matrix whose columns are the fitted LFs in another order, naming both lists")
    void refusesReorderedColumns() {
        LabelMatrix train = train();
        LabelMatrix swapped = LabelMatrix.of(1, 3, 2, new byte[] {1, -1, 0}, List.of("noise", "co2_high", "light_on"));
        LabelMatrix same = LabelMatrix.of(1, 3, 2, new byte[] {0, -1, 1}, NAMES);
        for (String name : LabelModels.NAMES) {
            LabelModel lm = LabelModels.fit(name, data(train));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lm.predictProba(swapped),
                    name);
            assertTrue(e.getMessage().contains("[light_on, co2_high, noise]")
                    && e.getMessage().contains("[noise, co2_high, light_on]")
                    && e.getMessage().contains("column 0 is 'noise', fitted on 'light_on'"), name + ": " + e.getMessage());
            assertEquals(1, lm.predictProba(same).length, name);
        }
    }

    @Test
    @DisplayName("a matrix with other LF names, more columns or another class count is refused")
    void refusesOtherLfsAndClasses() {
        LabelModel ds = LabelModels.fit("ds", data(train()));
        LabelMatrix renamed = LabelMatrix.of(1, 3, 2, new byte[] {0, -1, 1}, List.of("light_on", "co2_high", "noize"));
        assertThrows(IllegalArgumentException.class, () -> ds.predictProba(renamed));
        LabelMatrix wider = LabelMatrix.of(1, 4, 2, new byte[] {0, -1, 1, 1},
                List.of("light_on", "co2_high", "noise", "extra"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ds.predictProba(wider));
        assertTrue(e.getMessage().contains("4 columns, fitted on 3"), e.getMessage());
        LabelMatrix threeClasses = LabelMatrix.of(1, 3, 3, new byte[] {2, -1, 1}, NAMES);
        e = assertThrows(IllegalArgumentException.class, () -> ds.predictProba(threeClasses));
        assertTrue(e.getMessage().contains("2 classes, the matrix has 3"), e.getMessage());
    }

    @Test
    @DisplayName("renaming the columns with withNames lines a matrix up again and gives the same probabilities")
    void withNamesLinesUp() {
        LabelMatrix train = train();
        LabelModel snorkel = LabelModels.fit("snorkel", data(train));
        LabelMatrix other = LabelMatrix.of(1, 3, 2, new byte[] {0, -1, 1}, List.of("a", "b", "c"));
        assertThrows(IllegalArgumentException.class, () -> snorkel.predictProba(other));
        assertArrayEquals(snorkel.predictProba(LabelMatrix.of(1, 3, 2, new byte[] {0, -1, 1}, NAMES))[0],
                snorkel.predictProba(other.withNames(NAMES))[0]);
    }
}
