package io.edgeloop.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.Edgeloop;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BenchQuantizeCommandTest {
    @Test
    @DisplayName("reports integer and Tribuo throughput side by side for every scheme")
    void reportsBothSides() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(out), new PrintWriter(err), "bench", "quantize", "--millis", "50", "--json");
        assertEquals(0, code, err.toString());
        JsonNode r = new ObjectMapper().readTree(out.toString()).get("results");
        assertEquals(6, r.size());
        for (JsonNode n : r) {
            assertTrue(n.get("tribuoFloatPredictionsPerSecond").asLong() > 0);
            assertTrue(n.get("javaIntegerPredictionsPerSecond").asLong() > 0);
            assertTrue(n.get("ratio").asDouble() > 0);
        }
    }
}
