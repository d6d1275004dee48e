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
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's output shape (figures are not checked: benchmarks are not tests). */
class BenchBufferCommandTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("bench buffer --json reports every system, policy and size with ratios, and cleans up")
    void printsResultsAndRatios() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), "bench", "buffer", "--json",
                "--dir", tmp.toString(), "--seconds", "0.05", "--repeat", "1", "--sizes", "100,1024");
        assertEquals(0, code, err.toString());
        JsonNode doc = new ObjectMapper().readTree(out.toString());
        Set<String> seen = new HashSet<>();
        for (JsonNode r : doc.get("results")) {
            seen.add(r.get("system").asText() + "/" + r.get("policy").asText() + "/" + r.get("recordBytes").asInt());
            assertTrue(r.get("recordsPerSec").asDouble() > 0, r.toString());
            assertTrue(r.has("mbPerSec"), r.toString());
        }
        for (int size : new int[] {100, 1024}) {
            for (String c : new String[] {"edgeloop/always", "edgeloop/group", "edgeloop/none", "tape/always",
                    "raw/always", "raw/group", "raw/none"}) {
                assertTrue(seen.contains(c + "/" + size), "missing " + c + "/" + size);
            }
        }
        assertEquals(14, doc.get("results").size());
        boolean groupVsTape = false;
        for (JsonNode r : doc.get("ratios")) {
            if (r.get("recordBytes").asInt() == 100 && r.get("edgeloop").asText().equals("group")
                    && r.get("vs").asText().equals("tape always")) {
                groupVsTape = r.get("target").asDouble() == 50.0;
            }
        }
        assertTrue(groupVsTape, "the 50x target is reported");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.count(), "scratch files deleted");
        }
    }
}
