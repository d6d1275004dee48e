package io.edgeloop.cli.label;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.Edgeloop;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(out), new PrintWriter(err), args);
        return new String[] {Integer.toString(code), out.toString().trim(), err.toString().trim()};
    }

    @Test
    @DisplayName("label fit --json prints exactly the WRENCH figures for mv on YouTube")
    void fitPrintsJson() {
        String[] r = run("label", "fit", "--wrench", wrench("youtube").toString(), "--model", "mv", "--json");
        assertEquals("0", r[0], r[2]);
        assertEquals("{\"model\": \"mv\", \"test\": {\"accuracy\": 84.00, \"f1_binary\": 80.77, \"f1_macro\": 83.54}}",
                r[1]);
    }

    @Test
    @DisplayName("label fit reproduces SMS binary F1 for wmv and omits nothing for two classes")
    void fitSms() {
        String[] r = run("label", "fit", "--wrench", wrench("sms").toString(), "--model", "wmv", "--json",
                "--seed", "3");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("\"f1_binary\": 23.97"), r[1]);
    }

    @Test
    @DisplayName("label fit fails with one clear line for a missing directory or an unknown model")
    void fitErrors(@TempDir Path tmp) throws IOException {
        String[] r = run("label", "fit", "--wrench", tmp.resolve("none").toString(), "--model", "mv", "--json");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("edgeloop: ") && r[2].contains("does not exist"), r[2]);
        r = run("label", "fit", "--wrench", wrench("youtube").toString(), "--model", "magic");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("available"), r[2]);
        Files.writeString(tmp.resolve("label.json"), "{\"0\": \"a\", \"1\": \"b\"}");
        Files.writeString(tmp.resolve("train.json"), "{ not json");
        Files.writeString(tmp.resolve("test.json"), "{}");
        r = run("label", "fit", "--wrench", tmp.toString(), "--model", "mv");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("train.json") && r[2].contains("malformed JSON"), r[2]);
    }

    @Test
    @DisplayName("label analyze prints one row per LF with coverage and accuracy")
    void analyze() {
        String[] r = run("label", "analyze", "--wrench", wrench("youtube").toString());
        assertEquals("0", r[0], r[2]);
        assertEquals(2 + 10, r[1].split("\n").length, r[1]);
        assertTrue(r[1].contains("coverage"), r[1]);
        r = run("label", "analyze", "--wrench", wrench("tennis").toString(), "--json");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("\"accuracy_split\":\"test\""), r[1]);
    }
}
