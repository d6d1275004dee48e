package io.edgeloop.labeling.active;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.train.FeatureTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rev-s8-label items 3, 4 and 7: the README's active-learning call with a queue expert wrote the whole pool to
 * {@code queries.jsonl} (budget 16: 1,628 of 1,628 rows), and within one queue run later batches repeated earlier
 * batches' vote patterns (50 questions, 40-46 distinct patterns of 459); an out-of-range answer from a custom
 * expert failed the next fit naming neither row nor expert, and the round's answers were lost.
 */
class QueueRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** 1,500 rows, 3 classes, 8 LFs with coverage 0.3 and accuracy 0.7; features are the votes, as for WRENCH. */
    private static LabelMatrix matrix(double[][] features) {
        Random r = new Random(8);
        int[][] votes = new int[features.length][8];
        for (int i = 0; i < votes.length; i++) {
            int y = r.nextInt(3);
            features[i] = new double[8];
            for (int j = 0; j < 8; j++) {
                votes[i][j] = r.nextDouble() < 0.3 ? (r.nextDouble() < 0.7 ? y : r.nextInt(3)) : -1;
                features[i][j] = votes[i][j];
            }
        }
        return LabelMatrix.ofRows(3, votes);
    }

    private static List<String> names() {
        return List.of("lf0", "lf1", "lf2", "lf3", "lf4", "lf5", "lf6", "lf7");
    }

    @Test
    @DisplayName("the README's four-argument run asks a queue expert at most the budget")
    void readmeFormCapsQuestionsAtTheBudget(@TempDir Path dir) throws IOException {
        double[][] f = new double[1500][];
        LabelMatrix m = matrix(f);
        try (FileQueueExpert expert = new FileQueueExpert(dir, 3)) {
            ActiveLearner.Result al = new ActiveLearner("auto", QueryStrategy.LEAST_CONFIDENCE, 10, 5, 1)
                    .run(m, new FeatureTable(names(), f), expert, 16);
            assertEquals(16, al.asked());
            assertEquals(0, al.answers().size());
        }
        assertEquals(16, Files.readAllLines(dir.resolve("queries.jsonl")).size());
    }

    @Test
    @DisplayName("one queue run never repeats a vote pattern across its batches while new patterns remain")
    void queueBatchesDoNotRepeatPatterns(@TempDir Path dir) throws IOException {
        double[][] f = new double[1500][];
        LabelMatrix m = matrix(f);
        Set<String> all = new HashSet<>();
        for (double[] row : f) {
            all.add(java.util.Arrays.toString(row));
        }
        assertTrue(all.size() > 200, all.size() + " distinct patterns");
        for (QueryStrategy s : QueryStrategy.values()) {
            Path q = dir.resolve(s.name());
            try (FileQueueExpert expert = new FileQueueExpert(q, 3)) {
                new ActiveLearner("ds", s, 10, 5, 1).run(m, new FeatureTable(names(), f), expert, 50, Map.of(),
                        Set.of(), 50);
            }
            Set<String> patterns = new HashSet<>();
            List<String> lines = Files.readAllLines(q.resolve("queries.jsonl"));
            for (String line : lines) {
                JsonNode n = JSON.readTree(line);
                patterns.add(n.get("votes").toString());
            }
            assertEquals(50, lines.size(), s.name());
            assertEquals(50, patterns.size(), s + ": " + patterns.size() + " distinct vote patterns in 50 questions");
        }
    }

    @Test
    @DisplayName("an out-of-range answer is refused where it enters, naming expert, row and value, keeping the others")
    void outOfRangeAnswerNamesExpertRowAndValue() {
        double[][] f = new double[1500][];
        LabelMatrix m = matrix(f);
        for (int bad : new int[] {7, 3, -1}) {
            int[] calls = new int[1];
            io.edgeloop.api.label.Expert expert = new io.edgeloop.api.label.Expert() {
                @Override
                public String name() {
                    return "custom";
                }

                @Override
                public java.util.Optional<Integer> answer(io.edgeloop.api.label.ExpertQuery q) {
                    // two good answers (class 0), then a bad one, within the first batch
                    return java.util.Optional.of(++calls[0] <= 2 ? 0 : bad);
                }
            };
            ExpertAnswerException e = org.junit.jupiter.api.Assertions.assertThrows(ExpertAnswerException.class,
                    () -> new ActiveLearner("ds", QueryStrategy.MARGIN, 5, 5, 1).run(m, new FeatureTable(names(), f),
                            expert, 10, Map.of(4, 1), Set.of(), 10));
            assertTrue(e.getMessage().startsWith("expert 'custom' answered class " + bad + " for row " + e.row()
                    + "; classes are [0, 3)"), e.getMessage());
            assertEquals(bad, e.value());
            assertEquals(3, e.answersSoFar().size(), "the known answer and the two good ones: " + e.answersSoFar());
            assertEquals(1, e.answersSoFar().get(4));
        }
    }
}
