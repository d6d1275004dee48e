package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.ota.registry.ModelRegistry;
import io.edgeloop.ota.registry.fs.FileSystemRegistryProvider;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployers and the file-system registry refuse a configuration key they do not read, naming the closest
 * known one (a misspelt {@code publishToken} used to publish without the token, refused by the server later with
 * nothing pointing at the typo), and accept every key they document.
 */
@DisplayName("Deployer and registry configuration keys")
class UnknownDeployerKeysTest {
    @Test
    @DisplayName("the http deployer refuses a misspelt key, naming the closest known key")
    void httpRefusesMisspeltKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> new HttpDeployerProvider().create(
                ComponentConfig.of(Map.of("url", "http://127.0.0.1:9", "publishtoken", "t"))));
        assertEquals("publishtoken", e.key());
        assertTrue(e.getMessage().contains("'publishtoken' (did you mean 'publishToken'?) for the http deployer"),
                e.getMessage());
    }

    @Test
    @DisplayName("the directory deployer refuses a misspelt key, naming the closest known key")
    void directoryRefusesMisspeltKey(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> new DirectoryDeployerProvider().create(
                ComponentConfig.of(Map.of("root", dir.toString(), "max-bundle-bytes", "1MiB"))));
        assertEquals("max-bundle-bytes", e.key());
        assertTrue(e.getMessage().contains("(did you mean 'maxBundleBytes'?)"), e.getMessage());
    }

    @Test
    @DisplayName("the filesystem registry refuses a misspelt key, naming the closest known key")
    void registryRefusesMisspeltKey(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> new FileSystemRegistryProvider().create(
                ComponentConfig.of(Map.of("root", dir.toString(), "rot", "x"))));
        assertTrue(e.getMessage().contains("'rot' (did you mean 'root'?)"), e.getMessage());
    }

    @Test
    @DisplayName("accepts every documented key")
    void acceptsDocumentedKeys(@TempDir Path dir) throws Exception {
        try (Deployer http = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", "http://127.0.0.1:9",
                "timeout", "5s", "minBytesPerSecond", "4k", "maxBundleBytes", "1MiB", "publishToken", "t0k3n")));
             Deployer directory = new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root",
                     dir.resolve("d").toString(), "maxBundleBytes", "1MiB", "trust",
                     dir.resolve("t.json").toString())));
             ModelRegistry registry = new FileSystemRegistryProvider().create(ComponentConfig.of(Map.of("root",
                     dir.resolve("r").toString())))) {
            assertTrue(http != null && directory != null && registry != null);
        }
    }
}
