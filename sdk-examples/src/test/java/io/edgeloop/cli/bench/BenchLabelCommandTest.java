package io.edgeloop.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.Edgeloop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BenchLabelCommandTest {
    private static Path wrenchRoot() {
        for (Path q = Path.of(System.getProperty("user.dir")).toAbsolutePath(); q != null; q = q.getParent()) {
            for (String rel : new String[] {"../shared/datasets/wrench", "../../shared/datasets/wrench"}) {
                Path c = q.resolve(rel).normalize();
                if (Files.isDirectory(c) && Files.exists(q.resolve("sdk-labeling"))) {
                    return c;
                }
            }
        }
        throw new IllegalStateException("shared/datasets/wrench not found beside the repository");
    }

    @Test
    @DisplayName("bench label --json reports throughput, fit times and every model on every WRENCH set")
    void smallRun() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(out), new PrintWriter(err), "bench", "label", "--json",
                "--rows", "20000", "--windows", "2000", "--wrench-root", wrenchRoot().toString());
        assertEquals(0, code, err.toString());
        JsonNode doc = new ObjectMapper().readTree(out.toString());
        assertTrue(doc.path("lf_throughput").path("lf_evals_per_s").asLong() > 0);
        assertEquals(20000, doc.path("fit").path("rows").asInt());
        assertTrue(doc.path("fit").has("ds_fit_s"));
        int rows = 0;
        for (JsonNode r : doc.path("wrench")) {
            rows++;
            if (r.path("set").asText().equals("youtube") && r.path("model").asText().equals("mv")) {
                assertEquals(84.0, r.path("value").asDouble(), 1e-9);
                assertEquals(84.0, r.path("wrench_reference").asDouble(), 1e-9);
            }
        }
        assertEquals(3 * 7, rows);
    }

    @Test
    @DisplayName("bench label's text report: figures as 'name value' pairs (not Map.toString braces) and a table whose "
            + "columns line up also for snorkel-mc")
    void textReportIsATable() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(out), new PrintWriter(err), "bench", "label", "--rows", "20000",
                "--windows", "2000", "--wrench-root", wrenchRoot().toString());
        assertEquals(0, code, err.toString());
        java.util.List<String> lines = out.toString().lines().toList();
        assertTrue(lines.get(0).startsWith("LF throughput: windows 2000, lfs ") && !lines.get(0).contains("{")
                && !lines.get(0).contains("="), lines.get(0));
        assertTrue(lines.get(1).startsWith("Fit:           rows 20000, ") && !lines.get(1).contains("{"),
                lines.get(1));
        int metricColumn = lines.get(2).indexOf("metric");
        long tableRows = lines.stream().skip(3).takeWhile(l -> !l.isBlank()).peek(l -> assertEquals(metricColumn,
                l.indexOf(l.trim().split("\\s+")[2], 10), "column 'metric' moved in: " + l)).count();
        assertEquals(3 * 7, tableRows, out.toString());
        // a "-" says why in a footnote: hmm without frames (sms, youtube), wmv without valid.json (tennis)
        String hmm = lines.stream().filter(l -> l.startsWith("youtube    hmm ")).findFirst().orElseThrow();
        assertTrue(hmm.endsWith(" - [1]"), hmm);
        assertTrue(lines.contains("[1] hmm needs train.json's rows as a frame sequence (every row's data.frame a "
                + "distinct integer), which they are not: use mv, ds, snorkel or auto"), out.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("[2] wmv needs a class prior")), out.toString());
    }

    @Test
    @DisplayName("a malformed set under --wrench-root is reported in its place and the others are measured; exit 1 "
            + "after everything is printed")
    void malformedSetDoesNotAbortTheBench(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        for (String set : new String[] {"youtube", "broken"}) {
            Path to = Files.createDirectories(tmp.resolve(set));
            try (var files = Files.list(wrenchRoot().resolve("youtube"))) {
                for (Path f : files.toList()) {
                    Files.copy(f, to.resolve(f.getFileName().toString()));
                }
            }
        }
        Files.writeString(tmp.resolve("broken/test.json"), "{\"a\": ");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(out), new PrintWriter(err), "bench", "label", "--json",
                "--rows", "2000", "--windows", "200", "--wrench-root", tmp.toString());
        assertEquals(Edgeloop.EXIT_FAILURE, code, err.toString());
        JsonNode wrench = new ObjectMapper().readTree(out.toString()).path("wrench");
        assertEquals(1 + 7, wrench.size(), out.toString());
        assertEquals("broken", wrench.get(0).path("set").asText());
        assertTrue(wrench.get(0).path("error").asText().contains("test.json: malformed JSON at line 1"),
                wrench.get(0).toString());
        assertEquals(84.0, wrench.get(1).path("value").asDouble(), 1e-9, "youtube mv still measured");
        assertEquals("edgeloop: 1 WRENCH set(s) under " + tmp + " could not be read, the others were measured: "
                + "broken (see the error entries)", err.toString().strip());

        out = new StringWriter();
        err = new StringWriter();
        code = Edgeloop.run(new PrintWriter(out), new PrintWriter(err), "bench", "label",
                "--rows", "2000", "--windows", "200", "--wrench-root", tmp.toString());
        assertEquals(Edgeloop.EXIT_FAILURE, code, err.toString());
        assertTrue(out.toString().contains("\nbroken     error: " + tmp.resolve("broken/test.json")
                + ": malformed JSON at line 1"), out.toString());
        assertTrue(out.toString().contains("\nyoutube    mv          accuracy       84.0"), out.toString());
    }

    @Test
    @DisplayName("--wrench-root's help says where the default is searched: the working directory and its parents")
    void wrenchRootHelpSaysWhereItSearches(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        StringWriter out = new StringWriter();
        assertEquals(0, Edgeloop.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "bench", "label",
                "--help"));
        String help = out.toString().replaceAll("\\s+", " ");
        assertTrue(help.contains("working directory or one of its parents") && !help.contains("beside the repository"),
                help);
        Path nested = Files.createDirectories(tmp.resolve("a/b"));
        Path wrench = Files.createDirectories(tmp.resolve("shared/datasets/wrench"));
        assertEquals(wrench, BenchLabelCommand.findWrench(nested));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "--rows -1|--rows must be between 1 and 10000000, got -1",
        "--rows 120000000|--rows must be between 1 and 10000000, got 120000000",
        "--rows 10000000 --lfs 127|--rows x --lfs must be at most 200000000 votes, got 10000000 x 127 = 1270000000",
        "--lfs 0|--lfs must be between 2 and 127, got 0",
        "--lfs 5000|--lfs must be between 2 and 127, got 5000",
        "--windows -1|--windows must be between 1 and 5000000, got -1",
        "--windows 0|--windows must be between 1 and 5000000, got 0"})
    @DisplayName("bad --rows, --lfs and --windows are refused in one line naming the option, before any work")
    void refusesBadSizes(String options, String message) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("bench", "label", "--json",
                "--wrench-root", wrenchRoot().toString()));
        args.addAll(java.util.List.of(options.split(" ")));
        int code = Edgeloop.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertEquals(Edgeloop.EXIT_FAILURE, code, out.toString());
        assertEquals("edgeloop: " + message, err.toString().strip());
        assertEquals("", out.toString());
    }
}
