package io.edgeloop.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.Edgeloop;
import io.edgeloop.cli.TribuoLogRecorder;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BenchQuantizeCommandTest {
    @Test
    @DisplayName("reports integer and Tribuo throughput side by side for every scheme, without Tribuo's progress "
            + "log (only --verbose shows it)")
    void reportsBothSides() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        long belowWarning;
        try (TribuoLogRecorder seen = new TribuoLogRecorder()) {
            code = Edgeloop.run(new PrintWriter(out), new PrintWriter(err), "bench", "quantize", "--millis", "50",
                    "--json");
            belowWarning = seen.belowWarning();
        }
        assertEquals(0, code, err.toString());
        assertEquals(0, belowWarning, belowWarning + " Tribuo records below WARNING without --verbose");
        JsonNode r = new ObjectMapper().readTree(out.toString()).get("results");
        assertEquals(6, r.size());
        for (JsonNode n : r) {
            assertTrue(n.get("tribuoFloatPredictionsPerSecond").asLong() > 0);
            assertTrue(n.get("javaIntegerPredictionsPerSecond").asLong() > 0);
            assertTrue(n.get("ratio").asDouble() > 0);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "--millis {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"9300000000000", "600001", "0", "-5"})
    @DisplayName("--millis out of 1..600000 is refused in one line (it overflowed into rows of zeros)")
    void refusesOutOfRangeMillis(String millis) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(out), new PrintWriter(err), "bench", "quantize", "--millis", millis);
        assertEquals(Edgeloop.EXIT_FAILURE, code, out.toString());
        assertEquals("edgeloop: --millis must be between 1 and 600000 (10 minutes), got " + millis,
                err.toString().strip());
        assertEquals("", out.toString());
    }
}
