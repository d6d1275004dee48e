package io.edgeloop.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.Edgeloop;
import io.edgeloop.examples.demo.report.DemoReportChecks;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("edgeloop demo")
class DemoCommandTest {
    @TempDir
    static Path dir;

    private static Path out;
    private static int exit;
    private static String stdout;
    private static String stderr;
    private static JsonNode summary;

    /** One demo run shared by every check: the run is the expensive part. */
    @BeforeAll
    static void runDemoOnce() throws Exception {
        out = dir.resolve("demo-out");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        exit = Edgeloop.run(new PrintWriter(o, true), new PrintWriter(e, true), "demo", "--out", out.toString(),
                "--devices", "6", "--seed", "7");
        stdout = o.toString();
        stderr = e.toString();
        summary = new ObjectMapper().readTree(Files.readString(out.resolve("summary.json")));
    }

    private static List<String> names(JsonNode n) {
        List<String> l = new ArrayList<>();
        n.fieldNames().forEachRemaining(l::add);
        return l;
    }

    @Test
    @DisplayName("finishes without a failed step and prints each step with progress bars")
    void finishes() {
        assertEquals(0, exit, stdout + stderr);
        for (int s = 1; s <= 6; s++) {
            assertTrue(stdout.contains("[" + s + "/6]") || s == 2, "step " + s + " heading:\n" + stdout);
        }
        assertTrue(stdout.contains("] 100 %"), "a progress bar:\n" + stdout);
    }

    @Test
    @DisplayName("writes summary.json in the documented shape")
    void summaryShape() {
        List<String> top = names(summary);
        assertEquals(List.of("recordsSent", "recordsIngested", "recordsLost", "duplicatesDropped", "labeling",
                "variants", "rollout"), top.subList(0, 7));
        assertEquals(List.of("weakLabelAccuracy", "expertQueries", "endModelAccuracy", "goldModelAccuracy"),
                names(summary.get("labeling")));
        assertEquals(List.of("devices", "onNewModel", "onOldModel", "unverified"), names(summary.get("rollout")));
    }

    @Nested
    @DisplayName("reaches the figures the issue sets")
    class Figures {
        @Test
        @DisplayName("loses no record across outages and the power loss, when the data path ran")
        void noLoss() {
            if (!summary.get("recordsLost").isNull()) {
                assertEquals(0, summary.get("recordsLost").asLong());
                assertEquals(summary.get("recordsSent").asLong(), summary.get("recordsIngested").asLong());
            } else {
                assertSkipped(1);
            }
        }

        @Test
        @DisplayName("asks the expert about 1 % of windows and trains an end model within 2 points of the gold model")
        void labelling() {
            JsonNode l = summary.get("labeling");
            assertTrue(l.get("expertQueries").asInt() > 0);
            double end = l.get("endModelAccuracy").asDouble();
            double goldModel = l.get("goldModelAccuracy").asDouble();
            assertTrue(end >= goldModel - 2, "end model " + end + " vs gold model " + goldModel);
            assertTrue(l.get("weakLabelAccuracy").asDouble() > 90, l.toString());
        }

        @Test
        @DisplayName("has 0 parity mismatches on every variant, when quantization ran")
        void parity() {
            if (summary.get("variants").isEmpty()) {
                assertSkipped(4);
            }
            for (JsonNode v : summary.get("variants")) {
                assertEquals(0, v.get("mismatches").asLong(), v.toString());
                assertTrue(List.of("simavr", "qemu", "java").contains(v.get("parity").asText()), v.toString());
                assertTrue(v.get("flashBytes").asLong() > 0, v.toString());
            }
        }

        @Test
        @DisplayName("leaves every device on a verified model, when the rollout ran")
        void rollout() {
            JsonNode r = summary.get("rollout");
            if (r.get("devices").isNull()) {
                assertSkipped(5);
            } else {
                assertEquals(0, r.get("unverified").asInt());
                assertEquals(r.get("devices").asInt(), r.get("onNewModel").asInt() + r.get("onOldModel").asInt());
            }
        }

        private static void assertSkipped(int step) {
            boolean listed = false;
            for (JsonNode s : summary.path("skipped")) {
                listed |= s.get("step").asInt() == step && !s.get("reason").asText().isBlank();
            }
            assertTrue(listed, "a missing figure must come with step " + step + " listed in 'skipped': " + summary);
        }
    }

    @Test
    @DisplayName("writes a self-contained report.html that renders in headless Chromium")
    void report() throws Exception {
        Path html = out.resolve("report.html");
        assertEquals(List.of(), DemoReportChecks.externalReferences(Files.readString(html)));
        DemoReportChecks.assertRendersInChromium(html, dir.resolve("shot"));
        assertFalse(Files.readString(html).contains("NaN"), "no NaN figures in the report");
    }

    @Test
    @DisplayName("rejects a fleet smaller than one device per variant with a one-line error")
    void rejectsTooFewDevices() {
        StringWriter e = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(new StringWriter(), true), new PrintWriter(e, true), "demo", "--out",
                dir.resolve("x").toString(), "--devices", "2");
        assertEquals(1, code);
        assertTrue(e.toString().startsWith("edgeloop: --devices must be between 3"), e.toString());
    }
}
