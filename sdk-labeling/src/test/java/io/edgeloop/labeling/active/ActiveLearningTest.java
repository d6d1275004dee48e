package io.edgeloop.labeling.active;

import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.api.label.Expert;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.model.FitData;
import io.edgeloop.labeling.model.LabelModel;
import io.edgeloop.labeling.model.LabelModels;
import io.edgeloop.labeling.train.FeatureTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
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

    @Test
    @DisplayName("identical top rows, more than the pool holds, give one pick; distinct lower rows fill the batch")
    void identicalRowsBeyondThePool() {
        int n = 80;
        double[][] rows = new double[n][];
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            // 60 identical rows score 1.0 (more than the pool of 5 x 10), 20 distinct rows just below.
            rows[i] = i < 60 ? new double[] {1, -1, 0} : new double[] {i, i % 3, -i};
            scores[i] = i < 60 ? 1.0 : 0.99;
        }
        FeatureTable t = new FeatureTable(List.of("a", "b", "c"), rows);
        List<Integer> batch = new BatchSelector(5).select(scores, t, Set.of(), 10);
        assertEquals(10, batch.size());
        assertEquals(0, (int) batch.get(0), "the best row first");
        assertEquals(1, batch.stream().filter(i -> i < 60).count(), batch.toString());
        assertEquals(10, batch.stream().map(i -> java.util.Arrays.toString(t.row(i))).distinct().count());

        // -0.0 and 0.0 are the same vector; with row 0 excluded another identical row stands in for it.
        rows[1] = new double[] {1, -1, -0.0};
        batch = new BatchSelector(1).select(scores, new FeatureTable(List.of("a", "b", "c"), rows), Set.of(0), 10);
        assertEquals(1, batch.stream().filter(i -> i < 60).count(), batch.toString());
    }

    @Test
    @DisplayName("with fewer distinct rows than the batch, every distinct row comes first, then repeats by score")
    void repeatsOnlyWhenDistinctRowsRunOut() {
        double[][] rows = new double[30][];
        double[] scores = new double[30];
        for (int i = 0; i < 30; i++) {
            rows[i] = new double[] {i % 3};
            scores[i] = 1.0 - i * 0.01;
        }
        List<Integer> batch = new BatchSelector(5).select(scores, new FeatureTable(List.of("a"), rows), Set.of(), 5);
        assertEquals(List.of(0, 1, 2, 3, 4), batch.stream().sorted().toList(), batch.toString());
        assertEquals(Set.of(0, 1, 2), new HashSet<>(batch.subList(0, 3)), "the three distinct rows first");
    }

    @Test
    @DisplayName("when every candidate repeats a vector chosen before, the batch repeats rather than comes back empty"
            + " (review s11: a queue run asked 70 of a 100-row budget)")
    void repeatsVectorsChosenBefore() {
        double[][] rows = new double[30][];
        double[] scores = new double[30];
        for (int i = 0; i < 30; i++) {
            rows[i] = new double[] {i % 3};
            scores[i] = 1.0 - i * 0.01;
        }
        FeatureTable t = new FeatureTable(List.of("a"), rows);
        List<Integer> batch = new BatchSelector(5).select(scores, t, Set.of(0, 1, 2), List.of(0, 1, 2), 4);
        assertEquals(List.of(3, 4, 5, 6), batch, "best scores first among the repeats");
        assertEquals(List.of(), new BatchSelector(5).select(scores, t, Set.of(), List.of(0, 1, 2), 0));
    }

    @Test
    @DisplayName("a huge batch or pool factor does not overflow: every candidate is picked once")
    void hugeBatchesDoNotOverflow() throws IOException {
        int n = 200;
        int[] gold = new int[n];
        int[][] votes = new int[n][4];
        double[][] feats = new double[n][2];
        pool(7, gold, votes, feats);
        FeatureTable t = new FeatureTable(List.of("x", "y"), feats);
        double[] scores = new double[n];
        for (int pf : new int[] {5, Integer.MAX_VALUE}) {
            List<Integer> batch = new BatchSelector(pf).select(scores, t, Set.of(3), Integer.MAX_VALUE);
            assertEquals(n - 1, batch.size());
            assertEquals(n - 1, new HashSet<>(batch).size());
        }
        SimulatedOracle oracle = new SimulatedOracle(gold);
        ActiveLearner.Result r = new ActiveLearner("ds", QueryStrategy.COMMITTEE, Integer.MAX_VALUE,
                Integer.MAX_VALUE, 1).run(LabelMatrix.ofRows(2, votes), t, oracle, Integer.MAX_VALUE);
        assertEquals(n, r.answers().size());
        assertEquals(n, oracle.asked());
    }

    @Test
    @DisplayName("disagreement: a vote for either class of a tied row counts the same, and a row no LF voted on has "
            + "no LF disagreement, so it ranks below a row whose LFs conflict")
    void disagreementIsSymmetricAndNeedsVotes() {
        QueryStrategy d = QueryStrategy.DISAGREEMENT;
        double[] tie = {0.5, 0.5};
        assertEquals(d.score(tie, new int[] {0, -1}, List.of()), d.score(tie, new int[] {-1, 1}, List.of()), 0.0);
        assertEquals(0.75, d.score(tie, new int[] {1, -1}, List.of()), 1e-12, "1/2 disagreement + 0.5 x 0.5");
        assertEquals(0.75, d.score(tie, new int[] {0, 1}, List.of()), 1e-12);
        double[] tie3 = {0.4, 0.4, 0.2};
        assertEquals(d.score(tie3, new int[] {0}, List.of()), d.score(tie3, new int[] {1}, List.of()), 0.0);
        assertTrue(d.score(tie3, new int[] {2}, List.of()) > d.score(tie3, new int[] {0}, List.of()),
                "a vote for neither tied class disagrees with both");

        assertEquals(0.25, d.score(tie, new int[] {-1, -1}, List.of()), 1e-12, "no votes: uncertainty only");
        double[] lean = {0.6, 0.4};
        assertTrue(d.score(lean, new int[] {0, 1}, List.of()) > d.score(tie, new int[] {-1, -1}, List.of()),
                "a conflict outranks a row nobody voted on, even a less certain one");
        assertEquals(0.2, d.score(lean, new int[] {0, 0}, List.of()), 1e-12, "agreement: uncertainty only");
    }

    @Test
    @DisplayName("the loop scores and asks with the model fitted on the caller's fit data (validation split, frame "
            + "sequence), so wmv and hmm work and every question shows that model's probabilities")
    void usesTheCallersFitData() throws IOException {
        int n = 400;
        int[] gold = new int[n];
        int[][] votes = new int[n][4];
        double[][] feats = new double[n][2];
        pool(11, gold, votes, feats);
        LabelMatrix train = LabelMatrix.ofRows(2, votes);
        LabelMatrix valid = train.slice(0, 50);
        int[] validGold = java.util.Arrays.copyOf(gold, 50);
        Function<Map<Integer, Integer>, FitData> fitData = a -> FitData.builder().train(train).sequence(train)
                .valid(valid, validGold).seed(1).answers(train, a).build();
        FeatureTable t = new FeatureTable(List.of("x", "y"), feats);
        for (String model : List.of("wmv", "hmm")) {
            ActiveLearner learner = new ActiveLearner(model, QueryStrategy.LEAST_CONFIDENCE, 5, 3, 1);
            assertThrows(IllegalArgumentException.class,
                    () -> learner.run(train, t, new SimulatedOracle(gold), 15), model + " on the plain matrix");

            // With batch 5 and an oracle that always answers, round r is queries 5r..5r+4, fitted on the answers
            // of the rounds before it.
            List<ExpertQuery> queries = new ArrayList<>();
            Map<Integer, Integer> given = new LinkedHashMap<>();
            Expert recording = new Expert() {
                @Override
                public String name() {
                    return "recording";
                }

                @Override
                public Optional<Integer> answer(ExpertQuery q) {
                    queries.add(q);
                    given.put(q.row(), gold[q.row()]);
                    return Optional.of(gold[q.row()]);
                }
            };
            ActiveLearner.Result r = learner.run(train, fitData, t, recording, 15, Map.of(), Set.of(), 15);
            assertEquals(15, queries.size());
            List<Integer> order = new ArrayList<>(given.keySet());
            for (int q = 0; q < queries.size(); q++) {
                Map<Integer, Integer> before = new LinkedHashMap<>();
                for (int i = 0; i < q / 5 * 5; i++) {
                    before.put(order.get(i), given.get(order.get(i)));
                }
                FitData data = fitData.apply(before);
                double[][] expected = LabelModels.labelTrainingRows(LabelModels.fit(model, data), train, data);
                assertArrayEquals(expected[queries.get(q).row()], queries.get(q).probabilities(), 0.0,
                        model + " question " + q);
            }
            LabelModel reported = LabelModels.fit(model, fitData.apply(given));
            assertEquals(reported.settings(), r.model().settings(), model);
            assertArrayEquals(LabelModels.labelTrainingRows(reported, train, fitData.apply(given)),
                    r.probabilities(), model);
        }
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
        assertTrue(out.toString().contains("class [empty, occupied] (empty to skip)"), out.toString());
        // names that are other classes' indices: read as names, and the prompt pairs index and name (review s11:
        // "1" silently recorded class 0 while the prompt listed only "[1, 0]")
        StringWriter out2 = new StringWriter();
        CliPromptExpert swapped = new CliPromptExpert(new BufferedReader(new StringReader("1\n")),
                new PrintWriter(out2), List.of("1", "0"), List.of("light"));
        assertEquals(Optional.of(0), swapped.answer(q));
        assertTrue(out2.toString().contains("class by name [0='1', 1='0'] (names are read before indices)"),
                out2.toString());
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
        // a row past the split, when the queue knows its rows (review s11: the error named neither file nor line)
        Files.writeString(dir.resolve("queries.jsonl"), "{\"version\":1,\"row\":3}\n{\"version\":1,\"row\":5}\n");
        IOException past = assertThrows(IOException.class,
                () -> new FileQueueExpert(dir, 2, w -> { }, List.of("a", "b", "c", "d", "e")));
        assertTrue(past.getMessage().contains("queries.jsonl: line 2 asks row 5")
                && past.getMessage().contains("5 rows (0 to 4)"), past.getMessage());
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
