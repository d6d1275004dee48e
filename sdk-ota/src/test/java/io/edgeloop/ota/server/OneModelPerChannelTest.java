package io.edgeloop.ota.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A channel carries one model: a bundle of another model name published on it would replace the channel's latest
 * publication and hide the first model's releases from its devices (rev-s6-ota item 3), so it is refused.
 */
class OneModelPerChannelTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 64);

    static Path bundle(Path dir, String name, long sequence) throws Exception {
        Path f = dir.resolve(name + "-" + sequence + ".bundle");
        Files.write(f, Fixtures.opaqueBundle(name, sequence, 500, sequence, K));
        return f;
    }

    @Test
    @DisplayName("file store: publishing model occ on har's channel is refused (OTHER_MODEL) and har stays latest")
    void fileStoreRefusesSecondModel(@TempDir Path dir) throws Exception {
        ChannelStore store = ChannelStore.withoutVerification(dir.resolve("store"));
        store.publish(bundle(dir, "har", 9), "stable");
        PublicationRefusedException e = assertThrows(PublicationRefusedException.class,
                () -> store.publish(bundle(dir, "occ", 1), "stable"));
        assertEquals(PublicationRefusedException.Reason.OTHER_MODEL, e.reason());
        assertTrue(e.getMessage().contains("channel stable carries model har") && e.getMessage().contains("occ"),
                e.getMessage());
        Publication latest = store.latest("stable").orElseThrow();
        assertEquals("har", latest.name());
        assertEquals(9, latest.sequence());
        assertEquals(Optional.empty(), store.latest("occ-stable"));
        assertEquals("occ", store.publish(bundle(dir, "occ", 1), "occ-stable").name(), "another channel is fine");
        assertEquals(10, store.publish(bundle(dir, "har", 10), "stable").sequence(), "har itself still publishes");
    }

    @Test
    @DisplayName("directory deployer: the refusal is one line naming both models and the channel")
    void directoryDeployerSaysWhy(@TempDir Path dir) throws Exception {
        var dep = ProviderLoader.of(DeployerProvider.class).select("directory")
                .create(ComponentConfig.builder().put("root", dir.resolve("store").toString()).build());
        dep.publish(bundle(dir, "har", 9), "stable");
        DeploymentException e = assertThrows(DeploymentException.class, () -> dep.publish(bundle(dir, "occ", 1), "stable"));
        assertTrue(e.getMessage().contains("carries model har") && !e.getMessage().contains("\n"), e.getMessage());
        assertEquals(9, dep.latest("stable").orElseThrow().sequence());
    }

    @Test
    @DisplayName("over HTTP: the PUT of another model is 409 with the reason, and har's devices still see har")
    void httpRefusesSecondModelWith409(@TempDir Path dir) throws Exception {
        try (UpdateServer s = new UpdateServer(ChannelStore.withoutVerification(dir.resolve("store")),
                new InetSocketAddress("127.0.0.1", 0), 1 << 24)) {
            var dep = ProviderLoader.of(DeployerProvider.class).select("http")
                    .create(ComponentConfig.builder().put("url", s.url()).put("timeout", "5s").build());
            dep.publish(bundle(dir, "har", 9), "stable");
            DeploymentException e = assertThrows(DeploymentException.class,
                    () -> dep.publish(bundle(dir, "occ", 1), "stable"));
            assertTrue(e.getMessage().contains("HTTP 409") && e.getMessage().contains("carries model har"),
                    e.getMessage());
            Publication p = dep.latest("stable").orElseThrow();
            assertEquals("har", p.name());
            assertEquals(9, p.sequence());
        }
    }
}
