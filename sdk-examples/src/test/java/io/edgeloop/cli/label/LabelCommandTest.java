package io.edgeloop.cli.label;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.cli.Fifo;
import io.edgeloop.cli.InProcessCli.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelCommandTest {
    static Path wrench(String name) {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            for (String rel : new String[] {"../shared/datasets/wrench", "../../shared/datasets/wrench"}) {
                Path c = q.resolve(rel).resolve(name).normalize();
                if (Files.isDirectory(c) && Files.exists(q.resolve("sdk-labeling"))) {
                    return c;
                }
            }
        }
        throw new IllegalStateException("shared/datasets/wrench not found beside the repository");
    }

    @Test
    @DisplayName("label fit --json prints exactly the WRENCH figures for mv on YouTube, and the test rows scored")
    void fitPrintsJson() {
        Result r = run("label", "fit", "--wrench", wrench("youtube").toString(), "--model", "mv", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals("{\"model\": \"mv\", \"test\": {\"accuracy\": 84.00, \"f1_binary\": 80.77, \"f1_macro\": 83.54, "
                + "\"rows\": 250}}",
                r.out().strip());
    }

    @Test
    @DisplayName("label fit refuses hmm without frames and wmv without valid.json in the words of the files, not "
            + "of the Java API (FitData)")
    void fitRefusalsSpeakOfTheFiles() {
        Result r = run("label", "fit", "--wrench", wrench("youtube").toString(), "--model", "hmm");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("hmm needs train.json's rows as a frame sequence (every row's data.frame a "
                + "distinct integer)") && !r.err().contains("FitData"), r.err());
        r = run("label", "fit", "--wrench", wrench("tennis").toString(), "--model", "wmv");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("valid.json") && !r.err().contains("FitData"), r.err());
    }

    @Test
    @DisplayName("label fit reproduces SMS binary F1 for wmv and omits nothing for two classes")
    void fitSms() {
        Result r = run("label", "fit", "--wrench", wrench("sms").toString(), "--model", "wmv", "--json",
                "--seed", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"f1_binary\": 23.97"), r.out());
    }

    @Test
    @DisplayName("label fit says test.json (or valid.json) is a directory, not that it is missing")
    void fitNamesADirectoryWhereAFileBelongs(@TempDir Path tmp) throws IOException {
        Path src = wrench("youtube");
        for (String split : new String[] {"test.json", "valid.json"}) {
            Path set = Files.createDirectories(tmp.resolve(split + "-dir"));
            for (String f : new String[] {"label.json", "train.json", "test.json"}) {
                if (!f.equals(split)) {
                    Files.copy(src.resolve(f), set.resolve(f));
                }
            }
            Files.createDirectory(set.resolve(split));
            Result r = run("label", "fit", "--wrench", set.toString(), "--model", "mv");
            assertEquals(1, r.code(), r.err());
            assertEquals("edgeloop: " + set.resolve(split) + " is a directory; a WRENCH directory needs the files "
                    + "train.json, test.json and label.json (valid.json is optional)", r.err().strip());
        }
    }

    @Test
    @DisplayName("label fit fails with one clear line for a missing directory or an unknown model")
    void fitErrors(@TempDir Path tmp) throws IOException {
        Result r = run("label", "fit", "--wrench", tmp.resolve("none").toString(), "--model", "mv", "--json");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("edgeloop: ") && r.err().contains("does not exist"), r.err());
        r = run("label", "fit", "--wrench", wrench("youtube").toString(), "--model", "magic");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("available"), r.err());
        Files.writeString(tmp.resolve("label.json"), "{\"0\": \"a\", \"1\": \"b\"}");
        Files.writeString(tmp.resolve("train.json"), "{ not json");
        Files.writeString(tmp.resolve("test.json"), "{}");
        r = run("label", "fit", "--wrench", tmp.toString(), "--model", "mv");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("train.json") && r.err().contains("malformed JSON"), r.err());
        // rev-s8-label item 8: a truncated file gave the trimmed reason, then Jackson's whole message again,
        // "[Source: REDACTED ...]" included.
        Files.writeString(tmp.resolve("train.json"), "{\"a\": {\"label\": 1, \"weak_labels\": [0, 1], \"data\": {");
        r = run("label", "fit", "--wrench", tmp.toString(), "--model", "mv");
        assertEquals(1, r.code());
        assertTrue(r.err().trim().matches("edgeloop: .*train.json: malformed JSON at line 1, column \\d+: "
                + "Unexpected end-of-input"), r.err());
    }

    /** Copies a WRENCH set, setting the gold label of the first {@code unknown} rows of one split to null. */
    private static Path copyWithUnknownLabels(Path to, String set, String split, int unknown) throws IOException {
        Path src = wrench(set);
        try (var files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName().toString()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode rows = (ObjectNode) json.readTree(src.resolve(split + ".json").toFile());
        java.util.Iterator<JsonNode> it = rows.elements();
        for (int i = 0; i < unknown && it.hasNext(); i++) {
            ((ObjectNode) it.next()).putNull("label");
        }
        Files.writeString(to.resolve(split + ".json"), json.writeValueAsString(rows));
        return to;
    }

    @Test
    @DisplayName("label fit --json prints null, not NaN, for figures undefined because no test row has gold, 0 rows "
            + "scored, and a warning on stderr saying why (exit code 0: the fit succeeded)")
    void fitWithoutTestGoldPrintsNull(@TempDir Path tmp) throws IOException {
        Path dir = copyWithUnknownLabels(tmp, "youtube", "test", Integer.MAX_VALUE);
        Result r = run("label", "fit", "--wrench", dir.toString(), "--model", "mv", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode test = new ObjectMapper().readTree(r.out()).get("test");
        assertTrue(test.get("accuracy").isNull() && test.get("f1_binary").isNull() && test.get("f1_macro").isNull(),
                r.out());
        assertEquals(0, test.path("rows").asInt(-1), r.out());
        String warning = "edgeloop: warning: no row of " + dir.resolve("test.json") + " has a gold label (all 250 are null)";
        assertTrue(r.err().contains(warning), r.err());
        r = run("label", "fit", "--wrench", dir.toString(), "--model", "mv");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("(0 rows): accuracy n/a, f1_binary n/a, f1_macro n/a"), r.out());
        assertTrue(r.err().contains(warning), r.err());
        dir = copyWithUnknownLabels(Files.createDirectories(tmp.resolve("one")), "youtube", "test", 1);
        r = run("label", "fit", "--wrench", dir.toString(), "--model", "mv", "--json");
        assertEquals(249, new ObjectMapper().readTree(r.out()).get("test").get("rows").asInt(), r.out());
        assertFalse(r.err().contains("warning"), r.err());
    }

    @Test
    @DisplayName("label query without test gold prints n/a (not NaN) and the rows scored, with the same warning as "
            + "label fit")
    void queryWithoutTestGoldSaysNotApplicable(@TempDir Path tmp) throws IOException {
        Path dir = copyWithUnknownLabels(tmp, "youtube", "test", Integer.MAX_VALUE);
        Result r = run("label", "query", "--wrench", dir.toString(), "--model", "mv", "--budget", "3", "--oracle");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test (0 rows): accuracy n/a, f1_binary n/a, f1_macro n/a"), r.out());
        assertTrue(r.err().contains("warning: no row of " + dir.resolve("test.json") + " has a gold label"), r.err());
        r = run("label", "query", "--wrench", dir.toString(), "--model", "mv", "--budget", "3", "--oracle", "--json");
        assertEquals(0, new ObjectMapper().readTree(r.out()).get("test").get("rows").asInt(-1), r.out());
    }

    @Test
    @DisplayName("label analyze measures LF accuracy on valid's labelled rows when one valid label is null")
    void analyzeUsesLabelledValidRows(@TempDir Path tmp) throws IOException {
        Path dir = copyWithUnknownLabels(tmp, "youtube", "valid", 1);
        Result r = run("label", "analyze", "--wrench", dir.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"accuracy_split\":\"valid\""), r.out());
    }

    @Test
    @DisplayName("label analyze prints one row per LF with coverage and accuracy")
    void analyze() {
        Result r = run("label", "analyze", "--wrench", wrench("youtube").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(2 + 10, r.out().split("\n").length, r.out());
        assertTrue(r.out().contains("coverage"), r.out());
        r = run("label", "analyze", "--wrench", wrench("tennis").toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"accuracy_split\":\"test\""), r.out());
    }

    @Test
    @DisplayName("label fit --answers may be a pipe (read once); empty path options are refused naming them "
            + "(bad-input walk s23: '--answers /dev/fd/63: no such file')")
    void answersFromAPipeAndEmptyPaths(@TempDir Path tmp) throws Exception {
        String tennis = wrench("tennis").toString();
        Fifo answers = Fifo.feeding(tmp.resolve("answers.fifo"),
                "{\"row\": 3, \"label\": 1}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Result r = run("label", "fit", "--wrench", tennis, "--model", "ds", "--answers", answers.path().toString(),
                "--json");
        assertEquals(0, r.code(), r.err());
        answers.awaitRead();
        assertTrue(r.out().contains("\"answers\": 1"), r.out());
        Result a = run("label", "fit", "--wrench", tennis, "--model", "ds", "--answers=");
        assertEquals("edgeloop: --answers is empty; give a path", a.err().strip());
        Result w = run("label", "analyze", "--wrench=");
        assertEquals("edgeloop: --wrench is empty; give a path", w.err().strip());
        Result q = run("label", "query", "--wrench", tennis, "--budget", "1", "--queue=");
        assertEquals("edgeloop: --queue is empty; give a path", q.err().strip());
    }

    @Test
    @DisplayName("label query --oracle asks the budget, appends answers that label fit --answers reads, and resumes")
    void queryOracle(@TempDir Path tmp) throws IOException {
        Path answers = tmp.resolve("a.jsonl");
        String yt = wrench("youtube").toString();
        Result r = run("label", "query", "--wrench", yt, "--budget", "20", "--oracle", "--model", "ds",
                "--answers-out", answers.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"asked\":20") && r.out().contains("\"answers\":20"), r.out());
        int[] gold = io.edgeloop.labeling.io.WrenchDataset.read(wrench("youtube")).train().gold();
        java.util.Map<Integer, Integer> a = io.edgeloop.labeling.active.FileQueueExpert.readAnswers(answers, 2);
        assertEquals(20, a.size());
        a.forEach((row, label) -> assertEquals(gold[row], (int) label, "answer for row " + row));
        String queryAccuracy = r.out().replaceAll("(?s).*\"accuracy\": ?([0-9.]+).*", "$1");
        r = run("label", "fit", "--wrench", yt, "--model", "ds", "--answers", answers.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"answers\": 20"), r.out());
        String fitAccuracy = r.out().replaceAll("(?s).*\"accuracy\": ?([0-9.]+).*", "$1");
        assertTrue(fitAccuracy.matches("\\d+\\.\\d\\d"), fitAccuracy);
        assertEquals(fitAccuracy, queryAccuracy, "query and fit print the same figure the same way");
        r = run("label", "query", "--wrench", yt, "--budget", "30", "--oracle", "--model", "ds",
                "--answers-out", answers.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"asked\":10") && r.out().contains("\"answers\":30"), r.out());
        assertEquals(1 + 30, Files.readAllLines(answers).size(), "the identity line, and no row answered twice");
    }

    @Test
    @DisplayName("label query --queue writes questions once, picks answers up on the next run, and never grows the "
            + "queue past the budget")
    void queryQueue(@TempDir Path tmp) throws IOException {
        Path q = tmp.resolve("queue");
        String sms = wrench("sms").toString();
        Result r = run("label", "query", "--wrench", sms, "--budget", "10", "--queue", q.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"asked\":10") && r.out().contains("\"answers\":0")
                && r.out().contains("\"pending\":10"), r.out());
        java.util.List<String> queries = Files.readAllLines(q.resolve("queries.jsonl"));
        assertEquals(10, queries.size());
        int[] gold = io.edgeloop.labeling.io.WrenchDataset.read(wrench("sms")).train().gold();
        StringBuilder answers = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            int row = new com.fasterxml.jackson.databind.ObjectMapper().readTree(queries.get(i)).get("row").asInt();
            answers.append("{\"row\":").append(row).append(",\"label\":").append(gold[row]).append("}\n");
        }
        Files.writeString(q.resolve("answers.jsonl"), answers);
        r = run("label", "query", "--wrench", sms, "--budget", "10", "--queue", q.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"asked\":0") && r.out().contains("\"answers\":4")
                && r.out().contains("\"pending\":6"), r.out());
        r = run("label", "query", "--wrench", sms, "--budget", "14", "--queue", q.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"asked\":4") && r.out().contains("\"pending\":10"), r.out());
        queries = Files.readAllLines(q.resolve("queries.jsonl"));
        assertEquals(14, queries.size());
        assertEquals(14, queries.stream().map(l -> l.replaceAll(".*\"row\":(\\d+).*", "$1")).distinct().count(),
                "each row asked once");
        Files.writeString(q.resolve("answers.jsonl"), "{\"row\": 3, \"label\": 7}\n", java.nio.file.StandardOpenOption.APPEND);
        r = run("label", "query", "--wrench", sms, "--budget", "14", "--queue", q.toString(), "--json");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("answers.jsonl") && r.err().contains("line 5"), r.err());
        r = run("label", "fit", "--wrench", sms, "--answers", q.resolve("answers.jsonl").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("line 5"), r.err());
    }

    @Test
    @DisplayName("label query --prompt shows the row's text, takes class names, skips on empty input and stops at "
            + "end of input, keeping every answer and skip in --answers-out")
    void queryPrompt(@TempDir Path tmp) throws IOException {
        Path answers = tmp.resolve("a.jsonl");
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream("SPAM\n\n0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            Result r = run("label", "query", "--wrench", wrench("youtube").toString(), "--budget", "5",
                    "--batch", "2", "--prompt", "--model", "mv", "--answers-out", answers.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("train id ") && r.out().contains("text"), r.out());
            assertTrue(r.out().contains("2 answer(s)"), r.out());
        } finally {
            System.setIn(stdin);
        }
        java.util.List<String> lines = Files.readAllLines(answers);
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("{\"identity\":{") && lines.get(1).endsWith("\"label\":1}")
                && lines.get(2).endsWith("\"label\":null}") && lines.get(3).endsWith("\"label\":0}"),
                lines.toString());
    }

    @Test
    @DisplayName("label query rejects a prompt without --answers-out, two experts, and unknown strategies")
    void queryErrors() {
        String yt = wrench("youtube").toString();
        Result r = run("label", "query", "--wrench", yt, "--budget", "5", "--prompt");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--answers-out"), r.err());
        r = run("label", "query", "--wrench", yt, "--budget", "5", "--oracle", "--prompt");
        assertTrue(r.code() != 0 && r.err().contains("mutually exclusive"), r.err());
        r = run("label", "query", "--wrench", yt, "--budget", "5", "--oracle", "--strategy", "random");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("available") && r.err().contains("least-confidence"), r.err());
    }

    @Test
    @DisplayName("a queue belongs to its data set: used with another one, label query and label fit --answers refuse; "
            + "skipped questions (label null) stop being pending; out-of-range rows name the file and line")
    void queueIdentityAndSkips(@TempDir Path tmp) throws IOException {
        Path q = tmp.resolve("queue");
        String yt = wrench("youtube").toString();
        Result r = run("label", "query", "--wrench", yt, "--budget", "3", "--queue", q.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"created\":true"), r.out());
        assertTrue(Files.readString(q.resolve("queue.json")).contains("\"trainRows\" : 1686"));
        java.util.List<String> queries = Files.readAllLines(q.resolve("queries.jsonl"));
        int row = new com.fasterxml.jackson.databind.ObjectMapper().readTree(queries.get(0)).get("row").asInt();
        Files.writeString(q.resolve("answers.jsonl"), "{\"row\":" + row + ",\"label\":null}\n");
        r = run("label", "query", "--wrench", yt, "--budget", "3", "--queue", q.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"asked\":1") && r.out().contains("\"pending\":3") && r.out().contains("\"created\":false"),
                "the skipped question frees its place in the budget: " + r.out());

        String sms = wrench("sms").toString();
        r = run("label", "query", "--wrench", sms, "--budget", "3", "--queue", q.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("queue.json") && r.err().contains("youtube") && r.err().contains("wrong rows"), r.err());
        r = run("label", "fit", "--wrench", sms, "--answers", q.resolve("answers.jsonl").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("queue.json"), r.err());

        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("queries.jsonl"), "{\"version\":1,\"row\":1}\n");
        r = run("label", "query", "--wrench", yt, "--budget", "3", "--queue", foreign.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no queue.json"), r.err());

        Path loose = tmp.resolve("a.jsonl");
        Files.writeString(loose, "{\"row\":1,\"label\":0}\n{\"row\":99999,\"label\":1}\n");
        r = run("label", "fit", "--wrench", yt, "--answers", loose.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("a.jsonl") && r.err().contains("line 2") && r.err().contains("99999"), r.err());
    }

    /** The train rows a queue asked, in order, with the probabilities it showed. */
    private static java.util.List<JsonNode> questions(Path queue) throws IOException {
        java.util.List<JsonNode> out = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(queue.resolve("queries.jsonl"))) {
            out.add(new ObjectMapper().readTree(line));
        }
        return out;
    }

    @Test
    @DisplayName("label query scores, asks and reports with the model label fit fits: wmv on YouTube (class prior from "
            + "valid.json) and hmm on Tennis (frame sequence) work, and each question shows that model's probabilities")
    void queryUsesTheReportedModel(@TempDir Path tmp) throws IOException {
        String yt = wrench("youtube").toString();
        Path answers = tmp.resolve("wmv.jsonl");
        Result r = run("label", "query", "--wrench", yt, "--budget", "20", "--oracle", "--model", "wmv",
                "--answers-out", answers.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"answers\":20"), r.out());
        Result f = run("label", "fit", "--wrench", yt, "--model", "wmv", "--answers", answers.toString(), "--json");
        assertEquals(0, f.code(), f.err());
        assertEquals(f.out().replaceAll(".*\"accuracy\": ?([0-9.]+).*", "$1"),
                r.out().replaceAll(".*\"accuracy\": ?([0-9.]+).*", "$1"));

        for (String[] setModel : new String[][] {{"tennis", "hmm"}, {"youtube", "snorkel"}}) {
            Path q = tmp.resolve("q-" + setModel[0]);
            r = run("label", "query", "--wrench", wrench(setModel[0]).toString(), "--budget", "10", "--queue",
                    q.toString(), "--model", setModel[1], "--json");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("\"asked\":10"), r.out());
            io.edgeloop.labeling.io.WrenchDataset data = io.edgeloop.labeling.io.WrenchDataset.read(wrench(setModel[0]));
            // No answers yet: the model reported is the one label fit fits without answers.
            double[][] reported = io.edgeloop.labeling.io.WrenchEvaluation.fit(data, setModel[1], 0)
                    .predictProba(data.train().matrix());
            java.util.List<JsonNode> asked = questions(q);
            assertEquals(10, asked.size());
            for (JsonNode n : asked) {
                double[] shown = new double[n.get("probabilities").size()];
                for (int c = 0; c < shown.length; c++) {
                    shown[c] = n.get("probabilities").get(c).asDouble();
                }
                org.junit.jupiter.api.Assertions.assertArrayEquals(reported[n.get("row").asInt()], shown, 0.0,
                        setModel[1] + " row " + n.get("row"));
            }
        }
    }

    @Test
    @DisplayName("a batch of 10 questions has 10 distinct LF-vote patterns on Tennis and YouTube, for every strategy")
    void batchesHaveDistinctVotePatterns(@TempDir Path tmp) throws IOException {
        for (String set : new String[] {"tennis", "youtube"}) {
            io.edgeloop.labeling.matrix.LabelMatrix m = io.edgeloop.labeling.io.WrenchDataset.read(wrench(set))
                    .train().matrix();
            java.util.function.IntFunction<String> pattern = row -> {
                StringBuilder b = new StringBuilder();
                for (int j = 0; j < m.lfs(); j++) {
                    b.append(m.get(row, j)).append(',');
                }
                return b.toString();
            };
            assertTrue(java.util.stream.IntStream.range(0, m.rows()).mapToObj(pattern).distinct().count() >= 10, set);
            for (String strategy : new String[] {"least-confidence", "margin", "entropy", "disagreement",
                    "committee"}) {
                Path q = tmp.resolve(set + "-" + strategy);
                Result r = run("label", "query", "--wrench", wrench(set).toString(), "--budget", "10", "--queue",
                        q.toString(), "--model", "ds", "--strategy", strategy, "--json");
                assertEquals(0, r.code(), r.err());
                java.util.List<JsonNode> asked = questions(q);
                assertEquals(10, asked.size());
                assertEquals(10, asked.stream().map(n -> pattern.apply(n.get("row").asInt())).distinct().count(),
                        set + " " + strategy);
            }
        }
    }

    @Test
    @DisplayName("snorkel-mc cannot use expert answers: label query and label fit --answers refuse it in one line")
    void snorkelMcRefusesAnswers(@TempDir Path tmp) throws IOException {
        String yt = wrench("youtube").toString();
        Result r = run("label", "query", "--wrench", yt, "--budget", "5", "--oracle", "--model", "snorkel-mc");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("edgeloop: --model snorkel-mc cannot use expert answers") && !r.err().strip().contains("\n"),
                r.err());
        Path a = tmp.resolve("a.jsonl");
        Files.writeString(a, "{\"row\":1,\"label\":0}\n");
        r = run("label", "fit", "--wrench", yt, "--model", "snorkel-mc", "--answers", a.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("snorkel-mc cannot use expert answers") && r.err().contains("--answers"), r.err());
        r = run("label", "fit", "--wrench", yt, "--model", "snorkel-mc", "--json");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    @DisplayName("a queue never grows past the budget, whatever --max-questions says")
    void maxQuestionsCannotGrowAQueuePastTheBudget(@TempDir Path tmp) throws IOException {
        Path q = tmp.resolve("qm");
        String yt = wrench("youtube").toString();
        for (int run = 0; run < 2; run++) {
            Result r = run("label", "query", "--wrench", yt, "--budget", "5", "--queue", q.toString(),
                    "--max-questions", "50", "--model", "mv", "--json");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("\"asked\":" + (run == 0 ? 5 : 0)) && r.out().contains("\"pending\":5"), r.out());
            assertEquals(5, Files.readAllLines(q.resolve("queries.jsonl")).size());
        }
        Result r = run("label", "query", "--wrench", yt, "--budget", "8", "--queue", q.toString(),
                "--max-questions", "2", "--model", "mv", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"asked\":2") && r.out().contains("\"pending\":7"), "a lower cap holds: " + r.out());
    }

    @Test
    @DisplayName("a huge --budget and --batch do not overflow: every train row is asked once")
    void hugeBudgetAndBatch(@TempDir Path tmp) throws IOException {
        Path answers = tmp.resolve("all.jsonl");
        Result r = run("label", "query", "--wrench", wrench("youtube").toString(), "--budget", "2000000000",
                "--batch", "500000000", "--oracle", "--model", "mv", "--answers-out", answers.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"asked\":1686") && r.out().contains("\"answers\":1686"), r.out());
        assertEquals(1686, Files.readAllLines(answers).stream().filter(l -> l.contains("\"row\"")).distinct()
                .count());
        r = run("label", "query", "--wrench", wrench("youtube").toString(), "--budget", "2147483647",
                "--batch", "2147483647", "--oracle", "--model", "mv", "--max-questions", "3", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"asked\":3"), r.out());
    }
}
