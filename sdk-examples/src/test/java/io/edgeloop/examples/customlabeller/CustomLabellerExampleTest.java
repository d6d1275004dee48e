package io.edgeloop.examples.customlabeller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.api.spi.ProviderLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The custom labeller example")
class CustomLabellerExampleTest {
    @Test
    @DisplayName("is found by ProviderLoader under its name and configured from settings")
    void isFoundByName() {
        LabellerProvider p = ProviderLoader.of(LabellerProvider.class).select("co2-rise");
        assertInstanceOf(Co2RiseLabeller.class, p.create(ComponentConfig.of(Map.of("min-rise-ppm", "5"))));
        assertThrows(ConfigException.class, () -> p.create(ComponentConfig.of(Map.of("light-on-lux", "-3"))));
        ConfigException e = assertThrows(ConfigException.class,
                () -> p.create(ComponentConfig.of(Map.of("min-rise-pmm", "5"))));
        assertTrue(e.getMessage().contains("'min-rise-pmm' (did you mean 'min-rise-ppm'?)"), e.getMessage());
    }

    @Test
    @DisplayName("runs on the real occupancy test file, votes on a good share of windows and is mostly right")
    void runsOnRealData() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CustomLabellerExample.Result r = CustomLabellerExample.run(new PrintStream(buf, true, "UTF-8"));
        assertEquals(266, r.windows(), "2665 readings in windows of 10");
        assertTrue(r.coveragePercent() > 30, "coverage " + r.coveragePercent());
        assertTrue(r.accuracyPercent() > 85, "accuracy " + r.accuracyPercent());
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("coverage"));
    }

    @Test
    @DisplayName("abstains exactly at the light threshold when CO2 is flat")
    void thresholdBehaviour() {
        Co2RiseLabeller l = new Co2RiseLabeller("CO2", "Light", 10, 250);
        var w = io.edgeloop.api.window.Window.builder().deviceId("d").timestamps(new long[] {0, 1})
                .channel("CO2", new double[] {500, 500}).channel("Light", new double[] {250, 250}).build();
        assertEquals(Label.ABSTAIN, l.label(w));
        var dark = io.edgeloop.api.window.Window.builder().deviceId("d").timestamps(new long[] {0, 1})
                .channel("CO2", new double[] {500, 500}).channel("Light", new double[] {249.9, 249.9}).build();
        assertEquals(Co2RiseLabeller.EMPTY, l.label(dark));
    }
}
