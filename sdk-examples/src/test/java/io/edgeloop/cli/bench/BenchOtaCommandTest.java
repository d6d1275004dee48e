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

@DisplayName("edgeloop bench ota")
class BenchOtaCommandTest {
    @Test
    @DisplayName("reports verification time beside its floor for each configuration (figures, not asserted)")
    void reports() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), "bench", "ota", "--bytes",
                "65536", "--iterations", "5", "--json"), err.toString());
        JsonNode r = new ObjectMapper().readTree(out.toString());
        assertEquals(3, r.get("results").size());
        for (JsonNode row : r.get("results")) {
            assertTrue(row.get("verifyMillis").asDouble() > 0);
            assertTrue(row.get("floorMillis").asDouble() > 0);
            assertTrue(row.has("meetsTarget"));
        }
    }
}
