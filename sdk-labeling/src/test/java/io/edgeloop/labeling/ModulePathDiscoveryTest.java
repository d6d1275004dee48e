package io.edgeloop.labeling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.tck.ModulePathProbe;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The labelling-function providers are found on the module path through {@code module-info.java} (the other tests
 * use the class path and META-INF/services): a fresh JVM on the module path, Tribuo included, looks them up.
 */
class ModulePathDiscoveryTest {
    @Test
    @DisplayName("finds the five labelling-function providers on the module path")
    void modulePath() throws Exception {
        String m = "io.edgeloop.labeling";
        Map<String, Map<String, String>> found = ModulePathProbe.discover(ModulePathProbe.testModulePath(), m,
                LabellerProvider.class);
        assertEquals(Map.of("threshold", m, "range", m, "duration", m, "rate-of-change", m, "sensor-health", m),
                found.get(LabellerProvider.class.getName()));
    }
}
