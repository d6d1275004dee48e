package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.ota.registry.ModelRegistry;
import io.edgeloop.ota.registry.fs.FileSystemRegistryProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployers and the file-system registry refuse a configuration key they do not read, naming the closest
 * known one (a misspelt {@code publish-token} used to publish without the token, refused by the server later with
 * nothing pointing at the typo), and accept every key they document. The deployers' camelCase keys of before
 * 2026-12-03 still work, as deprecated aliases of the lower-kebab ones.
 */
@DisplayName("Deployer and registry configuration keys")
class UnknownDeployerKeysTest {
    @Test
    @DisplayName("the http deployer refuses a misspelt key, naming the closest known key")
    void httpRefusesMisspeltKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> new HttpDeployerProvider().create(
                ComponentConfig.of(Map.of("url", "http://127.0.0.1:9", "publishtoken", "t"))));
        assertEquals("publishtoken", e.key());
        assertTrue(e.getMessage().contains("'publishtoken' (did you mean 'publish-token'?) for the http deployer"),
                e.getMessage());
    }

    @Test
    @DisplayName("the directory deployer refuses a misspelt key, naming the closest known key")
    void directoryRefusesMisspeltKey(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> new DirectoryDeployerProvider().create(
                ComponentConfig.of(Map.of("root", dir.toString(), "max-bundle-byte", "1MiB"))));
        assertEquals("max-bundle-byte", e.key());
        assertTrue(e.getMessage().contains("(did you mean 'max-bundle-bytes'?)"), e.getMessage());
        assertTrue(e.getMessage().endsWith("known keys: max-bundle-bytes, root, trust"), e.getMessage());
    }

    @Test
    @DisplayName("the filesystem registry refuses a misspelt key, naming the closest known key")
    void registryRefusesMisspeltKey(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> new FileSystemRegistryProvider().create(
                ComponentConfig.of(Map.of("root", dir.toString(), "rot", "x"))));
        assertTrue(e.getMessage().contains("'rot' (did you mean 'root'?)"), e.getMessage());
    }

    @Test
    @DisplayName("the http deployer refuses a zero or negative timeout, naming the key")
    void httpRefusesANonPositiveTimeout() {
        for (String t : new String[] {"0s", "0", "PT0S"}) { // a negative one: ComponentConfig.getDuration refuses
            ConfigException e = assertThrows(ConfigException.class, () -> new HttpDeployerProvider().create(
                    ComponentConfig.of(Map.of("url", "http://127.0.0.1:9", "timeout", t))), t);
            // before: IllegalArgumentException "Invalid duration: PT0S" from the JDK's HttpClient.Builder
            assertEquals("timeout", e.key(), e.getMessage());
            assertTrue(e.getMessage().contains("deployer timeout must be a positive duration, got '" + t + "'"),
                    e.getMessage());
        }
    }

    @Test
    @DisplayName("accepts every documented key")
    void acceptsDocumentedKeys(@TempDir Path dir) throws Exception {
        try (Deployer http = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", "http://127.0.0.1:9",
                "timeout", "5s", "min-bytes-per-second", "4k", "max-bundle-bytes", "1MiB", "publish-token", "t0k3n")));
             Deployer directory = new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root",
                     dir.resolve("d").toString(), "max-bundle-bytes", "1MiB", "trust",
                     dir.resolve("t.json").toString())));
             ModelRegistry registry = new FileSystemRegistryProvider().create(ComponentConfig.of(Map.of("root",
                     dir.resolve("r").toString())))) {
            assertTrue(http != null && directory != null && registry != null);
        }
    }

    @Test
    @DisplayName("reads the old camelCase keys as the new ones, with one WARN per deployer naming the new spelling")
    void oldKeysStillWorkAndWarn(@TempDir Path dir) throws Exception {
        Publication tooBig = new Publication("stable", "har", 1, "ab".repeat(32), 101, "http://127.0.0.1:9/b");
        Map.Entry<String, Deployer[]> r = logged(() -> new Deployer[] {
                new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", "http://127.0.0.1:9",
                        "maxBundleBytes", "100", "minBytesPerSecond", "4k", "publishToken", "t0k3n"))),
                new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root", dir.resolve("d").toString(),
                        "maxBundleBytes", "100")))});
        try (Deployer http = r.getValue()[0]; Deployer directory = r.getValue()[1]) {
            for (Deployer d : new Deployer[] {http, directory}) {
                // the old key's value is the limit: a 101-byte publication is refused before a byte is fetched
                DeploymentException e = assertThrows(DeploymentException.class, () -> d.fetch(tooBig,
                        dir.resolve("x")));
                assertTrue(e.getMessage().contains("above the 100-byte limit (config max-bundle-bytes)"),
                        e.getMessage());
            }
        }
        List<String> warnings = r.getKey().lines().toList();
        assertEquals(2, warnings.size(), r.getKey());
        assertTrue(warnings.get(0).contains("WARN") && warnings.get(0).contains("http deployer")
                && warnings.get(0).contains("'maxBundleBytes' (now 'max-bundle-bytes')")
                && warnings.get(0).contains("'minBytesPerSecond' (now 'min-bytes-per-second')")
                && warnings.get(0).contains("'publishToken' (now 'publish-token')"), warnings.get(0));
        assertFalse(r.getKey().contains("t0k3n"), "the token is not logged: " + r.getKey());
        assertTrue(warnings.get(1).contains("WARN") && warnings.get(1).contains("directory deployer")
                && warnings.get(1).contains("'maxBundleBytes' (now 'max-bundle-bytes')"), warnings.get(1));
        assertEquals("", logged(() -> new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url",
                "http://127.0.0.1:9", "max-bundle-bytes", "100")))).getKey(), "the new spelling warns of nothing");
    }

    @Test
    @DisplayName("refuses the old and the new spelling of one key set to different values, naming both")
    void refusesBothSpellingsWithTwoValues(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> new HttpDeployerProvider().create(
                ComponentConfig.of(Map.of("url", "http://127.0.0.1:9", "publishToken", "old-secret",
                        "publish-token", "new-secret"))));
        assertEquals("publish-token", e.key());
        assertTrue(e.getMessage().contains("'publish-token' and 'publishToken'"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), "no token in the message: " + e.getMessage());
        ConfigException d = assertThrows(ConfigException.class, () -> new DirectoryDeployerProvider().create(
                ComponentConfig.of(Map.of("root", dir.toString(), "maxBundleBytes", "1MiB",
                        "max-bundle-bytes", "2MiB"))));
        assertEquals("max-bundle-bytes", d.key());
    }

    /** Runs the call with slf4j-simple's System.err captured; returns the log and the result. */
    private static <T> Map.Entry<String, T> logged(Callable<T> call) throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        T result;
        try {
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
            result = call.call();
        } finally {
            System.setErr(stderr);
        }
        return Map.entry(log.toString(StandardCharsets.UTF_8), result);
    }
}
