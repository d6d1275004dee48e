package io.edgeloop.cli.label;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.Edgeloop;
import io.edgeloop.cli.InProcessCli.Result;
import io.edgeloop.labeling.active.FileQueueExpert;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code label query} / {@code label fit} and the files experts answer through: locks, identities, bad input. */
class LabelQueryFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Result runWithStdin(String stdin, String... args) {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            return run(args);
        } finally {
            System.setIn(saved);
        }
    }

    private static Process start(Path err, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Edgeloop.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile()).start();
    }

    private static List<Integer> queuedRows(Path queue) throws IOException {
        List<Integer> rows = new ArrayList<>();
        for (String line : Files.readAllLines(queue.resolve("queries.jsonl"))) {
            rows.add(JSON.readTree(line).get("row").asInt());
        }
        return rows;
    }

    @Test
    @DisplayName("one queue run asks the whole budget although Tennis has fewer distinct vote patterns than that "
            + "(review s11: 70 of 100 asked, the rest only on a second run), and a row past the split in queries.jsonl "
            + "is refused naming the file and line")
    void queueRunAsksTheWholeBudget(@TempDir Path tmp) throws Exception {
        Path q = tmp.resolve("tq");
        String tennis = LabelCommandTest.wrench("tennis").toString();
        Result r = run("label", "query", "--wrench", tennis, "--budget", "100", "--queue", q.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        List<Integer> rows = queuedRows(q);
        assertEquals(100, rows.size(), "asked in one run: " + rows.size());
        assertEquals(100, new HashSet<>(rows).size(), "no row asked twice");
        Files.writeString(q.resolve("queries.jsonl"), "{\"version\":1,\"row\":99999,\"id\":\"x\"}\n",
                StandardOpenOption.APPEND);
        r = run("label", "query", "--wrench", tennis, "--budget", "120", "--queue", q.toString(), "--json");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains(q.resolve("queries.jsonl") + ": line 101 asks row 99999"), r.err());
        // a queue.json the expert broke: its reason and place, not Jackson's "[Source: REDACTED ...]"
        List<String> lines = Files.readAllLines(q.resolve("queries.jsonl"));
        Files.write(q.resolve("queries.jsonl"), lines.subList(0, 100));
        Files.writeString(q.resolve("queue.json"), "{oops");
        r = run("label", "query", "--wrench", tennis, "--budget", "120", "--queue", q.toString(), "--json");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains(q.resolve("queue.json") + ": not JSON at line 1, column 2: Unexpected character")
                && !r.err().contains("REDACTED"), r.err());
    }

    @Test
    @DisplayName("a truncated label input (a WRENCH split, an answers file, a queue's queue.json or answers.jsonl) is "
            + "named with its file, line, column and a plain reason, never Jackson's \"[Source: REDACTED ...]\"")
    void truncatedInputsAreNamedPlainly(@TempDir Path tmp) throws IOException {
        Path yt = tmp.resolve("yt");
        Files.createDirectories(yt);
        try (java.util.stream.Stream<Path> s = Files.list(LabelCommandTest.wrench("youtube"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".json")).toList()) {
                Files.copy(f, yt.resolve(f.getFileName()));
            }
        }
        Path train = yt.resolve("train.json");
        byte[] trainBytes = Files.readAllBytes(train);
        Files.writeString(train, "{");
        Result r = run("label", "fit", "--wrench", yt.toString(), "--model", "mv");
        assertPlain(r, train + ": malformed JSON at line 1, column 2: Unexpected end-of-input");
        Files.write(train, trainBytes);

        Path answers = tmp.resolve("answers.jsonl");
        Files.writeString(answers, "{\"row\": 1, \"label\": 0}\n[1");
        r = run("label", "fit", "--wrench", yt.toString(), "--model", "mv", "--answers", answers.toString());
        assertPlain(r, answers + ": line 2 is not valid JSON (column 3: Unexpected end-of-input): [1");

        Path q = tmp.resolve("q");
        r = run("label", "query", "--wrench", yt.toString(), "--budget", "2", "--queue", q.toString());
        assertEquals(0, r.code(), r.err());
        Files.writeString(q.resolve("answers.jsonl"), "{");
        r = run("label", "query", "--wrench", yt.toString(), "--budget", "2", "--queue", q.toString());
        assertPlain(r, q.resolve("answers.jsonl") + ": line 1 is not valid JSON (column 2: Unexpected end-of-input)");
        Files.delete(q.resolve("answers.jsonl"));
        String queueJson = Files.readString(q.resolve("queue.json"));
        Files.writeString(q.resolve("queue.json"), queueJson.substring(0, queueJson.indexOf(',')));
        r = run("label", "query", "--wrench", yt.toString(), "--budget", "2", "--queue", q.toString());
        assertPlain(r, q.resolve("queue.json") + ": not JSON at line ");
        assertTrue(r.err().contains(": Unexpected end-of-input"), r.err());
    }

    /** One error line that starts with {@code start} and quotes no parser state. */
    private static void assertPlain(Result r, String start) {
        assertEquals(1, r.code(), r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("edgeloop: " + start), err);
        assertFalse(err.contains("[Source") || err.contains("REDACTED") || err.contains("start marker"), err);
    }

    @Test
    @DisplayName("two concurrent label query processes on one queue: one runs, the other fails at once naming the "
            + "queue; no row is asked twice and the queue never grows past the budget")
    void concurrentRunsOnOneQueue(@TempDir Path tmp) throws Exception {
        Path q = tmp.resolve("cq");
        String sms = LabelCommandTest.wrench("sms").toString();
        Result r = run("label", "query", "--wrench", sms, "--budget", "100", "--queue", q.toString(),
                "--max-questions", "0");
        assertEquals(0, r.code(), r.err());
        String[] args = {"label", "query", "--wrench", sms, "--budget", "100", "--queue", q.toString(), "--strategy",
            "committee", "--json"};
        Process a = start(tmp.resolve("a.err"), args);
        Process b = start(tmp.resolve("b.err"), args);
        assertTrue(a.waitFor(3, TimeUnit.MINUTES) && b.waitFor(3, TimeUnit.MINUTES), "both runs end");
        int ok = 0;
        for (Process p : List.of(a, b)) {
            String err = Files.readString(tmp.resolve((p == a ? "a" : "b") + ".err"));
            if (p.exitValue() == 0) {
                ok++;
            } else {
                assertEquals(1, p.exitValue(), err);
                assertTrue(err.contains("queue " + q + " is in use by another run"), err);
            }
        }
        assertTrue(ok >= 1, "at least one run did the work");
        List<Integer> rows = queuedRows(q);
        assertEquals(rows.size(), new HashSet<>(rows).size(), "no row asked twice: " + rows);
        assertEquals(100, rows.size(), "the queue is filled to the budget and not past it");

        // The same with a holder that certainly overlaps: this test holding the queue open.
        try (FileQueueExpert held = new FileQueueExpert(q, 2)) {
            r = run("label", "query", "--wrench", sms, "--budget", "120", "--queue", q.toString());
            assertEquals(1, r.code());
            assertTrue(r.err().startsWith("edgeloop: queue " + q + " is in use by another run (pid "
                    + ProcessHandle.current().pid()) && r.err().contains("run one `label query` at a time per queue"),
                    r.err());
            assertEquals(100, held.queued().size());
        }
        assertEquals(100, queuedRows(q).size(), "the refused run wrote nothing");
        r = run("label", "query", "--wrench", sms, "--budget", "120", "--queue", q.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"asked\":20") && r.out().contains("\"pending\":120"), r.out());
    }

    @Test
    @DisplayName("two first runs racing to create one queue: one queue.json, no temporary file left, each row once")
    void concurrentFirstRuns(@TempDir Path tmp) throws Exception {
        Path q = tmp.resolve("fresh");
        String yt = LabelCommandTest.wrench("youtube").toString();
        String[] args = {"label", "query", "--wrench", yt, "--budget", "30", "--queue", q.toString(), "--model", "mv",
            "--json"};
        Process a = start(tmp.resolve("a.err"), args);
        Process b = start(tmp.resolve("b.err"), args);
        assertTrue(a.waitFor(3, TimeUnit.MINUTES) && b.waitFor(3, TimeUnit.MINUTES), "both runs end");
        assertTrue(a.exitValue() == 0 || b.exitValue() == 0, Files.readString(tmp.resolve("a.err"))
                + Files.readString(tmp.resolve("b.err")));
        JsonNode id = JSON.readTree(q.resolve("queue.json").toFile());
        assertEquals("youtube", id.get("dataset").asText());
        try (var files = Files.list(q)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertEquals(List.of(".lock", "queries.jsonl", "queue.json"), names);
        }
        List<Integer> rows = queuedRows(q);
        assertEquals(30, rows.size());
        assertEquals(30, new HashSet<>(rows).size(), "each row once: " + rows);
    }

    @Test
    @DisplayName("--answers-out files carry their data set: youtube answers are refused for sms by label query and "
            + "label fit, naming both, and nothing is appended")
    void answersOutIdentity(@TempDir Path tmp) throws IOException {
        Path answers = tmp.resolve("yt.jsonl");
        String yt = LabelCommandTest.wrench("youtube").toString();
        String sms = LabelCommandTest.wrench("sms").toString();
        Result r = run("label", "query", "--wrench", yt, "--budget", "5", "--oracle", "--model", "mv",
                "--answers-out", answers.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(answers);
        assertEquals(6, lines.size(), lines.toString());
        JsonNode id = JSON.readTree(lines.get(0)).get("identity");
        assertEquals("youtube", id.get("dataset").asText());
        assertEquals(1686, id.get("trainRows").asInt());
        String before = Files.readString(answers);

        r = run("label", "query", "--wrench", sms, "--budget", "10", "--oracle", "--model", "mv", "--answers-out",
                answers.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(answers.toString()) && r.err().contains("'youtube'") && r.err().contains("not to sms"),
                r.err());
        assertEquals(before, Files.readString(answers), "no sms answer appended to the youtube file");
        r = run("label", "fit", "--wrench", sms, "--model", "mv", "--answers", answers.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(answers.toString()) && r.err().contains("'youtube'") && r.err().contains("not to sms"),
                r.err());
        r = run("label", "fit", "--wrench", yt, "--model", "mv", "--answers", answers.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"answers\": 5") && r.err().isEmpty(), r.out() + r.err());

        // A file from before identities: read, with a warning that says so; stdout stays clean.
        Path legacy = tmp.resolve("legacy.jsonl");
        Files.writeString(legacy, String.join("\n", lines.subList(1, lines.size())) + "\n");
        r = run("label", "fit", "--wrench", sms, "--model", "mv", "--answers", legacy.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning") && r.err().contains(legacy.toString()) && r.err().contains("sms's train rows"),
                r.err());
        JSON.readTree(r.out());
    }

    @Test
    @DisplayName("an --answers-out file whose last reply was cut off by a crash is repaired on the next run (a torn "
            + "line cut off, a whole one completed), with a warning, and the session goes on; label fit still refuses "
            + "a torn line it did not write")
    void answersOutTornTailRepaired(@TempDir Path tmp) throws IOException {
        Path answers = tmp.resolve("a.jsonl");
        String yt = LabelCommandTest.wrench("youtube").toString();
        Result r = run("label", "query", "--wrench", yt, "--budget", "4", "--oracle", "--model", "mv",
                "--answers-out", answers.toString());
        assertEquals(0, r.code(), r.err());
        List<String> whole = Files.readAllLines(answers);
        assertEquals(5, whole.size(), whole.toString());

        // A crash mid-append: the fourth answer is half written.
        String text = Files.readString(answers);
        String cut = text.substring(0, text.length() - 6);
        Files.writeString(answers, cut);
        r = run("label", "fit", "--wrench", yt, "--model", "mv", "--answers", answers.toString());
        assertEquals(1, r.code(), "a reader that did not write the file does not guess: " + r.err());
        assertTrue(r.err().contains("has no newline"), r.err());
        r = run("label", "query", "--wrench", yt, "--budget", "6", "--oracle", "--model", "mv", "--answers-out",
                answers.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning") && r.err().contains("removed torn line 5") && r.err().contains(answers.toString()),
                r.err());
        JsonNode result = JSON.readTree(r.out());
        assertEquals(6, result.get("answers").asInt(), r.out());
        List<String> after = Files.readAllLines(answers);
        assertEquals(whole.subList(0, 4), after.subList(0, 4), "the whole lines are kept");
        assertEquals(7, after.size(), "3 answers kept + 3 new (the cut one asked again): " + after);
        for (String line : after) {
            JSON.readTree(line);
        }

        // Another data set's file whose last line lacks its newline (row 4000: an sms row, out of youtube's range)
        // is refused by the identity check and keeps that line: the repair judges syntax, not ranges.
        Path sms = tmp.resolve("sms.jsonl");
        r = run("label", "query", "--wrench", LabelCommandTest.wrench("sms").toString(), "--budget", "2", "--oracle",
                "--model", "mv", "--answers-out", sms.toString());
        assertEquals(0, r.code(), r.err());
        Files.writeString(sms, Files.readString(sms) + "{\"row\":4000,\"label\":1}");
        String smsBefore = Files.readString(sms);
        r = run("label", "query", "--wrench", yt, "--budget", "6", "--oracle", "--model", "mv", "--answers-out",
                sms.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("'sms'") && r.err().contains("not to youtube")
                && !r.err().contains("removed torn line"), r.err());
        assertEquals(smsBefore, Files.readString(sms), "refused before anything changed, not even a newline added");

        // A whole last line that only lacks its newline is completed, not dropped.
        String full = Files.readString(answers);
        Files.writeString(answers, full.substring(0, full.length() - 1));
        r = run("label", "query", "--wrench", yt, "--budget", "6", "--oracle", "--model", "mv", "--answers-out",
                answers.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("line 7 had no newline") && r.err().contains("added it"), r.err());
        assertEquals(full, Files.readString(answers), "nothing lost, nothing asked again");
    }

    @Test
    @DisplayName("--answers-out FILE that is not an answers file (notes, a data set's train.json, a file without "
            + "identity whose last line is torn) is refused naming FILE and left byte for byte unchanged (bad-input "
            + "sweep s16 H1: notes.txt kept only line 1, train.json lost its closing brace)")
    void answersOutRefusesOtherFilesUnchanged(@TempDir Path tmp) throws IOException {
        String yt = LabelCommandTest.wrench("youtube").toString();
        Path notes = tmp.resolve("notes.txt");
        Path trainJson = tmp.resolve("wv").resolve("train.json");
        Path legacyTorn = tmp.resolve("legacy.jsonl");
        Files.createDirectories(trainJson.getParent());
        Files.writeString(notes, "notes line 1\nimportant last line without newline");
        Files.writeString(trainJson, "{\n  \"0\": {\"label\": 1, \"weak_labels\": [0, -1]}\n}");
        Files.writeString(legacyTorn, "{\"row\":1,\"label\":0}\n{\"row\":2,\"la");
        for (Path f : List.of(notes, trainJson, legacyTorn)) {
            byte[] before = Files.readAllBytes(f);
            Result r = run("label", "query", "--wrench", yt, "--budget", "3", "--oracle", "--model", "mv",
                    "--answers-out", f.toString());
            assertEquals(1, r.code(), f + ": " + r.err());
            assertTrue(r.err().contains("--answers-out " + f + " is not an answers file")
                    && r.err().contains("left unchanged") && !r.err().contains("warning"), r.err());
            assertArrayEquals(before, Files.readAllBytes(f), f + " is unchanged");
        }
    }

    @Test
    @DisplayName("the prompt survives any input line, says skipped, persists skips as null so the next session does "
            + "not ask them again, and under --json prints only the JSON on stdout")
    void promptSurvivesAnyInput(@TempDir Path tmp) throws IOException {
        Path answers = tmp.resolve("p.jsonl");
        String yt = LabelCommandTest.wrench("youtube").toString();
        // row 1: long number, garbage, then a lower-case class name; row 2: empty (skip); row 3: three bad lines;
        // row 4: an index; row 5: end of input.
        Result r = runWithStdin("99999999999\nxyz\nspam\n\n-5\n\u00e9\u00e9\n12345678901234567890\n0\n",
                "label", "query", "--wrench", yt, "--budget", "6", "--batch", "3", "--prompt", "--model", "mv",
                "--answers-out", answers.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode result = JSON.readTree(r.out());
        assertEquals(2, result.get("answers").asInt(), r.out());
        assertTrue(r.err().contains("train id ") && r.err().contains("'99999999999' is not one of [HAM, SPAM]"), r.err());
        assertTrue(r.err().contains("after 3 unrecognised answers") && r.err().contains("input ended"), r.err());
        List<Integer> asked1 = rowsAsked(r.err());
        assertEquals(5, asked1.size(), r.err());
        List<String> lines = Files.readAllLines(answers);
        assertEquals(List.of("{\"row\":" + asked1.get(0) + ",\"label\":1}",
                "{\"row\":" + asked1.get(1) + ",\"label\":null}",
                "{\"row\":" + asked1.get(2) + ",\"label\":null}",
                "{\"row\":" + asked1.get(3) + ",\"label\":0}"), lines.subList(1, lines.size()));

        r = runWithStdin("ham\n", "label", "query", "--wrench", yt, "--budget", "6", "--batch", "3", "--prompt",
                "--model", "mv", "--answers-out", answers.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("row ") && r.err().isEmpty(), "without --json the prompt is on stdout: " + r.err());
        List<Integer> asked2 = rowsAsked(r.out());
        assertEquals(2, asked2.size(), r.out());
        for (int row : asked1.subList(0, 4)) {
            assertFalse(asked2.contains(row), "row " + row + " was answered or skipped in session 1: " + asked2);
        }
    }

    private static List<Integer> rowsAsked(String text) {
        List<Integer> rows = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^row (\\d+)$").matcher(text);
        while (m.find()) {
            rows.add(Integer.parseInt(m.group(1)));
        }
        return rows;
    }

    @Test
    @DisplayName("I/O errors name the path and the fix: answers not UTF-8, --answers-out a directory, --queue a "
            + "file; a BOM on line 1 and strictness hold through the CLI")
    void ioErrorsNameThePath(@TempDir Path tmp) throws IOException {
        String yt = LabelCommandTest.wrench("youtube").toString();
        Path latin1 = tmp.resolve("latin1.jsonl");
        Files.write(latin1, "{\"row\":1,\"label\":0,\"by\":\"Jos\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1));
        Result r = run("label", "fit", "--wrench", yt, "--model", "mv", "--answers", latin1.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("edgeloop: " + latin1 + ": line 1 is not UTF-8") && r.err().contains("as UTF-8"),
                r.err());

        Path dir = Files.createDirectories(tmp.resolve("adir"));
        r = run("label", "query", "--wrench", yt, "--budget", "3", "--oracle", "--answers-out", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--answers-out " + dir + " is a directory") && r.err().contains("give the path of a "
                + "file"), r.err());
        r = run("label", "fit", "--wrench", yt, "--model", "mv", "--answers", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(dir + " is a directory"), r.err());

        Path file = tmp.resolve("afile");
        Files.writeString(file, "x");
        r = run("label", "query", "--wrench", yt, "--budget", "3", "--queue", file.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(file + " is a file, not a queue directory"), r.err());

        Path bom = tmp.resolve("bom.jsonl");
        Files.write(bom, ("\uFEFF{\"row\":1,\"label\":0}\n").getBytes(StandardCharsets.UTF_8));
        r = run("label", "fit", "--wrench", yt, "--model", "mv", "--answers", bom.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"answers\": 1"), r.out());

        Path two = tmp.resolve("two.jsonl");
        Files.writeString(two, "{\"row\":5,\"label\":1}{\"row\":6,\"label\":1}\n");
        r = run("label", "fit", "--wrench", yt, "--model", "mv", "--answers", two.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(two + ": line 1"), r.err());
    }

    @Test
    @DisplayName("a torn last line of queries.jsonl (a run killed mid-append) is cut off by the next run, with a "
            + "warning on stderr, and the queue goes on")
    void tornQueueLineIsRepaired(@TempDir Path tmp) throws IOException {
        Path q = tmp.resolve("q");
        String yt = LabelCommandTest.wrench("youtube").toString();
        Result r = run("label", "query", "--wrench", yt, "--budget", "4", "--queue", q.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        List<Integer> before = queuedRows(q);
        Files.writeString(q.resolve("queries.jsonl"), "{\"version\":1,\"row\":12,\"probabili",
                StandardOpenOption.APPEND);
        r = run("label", "query", "--wrench", yt, "--budget", "6", "--queue", q.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning") && r.err().contains("queries.jsonl") && r.err().contains("torn line 5"), r.err());
        JsonNode out = JSON.readTree(r.out());
        assertEquals(2, out.get("asked").asInt(), r.out());
        List<Integer> after = queuedRows(q);
        assertEquals(before, after.subList(0, 4));
        assertEquals(6, after.size());
        assertEquals(6, new HashSet<>(after).size(), "each row once: " + after);
    }
}
