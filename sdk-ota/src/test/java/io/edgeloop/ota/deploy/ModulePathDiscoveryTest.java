package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.ota.registry.ModelRegistryProvider;
import io.edgeloop.tck.ModulePathProbe;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The providers are found on the module path through {@code module-info.java} (the other tests use the class
 * path and META-INF/services): a fresh JVM on the module path looks them up.
 */
class ModulePathDiscoveryTest {
    @Test
    @DisplayName("finds the directory and http deployers and the filesystem registry on the module path")
    void modulePath() throws Exception {
        String m = "io.edgeloop.ota";
        Map<String, Map<String, String>> found = ModulePathProbe.discover(ModulePathProbe.testModulePath(), m,
                DeployerProvider.class, ModelRegistryProvider.class);
        assertEquals(Map.of("directory", m, "http", m), found.get(DeployerProvider.class.getName()));
        assertEquals(Map.of("filesystem", m), found.get(ModelRegistryProvider.class.getName()));
    }
}
