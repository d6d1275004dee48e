package io.edgeloop.labeling.lf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.tck.ModulePathProbe;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The built-in labellers are found on the module path through {@code provides} in module-info (named modules
 * ignore META-INF/services): a child JVM puts this module's classes and its dependencies on the module path.
 */
class LabellerModulePathTest {
    @Test
    @DisplayName("every built-in provider is discoverable by name on the module path")
    void discoverableOnModulePath() throws Exception {
        Map<String, Map<String, String>> found = ModulePathProbe.discover(ModulePathProbe.testModulePath(),
                "io.edgeloop.labeling", LabellerProvider.class);
        String m = "io.edgeloop.labeling";
        assertEquals(Map.of("threshold", m, "range", m, "duration", m, "rate-of-change", m, "sensor-health", m),
                found.get(LabellerProvider.class.getName()));
    }
}
