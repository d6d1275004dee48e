package io.edgeloop.labeling.active;

import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.api.label.Expert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.train.FeatureTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActiveLearningTest {
    @Test
    @DisplayName("strategies rank an uncertain row above a confident one")
    void strategies() {
        double[] sure = {0.95, 0.05};
        double[] unsure = {0.55, 0.45};
        for (QueryStrategy s : QueryStrategy.values()) {
            double a = s.score(unsure, new int[] {0, 1}, List.of(new double[] {0.4, 0.6}, unsure));
            double b = s.score(sure, new int[] {0, 0}, List.of(sure, sure));
            assertTrue(a > b, s.name());
        }
    }

    @Test
    @DisplayName("batches are diverse: 5 near-duplicates with top scores yield one pick, not five")
    void diverseBatches() {
        double[][] rows = new double[20][];
        double[] scores = new double[20];
        for (int i = 0; i < 20; i++) {
            rows[i] = i < 5 ? new double[] {0, 0.001 * i} : new double[] {i, -i};
            scores[i] = i < 5 ? 1.0 : 0.8;
        }
        FeatureTable t = new FeatureTable(List.of("a", "b"), rows);
        List<Integer> batch = new BatchSelector(4).select(scores, t, Set.of(), 5);
        assertEquals(5, batch.size());
        assertEquals(0, (int) batch.get(0));
        assertEquals(1, batch.stream().filter(i -> i < 5).count(), batch.toString());
    }

    /** Fills a random pool: 4 LFs voting with accuracy 0.7 on half the rows, features that carry the class. */
    private static void pool(long seed, int[] gold, int[][] votes, double[][] feats) {
        Random r = new Random(seed);
        for (int i = 0; i < gold.length; i++) {
            gold[i] = r.nextInt(2);
            for (int j = 0; j < 4; j++) {
                votes[i][j] = r.nextDouble() < 0.5 ? (r.nextDouble() < 0.7 ? gold[i] : 1 - gold[i]) : -1;
            }
            feats[i] = new double[] {gold[i] + r.nextGaussian(), r.nextGaussian()};
        }
    }

    @Test
    @DisplayName("the loop spends exactly the budget, never asks a row twice, and answers become one-hot gold")
    void loopSpendsBudget() throws IOException {
        int n = 600;
        int[] gold = new int[n];
        int[][] votes = new int[n][4];
        double[][] feats = new double[n][2];
        pool(3, gold, votes, feats);
        Set<Integer> seen = new HashSet<>();
        Expert oracle = new Expert() {
            final SimulatedOracle inner = new SimulatedOracle(gold);

            @Override
            public String name() {
                return "checking";
            }

            @Override
            public Optional<Integer> answer(ExpertQuery q) {
                assertTrue(seen.add(q.row()), "asked twice: " + q.row());
                return inner.answer(q);
            }
        };
        for (QueryStrategy s : QueryStrategy.values()) {
            seen.clear();
            ActiveLearner.Result res = new ActiveLearner("ds", s, 7, 3, 1).run(LabelMatrix.ofRows(2, votes),
                    new FeatureTable(List.of("x", "y"), feats), oracle, 30);
            assertEquals(30, res.answers().size());
            res.answers().forEach((row, label) -> assertEquals(1.0, res.probabilities()[row][label]));
        }
    }

    @Test
    @DisplayName("the file queue writes versioned questions once and reads answers; bad answers name the line")
    void fileQueue(@TempDir Path dir) throws IOException {
        ExpertQuery q = new ExpertQuery(12, new double[] {0.5, 0.5}, new int[] {1, -1}, new double[] {3.5});
        try (FileQueueExpert e = new FileQueueExpert(dir, 2)) {
            assertTrue(e.answer(q).isEmpty());
            assertTrue(e.answer(q).isEmpty());
            List<String> queries = Files.readAllLines(dir.resolve("queries.jsonl"));
            assertEquals(1, queries.size());
            assertTrue(queries.get(0).contains("\"version\":1") && queries.get(0).contains("\"row\":12"));
            Files.writeString(dir.resolve("answers.jsonl"), "{\"row\": 12, \"label\": 1}\n");
            assertEquals(Optional.of(1), e.answer(q));
        }
        try (FileQueueExpert e = new FileQueueExpert(dir, 2)) {
            assertEquals(1, e.answers().size(), "reopened queue keeps its state");
            Files.writeString(dir.resolve("answers.jsonl"),
                    "{\"row\": 12, \"label\": 1}\n{\"row\": 3, \"label\": 9}\n");
            IOException ex = assertThrows(IOException.class, () -> e.answer(q));
            assertTrue(ex.getMessage().contains("line 2"), ex.getMessage());
        }
    }

    @Test
    @DisplayName("the CLI prompt accepts names or indices, re-asks on typos and skips on empty input")
    void cliPrompt() throws IOException {
        StringWriter out = new StringWriter();
        CliPromptExpert e = new CliPromptExpert(new BufferedReader(new StringReader("occupied\nfoo\n0\n\n")),
                new PrintWriter(out), List.of("empty", "occupied"), List.of("light"));
        ExpertQuery q = new ExpertQuery(1, new double[] {0.5, 0.5}, new int[] {1}, new double[] {420});
        assertEquals(Optional.of(1), e.answer(q));
        assertEquals(Optional.of(0), e.answer(q));
        assertEquals(Optional.empty(), e.answer(q));
        assertEquals(Optional.empty(), e.answer(q), "end of input skips");
        assertTrue(out.toString().contains("'foo' is not one of"));
        assertTrue(out.toString().contains("light"));
    }

    @Test
    @DisplayName("resuming: known answers count against the budget, asked rows are not asked again, and the "
            + "question cap holds when the expert answers nothing (a queue nobody has worked yet)")
    void resumes() throws IOException {
        int n = 600;
        int[] gold = new int[n];
        int[][] votes = new int[n][4];
        double[][] feats = new double[n][2];
        pool(5, gold, votes, feats);
        LabelMatrix m = LabelMatrix.ofRows(2, votes);
        FeatureTable t = new FeatureTable(List.of("x", "y"), feats);
        List<Integer> asked = new java.util.ArrayList<>();
        Expert silent = new Expert() {
            @Override
            public String name() {
                return "silent";
            }

            @Override
            public Optional<Integer> answer(ExpertQuery q) {
                asked.add(q.row());
                return Optional.empty();
            }
        };
        ActiveLearner learner = new ActiveLearner("mv", QueryStrategy.LEAST_CONFIDENCE, 4, 3, 1);
        ActiveLearner.Result res = learner.run(m, t, silent, 50, java.util.Map.of(7, gold[7], 9, gold[9]),
                Set.of(11, 12), 10);
        assertEquals(10, res.asked(), "the cap, not the whole pool");
        assertEquals(10, asked.size());
        assertEquals(2, res.answers().size(), "known answers are kept");
        assertTrue(asked.stream().noneMatch(x -> x == 7 || x == 9 || x == 11 || x == 12), asked.toString());
        assertEquals(1.0, res.probabilities()[7][gold[7]]);

        asked.clear();
        SimulatedOracle oracle = new SimulatedOracle(gold);
        res = learner.run(m, t, oracle, 12, java.util.Map.of(7, gold[7], 9, gold[9]), Set.of(), 100);
        assertEquals(12, res.answers().size(), "10 new answers on top of the 2 known");
        assertEquals(10, oracle.asked());

        assertThrows(IllegalArgumentException.class,
                () -> learner.run(m, t, oracle, 5, java.util.Map.of(n, 0), Set.of(), 5), "row out of range");
        assertThrows(IllegalArgumentException.class,
                () -> learner.run(m, t, oracle, 5, java.util.Map.of(0, 2), Set.of(), 5), "class out of range");
    }

    @Test
    @DisplayName("the file queue names file and line for a broken, versionless or foreign-version question line")
    void fileQueueRejectsBadQuestionLines(@TempDir Path dir) throws IOException {
        for (String bad : List.of("{\"version\":1,\"row\":", "{\"row\":4}", "{\"version\":2,\"row\":4}",
                "{\"version\":1,\"row\":-1}", "[1]")) {
            Files.writeString(dir.resolve("queries.jsonl"), "{\"version\":1,\"row\":3}\n" + bad + "\n");
            IOException e = assertThrows(IOException.class, () -> new FileQueueExpert(dir, 2), bad);
            assertTrue(e.getMessage().contains("queries.jsonl") && e.getMessage().contains("line 2"),
                    bad + " -> " + e.getMessage());
        }
        Files.writeString(dir.resolve("queries.jsonl"), "{\"version\":1,\"row\":3}\n");
        Files.writeString(dir.resolve("answers.jsonl"), "{\"row\":3,\"label\":1}\n{\"row\":3,\"label\":null}\n");
        try (FileQueueExpert e = new FileQueueExpert(dir, 2)) {
            assertEquals(Set.of(3), e.skipped(), "a later null replaces the answer");
            assertTrue(e.answers().isEmpty());
        }
        IOException ex = assertThrows(IOException.class,
                () -> FileQueueExpert.readAnswers(dir.resolve("answers.jsonl"), 2, 3));
        assertTrue(ex.getMessage().contains("line 1") && ex.getMessage().contains("[0, 3)"), ex.getMessage());
    }
}
