package io.edgeloop.transport.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.tck.ModulePathProbe;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kafka providers are found on the module path through {@code module-info.java} (the other tests use the
 * class path and META-INF/services): a fresh JVM whose module path holds only sdk-api, this module, kafka-clients
 * and slf4j-api looks them up.
 */
class ModulePathDiscoveryTest {
    @Test
    @DisplayName("finds the kafka transport and the kafka sensor source on the module path")
    void modulePath() throws Exception {
        List<String> mp = ModulePathProbe.testModulePath(e -> {
            String n = Path.of(e).getFileName().toString();
            boolean ours = n.equals("classes") && (e.contains("sdk-api") || e.contains("sdk-transport-kafka"));
            return ours || n.startsWith("sdk-api") || n.startsWith("kafka-clients") || n.startsWith("slf4j-api");
        });
        String m = "io.edgeloop.transport.kafka";
        Map<String, Map<String, String>> found = ModulePathProbe.discover(mp, m, TransportProvider.class,
                SensorSourceProvider.class);
        assertEquals(Map.of("kafka", m), found.get(TransportProvider.class.getName()), "module path " + mp);
        assertEquals(Map.of("kafka", m), found.get(SensorSourceProvider.class.getName()), "module path " + mp);
    }
}
