package io.edgeloop.examples.demo.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("summary.json")
class SummaryJsonTest {
    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    @DisplayName("has exactly the documented shape, with accuracies in percent rounded to two decimals")
    void exactShape(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("summary.json");
        SummaryJson.write(ReportFixtures.complete(), f);
        JsonNode n = new ObjectMapper().readTree(Files.readString(f));
        assertEquals(List.of("recordsSent", "recordsIngested", "recordsLost", "duplicatesDropped", "labeling",
                "variants", "rollout"), names(n));
        assertEquals(List.of("weakLabelAccuracy", "expertQueries", "endModelAccuracy", "goldModelAccuracy",
                "byTestFile"),
                names(n.get("labeling")));
        assertEquals(List.of("target", "scheme", "floatAccuracy", "quantizedAccuracy", "parity", "mismatches",
                "flashBytes"), names(n.get("variants").get(0)));
        assertEquals(List.of("devices", "onNewModel", "onOldModel", "unverified"), names(n.get("rollout")));
        assertEquals(97.12, n.at("/labeling/weakLabelAccuracy").asDouble());
        assertEquals(98.46, n.at("/labeling/endModelAccuracy").asDouble());
        assertEquals(List.of("file", "windows", "endModelAccuracy", "goldModelAccuracy"),
                names(n.at("/labeling/byTestFile/1")));
        assertEquals("datatest2.txt", n.at("/labeling/byTestFile/1/file").asText());
        assertEquals(95.38, n.at("/labeling/byTestFile/1/endModelAccuracy").asDouble());
        assertEquals(91.24, n.at("/labeling/byTestFile/1/goldModelAccuracy").asDouble());
        assertEquals(0, SummaryJson.toJson(ReportFixtures.partial()).at("/labeling/byTestFile").size());
        assertEquals("simavr", n.at("/variants/0/parity").asText());
        assertEquals(0, n.get("recordsLost").asLong());
        assertFalse(n.has("skipped"));
    }

    @Test
    @DisplayName("leaves unmeasured figures null and lists the skipped steps with their reasons")
    void partialRunIsHonest() {
        JsonNode n = SummaryJson.toJson(ReportFixtures.partial());
        assertTrue(n.at("/labeling/endModelAccuracy").isNull());
        assertTrue(n.at("/rollout/devices").isNull());
        assertEquals(0, n.get("variants").size());
        assertEquals(3, n.get("skipped").size());
        assertTrue(n.at("/skipped/0/reason").asText().contains("label model"));
    }

    @Test
    @DisplayName("rounds half up and writes null, not NaN, for an unmeasurable accuracy")
    void roundingAndNaN() {
        assertEquals(12.35, SummaryJson.percent(12.345));
        assertEquals(100.0, SummaryJson.percent(99.999));
        DemoResults r = ReportFixtures.base().labeling(new DemoResults.Labeling(0, "mv", Double.NaN, 0, 0, 50, 50,
                Double.NaN, List.of())).build();
        assertTrue(SummaryJson.toJson(r).at("/labeling/weakLabelAccuracy").isNull());
    }
}
