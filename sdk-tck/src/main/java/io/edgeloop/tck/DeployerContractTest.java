package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract tests for {@link Deployer} implementations: publish, poll and fetch round-trip bytes exactly, and a
 * fetch whose bytes do not match the publication fails.
 *
 * <p>Thread safety: JUnit creates one instance per test method; instances are not shared between threads.
 */
public abstract class DeployerContractTest extends ProviderContractTest<DeployerProvider> {
    /**
     * Returns a configuration for a fresh, empty deployment back end.
     *
     * @param workDir a temporary directory the deployer may use
     * @return the configuration
     * @throws Exception when the back end cannot be prepared
     */
    protected abstract ComponentConfig config(Path workDir) throws Exception;

    @Override
    protected final Class<DeployerProvider> providerType() {
        return DeployerProvider.class;
    }

    /**
     * Writes a file to publish. The default is {@code size} seeded random bytes, for back ends that treat bundles as
     * opaque. A back end that reads what it publishes (for example one that refuses unreadable bundles or a
     * sequence not above the channel's latest) overrides this to write a real bundle of about {@code size} bytes;
     * within one test the seeds increase, so an override may use the seed as the sequence.
     *
     * @param dir  the directory to write into
     * @param size the wanted size in bytes
     * @param seed the seed (1, 2, 3, ...; increasing within a test)
     * @return the file
     * @throws Exception when it cannot be written
     */
    protected Path bundleFile(Path dir, int size, long seed) throws Exception {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path f = dir.resolve("bundle-" + seed + ".tar");
        Files.write(f, b);
        return f;
    }

    @Test
    @DisplayName("reports nothing published on a new channel")
    void emptyChannel(@TempDir Path dir) throws Exception {
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            assertEquals(Optional.empty(), d.latest("tck-empty"));
        }
    }

    @Test
    @DisplayName("round-trips a published bundle byte for byte")
    void roundTrips(@TempDir Path dir) throws Exception {
        Path src = bundleFile(dir, 300_000, 1);
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            Publication p = d.publish(src, "tck");
            assertEquals(Sha256.hex(src), p.sha256());
            assertEquals(Files.size(src), p.sizeBytes());
            Publication latest = d.latest("tck").orElseThrow();
            assertEquals(p.sha256(), latest.sha256());
            Path dst = dir.resolve("fetched.tar");
            d.fetch(latest, dst);
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst));
        }
    }

    @Test
    @DisplayName("replaces a channel's publication when a newer bundle is published")
    void replaces(@TempDir Path dir) throws Exception {
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            d.publish(bundleFile(dir, 1000, 1), "tck");
            Publication second = d.publish(bundleFile(dir, 2000, 2), "tck");
            assertEquals(second.sha256(), d.latest("tck").orElseThrow().sha256());
        }
    }

    @Test
    @DisplayName("fails a fetch whose bytes do not match the publication's digest")
    void rejectsMismatch(@TempDir Path dir) throws Exception {
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            Publication p = d.publish(bundleFile(dir, 5000, 3), "tck");
            Publication wrong = new Publication(p.channel(), p.name(), p.sequence(),
                    "0".repeat(64), p.sizeBytes(), p.location());
            Path dst = dir.resolve("bad.tar");
            assertThrows(DeploymentException.class, () -> d.fetch(wrong, dst));
            // Bytes that failed verification must not stay where a caller could take them for the bundle.
            assertFalse(Files.exists(dst), "a fetch whose digest did not match left " + dst + " behind");
        }
    }

    @Test
    @DisplayName("closes idempotently and refuses latest, publish and fetch after close")
    void lifecycle(@TempDir Path dir) throws Exception {
        Path src = bundleFile(dir, 1000, 1);
        Deployer d = provider().create(config(dir.resolve("backend")));
        Publication p = d.publish(src, "tck");
        d.close();
        assertDoesNotThrow(d::close);
        assertThrows(IllegalStateException.class, () -> d.latest("tck"));
        assertThrows(IllegalStateException.class, () -> d.publish(src, "tck"), "publish after close");
        Path dst = dir.resolve("after-close.tar");
        assertThrows(IllegalStateException.class, () -> d.fetch(p, dst), "fetch after close");
        assertFalse(Files.exists(dst), "a fetch refused after close must not create " + dst);
    }
}
