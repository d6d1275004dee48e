package io.edgeloop.cli.label;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.cli.InProcessCli.Result;
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
        Result r = run("label", "query", "--wrench", set.toString(), "--budget", "10", "--queue", q.toString(),
                "--model", "ds");
        assertEquals(0, r.code(), r.err());
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
        Result fa = run("label", "fit", "--wrench", set.toString(), "--model", "ds", "--answers", a.toString(),
                "--json");
        Result fb = run("label", "fit", "--wrench", set.toString(), "--model", "ds", "--answers", b.toString(),
                "--json");
        assertEquals(0, fa.code(), fa.err());
        assertEquals(0, fb.code(), fb.err());
        assertEquals(fa.out(), fb.out(), "the same answers by row and by id give the same fit");
        assertTrue(fa.out().contains("\"answers\": 10"), fa.out());

        // The ids checked against the set: an unknown id names the file and line.
        Files.writeString(b, "{\"id\":\"nope\",\"label\":1}\n");
        Result bad = run("label", "fit", "--wrench", set.toString(), "--model", "ds", "--answers", b.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("id.jsonl: line 1") && bad.err().contains("\"nope\""), bad.err());
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
            Result r = run("label", "fit", "--wrench", set.toString(), "--model", "hmm", "--json");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("\"test_scoring\": \"test rows have no data.frame sequence: scored row by row"),
                    r.out());
            outs.add(r.out());
        }
        assertEquals(outs.get(0), outs.get(1));
        Result ordered = run("label", "fit", "--wrench", src.toString(), "--model", "hmm", "--json");
        assertTrue(ordered.out().contains("\"accuracy\": 89.01") && !ordered.out().contains("test_scoring"), ordered.out());
    }

    @Test
    @DisplayName("a set with NaN and Infinity in data (as Python's json writes them) works in label fit and at the "
            + "prompt, which shows the row's data")
    void nonNumericDataAtThePrompt(@TempDir Path tmp) throws Exception {
        Path set = tmp.resolve("nandata");
        Files.createDirectories(set);
        Files.writeString(set.resolve("label.json"), "{\"0\": \"no\", \"1\": \"yes\"}");
        Random r = new Random(3);
        for (String split : new String[] {"train", "test"}) {
            StringBuilder b = new StringBuilder("{");
            for (int i = 0; i < 40; i++) {
                int y = r.nextInt(2);
                b.append(i == 0 ? "" : ", ").append('"').append(split).append(i).append("\": {\"label\": ").append(y)
                        .append(", \"weak_labels\": [").append(r.nextDouble() < 0.8 ? y : 1 - y).append(", ")
                        .append(r.nextDouble() < 0.5 ? -1 : y).append(", ").append(r.nextDouble() < 0.7 ? y : -1)
                        .append("], \"data\": {\"feature\": [1.0, ").append(i % 3 == 0 ? "NaN" : "2.0")
                        .append(", ").append(i % 5 == 0 ? "-Infinity" : "3.0").append("]}}");
            }
            Files.writeString(set.resolve(split + ".json"), b.append("}"));
        }
        Result fit = run("label", "fit", "--wrench", set.toString(), "--model", "ds");
        assertEquals(0, fit.code(), fit.err());
        java.io.InputStream saved = System.in;
        Result q;
        try {
            System.setIn(new java.io.ByteArrayInputStream("yes\nno\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            q = run("label", "query", "--wrench", set.toString(), "--budget", "2", "--prompt", "--answers-out",
                    tmp.resolve("a.jsonl").toString(), "--model", "ds");
        } finally {
            System.setIn(saved);
        }
        assertEquals(0, q.code(), q.err());
        assertTrue(q.out().contains("\"feature\":[1.0,"), q.out());
        assertTrue(q.out().contains("2 answer(s)"), q.out());
    }
}
