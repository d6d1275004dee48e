package io.edgeloop.quantize.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.tck.ModulePathProbe;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The quantizers and the runtime are found on the module path through {@code provides} in module-info (named
 * modules ignore META-INF/services): a child JVM puts this module's classes and its dependencies on the module
 * path and selects each provider by name. The class path is covered by every other test.
 */
class ProviderModulePathTest {
    @Test
    @DisplayName("int8, int16, int32 and edgeloop-int are discoverable by name on the module path")
    void discoverableOnModulePath() throws Exception {
        String m = "io.edgeloop.quantize";
        Map<String, Map<String, String>> found = ModulePathProbe.discover(ModulePathProbe.testModulePath(), m,
                QuantizerProvider.class, ModelRuntimeProvider.class);
        assertEquals(Map.of("int8", m, "int16", m, "int32", m), found.get(QuantizerProvider.class.getName()));
        assertEquals(Map.of("edgeloop-int", m), found.get(ModelRuntimeProvider.class.getName()));
    }
}
