package io.edgeloop.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.Edgeloop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BenchQuantizeCommandTest {
    @Test
    @DisplayName("reports integer and Tribuo throughput side by side for every scheme, without Tribuo's progress "
            + "log (only --verbose shows it)")
    void reportsBothSides() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<LogRecord> seen = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                seen.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        h.setLevel(Level.ALL);
        Logger tribuo = Logger.getLogger("org.tribuo");
        tribuo.addHandler(h);
        int code;
        try {
            code = Edgeloop.run(new PrintWriter(out), new PrintWriter(err), "bench", "quantize", "--millis", "50",
                    "--json");
        } finally {
            tribuo.removeHandler(h);
        }
        assertEquals(0, code, err.toString());
        assertTrue(seen.stream().noneMatch(r -> r.getLevel().intValue() < Level.WARNING.intValue()),
                seen.size() + " Tribuo records below WARNING without --verbose");
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
