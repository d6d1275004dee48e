package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code directory} deployer's fetch opened the publication's file for reading alone: a FIFO at the bundle's
 * name in the store made open(2) wait for a writer for good, and the device's poll with it (review LOW 2, the
 * device side of the channel store's reads). Now it is read through {@code RegularFileChannel}: the fetch fails naming
 * what is there. A real FIFO ({@code mkfifo}); 20 s bound, then the test opens the FIFO itself to free a stuck open.
 */
class DirectoryFetchFifoTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 65);

    @Test
    @DisplayName("a FIFO at the published bundle's name fails the fetch instead of holding it for good")
    void fifoAtTheBundleFailsTheFetch(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        try (Deployer d = new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root",
                root.toString())))) {
            Publication p = d.publish(Files.write(dir.resolve("b.bundle"),
                    Fixtures.opaqueBundle("har", 1, 100, 1, K)), "stable");
            Path stored = Path.of(p.location());
            Files.delete(stored);
            Process m = new ProcessBuilder("mkfifo", stored.toString()).inheritIO().start();
            assertEquals(0, m.waitFor(), "mkfifo");
            CompletableFuture<Void> fetch = CompletableFuture.runAsync(() -> {
                try {
                    d.fetch(p, dir.resolve("download.bundle"));
                } catch (DeploymentException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            try {
                fetch.get(20, TimeUnit.SECONDS);
                fail("the fetch of a FIFO succeeded");
            } catch (ExecutionException e) {
                assertTrue(e.getCause() instanceof DeploymentException
                        && e.getCause().getMessage().contains("not a regular file"), String.valueOf(e.getCause()));
            } catch (TimeoutException hung) {
                FileChannel.open(stored, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
                fail("the fetch waited on the FIFO for 20 s");
            }
        }
    }
}
