package io.edgeloop.examples.demo.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code summary.json}, the machine-readable result of a demo run, in the shape the demo promises:
 * <pre>{@code
 * {"recordsSent", "recordsIngested", "recordsLost", "duplicatesDropped",
 *  "labeling": {"weakLabelAccuracy", "expertQueries", "endModelAccuracy", "goldModelAccuracy",
 *               "byTestFile": [{"file", "windows", "endModelAccuracy", "goldModelAccuracy"}]},
 *  "variants": [{"target", "scheme", "floatAccuracy", "quantizedAccuracy", "parity", "mismatches", "flashBytes"}],
 *  "rollout": {"devices", "onNewModel", "onOldModel", "unverified"}}
 * }</pre>
 * Accuracies are percentages rounded to two decimals. A figure that a step could not measure is {@code null},
 * never a made-up value, and only then one more member, {@code "skipped"}, lists the steps that did not fully
 * run with the reason.
 *
 * <p>Thread-safe: stateless.
 */
public final class SummaryJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SummaryJson() {
    }

    /**
     * Builds the summary.
     *
     * @param r the run's results
     * @return the JSON tree
     */
    public static ObjectNode toJson(DemoResults r) {
        ObjectNode root = JSON.createObjectNode();
        if (r.ingest().isPresent()) {
            DemoResults.Ingest i = r.ingest().get();
            root.put("recordsSent", i.recordsSent());
            root.put("recordsIngested", i.recordsIngested());
            root.put("recordsLost", i.recordsLost());
            root.put("duplicatesDropped", i.duplicatesDropped());
        } else {
            for (String k : new String[] {"recordsSent", "recordsIngested", "recordsLost", "duplicatesDropped"}) {
                root.putNull(k);
            }
        }
        ObjectNode lab = root.putObject("labeling");
        if (r.labeling().isPresent()) {
            DemoResults.Labeling l = r.labeling().get();
            putPercent(lab, "weakLabelAccuracy", l.weakLabelAccuracy());
            lab.put("expertQueries", l.expertQueries());
            putPercent(lab, "endModelAccuracy", l.endModelAccuracy());
            putPercent(lab, "goldModelAccuracy", l.goldModelAccuracy());
        } else {
            for (String k : new String[] {"weakLabelAccuracy", "expertQueries", "endModelAccuracy",
                    "goldModelAccuracy"}) {
                lab.putNull(k);
            }
        }
        // Per test file (the combined figures above are over all of them): added after the promised members.
        ArrayNode files = lab.putArray("byTestFile");
        for (DemoResults.TestFileAccuracy f : r.labelingByTestFile()) {
            ObjectNode n = files.addObject();
            n.put("file", f.file());
            n.put("windows", f.windows());
            putPercent(n, "endModelAccuracy", f.endModelAccuracy());
            putPercent(n, "goldModelAccuracy", f.goldModelAccuracy());
        }
        ArrayNode vs = root.putArray("variants");
        for (DemoResults.Variant v : r.variants()) {
            ObjectNode n = vs.addObject();
            n.put("target", v.target());
            n.put("scheme", v.scheme());
            putPercent(n, "floatAccuracy", v.floatAccuracy());
            putPercent(n, "quantizedAccuracy", v.quantizedAccuracy());
            n.put("parity", v.parity());
            n.put("mismatches", v.mismatches());
            n.put("flashBytes", v.flashBytes());
        }
        ObjectNode ro = root.putObject("rollout");
        if (r.rollout().isPresent()) {
            DemoResults.Rollout o = r.rollout().get();
            ro.put("devices", o.devices());
            ro.put("onNewModel", o.onNewModel());
            ro.put("onOldModel", o.onOldModel());
            ro.put("unverified", o.unverified());
        } else {
            for (String k : new String[] {"devices", "onNewModel", "onOldModel", "unverified"}) {
                ro.putNull(k);
            }
        }
        ArrayNode skipped = JSON.createArrayNode();
        for (DemoResults.Step s : r.steps()) {
            if (s.status() != DemoResults.Status.DONE) {
                skipped.addObject().put("step", s.number()).put("title", s.title())
                        .put("status", s.status().name().toLowerCase(java.util.Locale.ROOT)).put("reason", s.detail());
            }
        }
        if (!skipped.isEmpty()) {
            root.set("skipped", skipped);
        }
        return root;
    }

    /**
     * Writes the summary to a file.
     *
     * @param r    the results
     * @param file the file to write
     * @throws IOException when it cannot be written
     */
    public static void write(DemoResults r, Path file) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(toJson(r)) + "\n", StandardCharsets.UTF_8);
    }

    private static void putPercent(ObjectNode node, String key, double value) {
        if (Double.isFinite(value)) {
            node.put(key, percent(value));
        } else {
            node.putNull(key); // not measurable (for example no test rows): say so rather than print NaN
        }
    }

    /**
     * Rounds a percentage to two decimals (half up), so the file shows figures as people read them.
     *
     * @param value the percentage
     * @return the rounded value
     */
    static double percent(double value) {
        if (!Double.isFinite(value)) {
            return value;
        }
        return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP).doubleValue();
    }
}
