package io.edgeloop.labeling.lf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.window.Window;
import io.edgeloop.labeling.TestData;
import io.edgeloop.labeling.lf.provider.DurationLabellerProviderAccess;
import io.edgeloop.labeling.train.LabelProvenance;
import io.edgeloop.labeling.window.WindowSpec;
import io.edgeloop.labeling.window.Windower;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SensorHealthTest {
    /** datatraining.txt's Light channel in tumbling 10-sample windows (814 windows; Light is exactly 0 at night). */
    private static List<Window> occupancyLightWindows() throws IOException {
        List<String> lines = Files.readAllLines(TestData.datasets().resolve("occupancy-detection-uci")
                .resolve("datatraining.txt"));
        Windower w = new Windower(WindowSpec.bySamples(10).channels(List.of("Light")).build());
        List<Window> ws = new ArrayList<>();
        long t = 0;
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",");
            ws.addAll(w.add(SensorRecord.builder().deviceId("d").stream("s").timestampMillis(t += 60_000)
                    .channel("Light", Double.parseDouble(f[4])).build()));
        }
        return ws;
    }

    private static int votes(Labeller lf, List<Window> ws, int cls) {
        int n = 0;
        for (Window x : ws) {
            n += lf.label(x) == cls ? 1 : 0;
        }
        return n;
    }

    @Test
    @DisplayName("with default keys, sensor-health keeps a dark room's constant 0 lux: it votes as the threshold LF")
    void constantHealthyReadingsAreNotOffline() throws IOException {
        Map<String, String> keys = Map.of("feature", "Light.max", "below", "50", "vote", "0", "name", "dark");
        Labeller guarded = DurationLabellerProviderAccess.byName("sensor-health").create(ComponentConfig.of(keys));
        Labeller plain = DurationLabellerProviderAccess.byName("threshold").create(ComponentConfig.of(keys));
        List<Window> ws = occupancyLightWindows();
        int threshold = votes(plain, ws, 0);
        assertTrue(threshold > 500, "threshold votes " + threshold);
        assertEquals(threshold, votes(guarded, ws, 0), "sensor-health with defaults");
        // Opt-in flat-line detection, for channels that never sit at one value, still abstains on them.
        Map<String, String> optIn = new java.util.HashMap<>(keys);
        optIn.put("flatline.samples", "10");
        Labeller flat = DurationLabellerProviderAccess.byName("sensor-health").create(ComponentConfig.of(optIn));
        assertTrue(votes(flat, ws, 0) < threshold / 5, "opt-in flat-line");
    }

    @Test
    @DisplayName("the LF digest of a sensor-health labeller covers its rule, channels, limits and flat-line setting")
    void sensorHealthDigestCoversSettings() {
        Labeller r300 = Lf.named("light").when(Conditions.feature("Light.mean").above(300)).vote(1);
        Labeller r900 = Lf.named("light").when(Conditions.feature("Light.mean").above(900)).vote(1);
        String base = LabelProvenance.lfSha256(new SensorHealthLabeller(r300, List.of("Light"), 0, 1000, 10));
        assertEquals(base, LabelProvenance.lfSha256(new SensorHealthLabeller(
                Lf.named("light").when(Conditions.feature("Light.mean").above(300)).vote(1), List.of("Light"), 0, 1000,
                10)), "the same settings built twice");
        for (SensorHealthLabeller other : List.of(
                new SensorHealthLabeller(r900, List.of("Light"), 0, 1000, 10),
                new SensorHealthLabeller(r300, List.of("Light", "CO2"), 0, 1000, 10),
                new SensorHealthLabeller(r300, List.of("Light"), -50, 1000, 10),
                new SensorHealthLabeller(r300, List.of("Light"), 0, 5000, 10),
                new SensorHealthLabeller(r300, List.of("Light"), 0, 1000, 0))) {
            assertNotEquals(base, LabelProvenance.lfSha256(other), other.toString());
        }
        String d = new SensorHealthLabeller(r300, List.of("Light"), 0, 1000, 10).toString();
        assertTrue(d.contains("Light.mean > 300.0") && d.contains("[Light]") && d.contains("1000.0")
                && d.contains("flatline=10"), d);
    }
}
