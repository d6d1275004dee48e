package io.edgeloop.labeling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The hidden Markov model over frames: classes no LF votes for, and the shape of the matrices it scores. */
class TemporalModelTest {
    /**
     * 400 ordered frames in runs of 40 alternating between class 0 and 1 of 3 classes; LF 0 always votes (right
     * 80 % of the time), LFs 1 and 2 vote half of the time (right 75 %); no LF ever votes class 2.
     */
    private static int[][] frames(int[] gold) {
        Random r = new Random(11);
        int[][] votes = new int[gold.length][3];
        for (int t = 0; t < gold.length; t++) {
            gold[t] = (t / 40) % 2;
            votes[t][0] = r.nextDouble() < 0.8 ? gold[t] : 1 - gold[t];
            for (int j = 1; j < 3; j++) {
                votes[t][j] = r.nextBoolean() ? -1 : r.nextDouble() < 0.75 ? gold[t] : 1 - gold[t];
            }
        }
        return votes;
    }

    @Test
    @DisplayName("a class no LF ever votes for gets a zero marginal and is never predicted by hmm")
    void classWithoutVotesIsNeverPredicted() {
        int[] gold = new int[400];
        LabelMatrix m = LabelMatrix.ofRows(3, frames(gold));
        FitData data = FitData.builder().train(m).sequence(m).build();
        DawidSkene ds = DawidSkene.fit(data);
        assertEquals(0.0, ds.classMarginals()[2]);
        TemporalModel hmm = TemporalModel.fit(data);
        int[] predicted = hmm.predict(m);
        int correct = 0;
        for (int t = 0; t < predicted.length; t++) {
            assertTrue(predicted[t] != 2, "frame " + t + " predicted as class 2, which no LF votes for");
            correct += predicted[t] == gold[t] ? 1 : 0;
        }
        assertTrue(correct > 0.8 * gold.length, correct + " of " + gold.length);
        for (double[] p : hmm.predictProba(m)) {
            assertEquals(0.0, p[2]);
        }
    }

    @Test
    @DisplayName("hmm and the row models reject a matrix over other LFs or classes than they were fitted on")
    void shapesAreChecked() {
        int[] gold = new int[400];
        LabelMatrix m = LabelMatrix.ofRows(3, frames(gold));
        FitData data = FitData.builder().train(m).sequence(m).build();
        LabelMatrix moreLfs = LabelMatrix.ofRows(3, new int[][] {{0, 1, -1, 0}, {1, 1, 1, 1}});
        LabelMatrix oneLf = LabelMatrix.ofRows(3, new int[][] {{0}, {1}});
        LabelMatrix twoClasses = LabelMatrix.ofRows(2, new int[][] {{0, 1, -1}, {1, 1, 1}});
        for (String name : new String[] {"hmm", "ds", "mv", "snorkel"}) {
            LabelModel model = LabelModels.fit(name, data);
            for (LabelMatrix bad : new LabelMatrix[] {moreLfs, oneLf, twoClasses}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> model.predictProba(bad), name + " on " + bad);
                assertTrue(e.getMessage().contains(bad == twoClasses ? "fitted on 3 classes, the matrix has 2"
                        : "fitted on labelling functions [lf0, lf1, lf2]"), e.getMessage());
            }
        }
    }
}
