package io.edgeloop.cli.label;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.cli.Edgeloop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rev-s6-label item 1: on a frame split whose train.json is not in frame order, the {@code row} of queries.jsonl and
 * the answers files is the train.json file-order row (it was the frame-order position: 10 of 10 queued rows named
 * other examples), questions carry the WRENCH id, and answers may name rows by id.
 */
class LabelQueryFileOrderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(out), new PrintWriter(err), args);
        return new String[] {Integer.toString(code), out.toString().trim(), err.toString().trim()};
    }

    @Test
    @DisplayName("label query --queue on a shuffled Tennis: every queued row is the file-order row with its id; "
            + "label fit --answers reads row and id answers alike")
    void queueRowsAreFileOrderRows(@TempDir Path tmp) throws Exception {
        Path src = LabelCommandTest.wrench("tennis");
        Path set = tmp.resolve("tennis-shuf");
        Files.createDirectories(set);
        Files.copy(src.resolve("label.json"), set.resolve("label.json"));
        Files.copy(src.resolve("test.json"), set.resolve("test.json"));
        ObjectNode rows = (ObjectNode) JSON.readTree(src.resolve("train.json").toFile());
        List<String> keys = new ArrayList<>();
        rows.fieldNames().forEachRemaining(keys::add);
        Collections.shuffle(keys, new Random(5));
        ObjectNode shuffled = JSON.createObjectNode();
        for (String k : keys) {
            shuffled.set(k, rows.get(k));
        }
        JSON.writeValue(set.resolve("train.json").toFile(), shuffled);

        Path q = tmp.resolve("q");
        String[] r = run("label", "query", "--wrench", set.toString(), "--budget", "10", "--queue", q.toString(),
                "--model", "ds");
        assertEquals("0", r[0], r[2]);
        List<String> lines = Files.readAllLines(q.resolve("queries.jsonl"));
        assertEquals(10, lines.size());
        StringBuilder byRow = new StringBuilder();
        StringBuilder byId = new StringBuilder();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            int row = n.get("row").asInt();
            assertEquals(keys.get(row), n.get("id").asText(), line);
            assertEquals(shuffled.get(keys.get(row)).get("weak_labels"), n.get("votes"),
                    "queued row " + row + " shows the votes of train.json's row " + row + " in file order");
            int gold = row % 2;
            byRow.append("{\"row\":").append(row).append(",\"label\":").append(gold).append("}\n");
            byId.append("{\"id\":\"").append(keys.get(row)).append("\",\"label\":").append(gold).append("}\n");
        }
        Path a = tmp.resolve("row.jsonl");
        Path b = tmp.resolve("id.jsonl");
        Files.writeString(a, byRow);
        Files.writeString(b, byId);
        String[] fa = run("label", "fit", "--wrench", set.toString(), "--model", "ds", "--answers", a.toString(),
                "--json");
        String[] fb = run("label", "fit", "--wrench", set.toString(), "--model", "ds", "--answers", b.toString(),
                "--json");
        assertEquals("0", fa[0], fa[2]);
        assertEquals("0", fb[0], fb[2]);
        assertEquals(fa[1], fb[1], "the same answers by row and by id give the same fit");
        assertTrue(fa[1].contains("\"answers\": 10"), fa[1]);

        // The ids checked against the set: an unknown id names the file and line.
        Files.writeString(b, "{\"id\":\"nope\",\"label\":1}\n");
        String[] bad = run("label", "fit", "--wrench", set.toString(), "--model", "ds", "--answers", b.toString());
        assertEquals("1", bad[0]);
        assertTrue(bad[2].contains("id.jsonl: line 1") && bad[2].contains("\"nope\""), bad[2]);
    }

    @Test
    @DisplayName("label fit --model hmm on test rows without frames: the same figures whatever their file order, and "
            + "the output says they were scored row by row (rev-s6-label item 6: 89.14 shuffled vs 89.01 in order)")
    void hmmOnUnframedTestRowsDoesNotDependOnTheirOrder(@TempDir Path tmp) throws Exception {
        Path src = LabelCommandTest.wrench("tennis");
        ObjectNode rows = (ObjectNode) JSON.readTree(src.resolve("test.json").toFile());
        List<String> keys = new ArrayList<>();
        rows.fieldNames().forEachRemaining(keys::add);
        List<String> outs = new ArrayList<>();
        for (long seed : new long[] {1, 2}) {
            Path set = tmp.resolve("s" + seed);
            Files.createDirectories(set);
            Files.copy(src.resolve("label.json"), set.resolve("label.json"));
            Files.copy(src.resolve("train.json"), set.resolve("train.json"));
            Collections.shuffle(keys, new Random(seed));
            ObjectNode out = JSON.createObjectNode();
            for (String k : keys) {
                ObjectNode row = rows.get(k).deepCopy();
                ((ObjectNode) row.get("data")).remove("frame");
                out.set(k, row);
            }
            JSON.writeValue(set.resolve("test.json").toFile(), out);
            String[] r = run("label", "fit", "--wrench", set.toString(), "--model", "hmm", "--json");
            assertEquals("0", r[0], r[2]);
            assertTrue(r[1].contains("\"test_scoring\": \"test rows have no data.frame sequence: scored row by row"),
                    r[1]);
            outs.add(r[1]);
        }
        assertEquals(outs.get(0), outs.get(1));
        String[] ordered = run("label", "fit", "--wrench", src.toString(), "--model", "hmm", "--json");
        assertTrue(ordered[1].contains("\"accuracy\": 89.01") && !ordered[1].contains("test_scoring"), ordered[1]);
    }
}
