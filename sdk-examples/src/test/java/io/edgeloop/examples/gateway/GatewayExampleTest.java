package io.edgeloop.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The gateway example (sdk-buffer alone)")
class GatewayExampleTest {
    @Test
    @DisplayName("buffers through an uplink outage, retries, then delivers every reading and has nothing left after a restart")
    void deliversEverythingAfterOutage(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        GatewayExample.Result r = GatewayExample.run(dir.resolve("buffer"), 1500, new PrintStream(buf, true, "UTF-8"));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(1500, r.appended());
        assertEquals(1500, r.ingested(), out);
        assertTrue(r.failedAttempts() > 0, "the outage must have made sends fail: " + out);
        assertEquals(0, r.leftAfterRestart(), out);
        assertTrue(out.contains("uplink down") && out.contains("uplink up"), out);
    }
}
