package io.edgeloop.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.tck.ModulePathProbe;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The quantizers and the integer runtime are found on the module path through {@code module-info.java} (the other
 * tests use the class path and META-INF/services): a fresh JVM on the module path, Tribuo included, looks them up.
 */
class ModulePathDiscoveryTest {
    @Test
    @DisplayName("finds the int8/int16/int32 quantizers and the edgeloop-int runtime on the module path")
    void modulePath() throws Exception {
        String m = "io.edgeloop.quantize";
        Map<String, Map<String, String>> found = ModulePathProbe.discover(ModulePathProbe.testModulePath(), m,
                QuantizerProvider.class, ModelRuntimeProvider.class);
        assertEquals(Map.of("int8", m, "int16", m, "int32", m), found.get(QuantizerProvider.class.getName()));
        assertEquals(Map.of("edgeloop-int", m), found.get(ModelRuntimeProvider.class.getName()));
    }
}
