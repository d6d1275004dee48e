package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.tck.ModulePathProbe;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The transports and the csv-replay source are found on the module path through {@code module-info.java} (the
 * other tests use the class path and META-INF/services): a fresh JVM on the module path looks them up.
 */
class ModulePathDiscoveryTest {
    @Test
    @DisplayName("finds the four transports and the csv-replay sensor source on the module path")
    void modulePath() throws Exception {
        String m = "io.edgeloop.buffer";
        Map<String, Map<String, String>> found = ModulePathProbe.discover(ModulePathProbe.testModulePath(), m,
                TransportProvider.class, SensorSourceProvider.class);
        assertEquals(Map.of("file-drop", m, "http", m, "mqtt", m, "relay", m),
                found.get(TransportProvider.class.getName()));
        assertEquals(Map.of("csv-replay", m), found.get(SensorSourceProvider.class.getName()));
    }
}
