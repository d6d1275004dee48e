package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.agent.DeviceAgent;
import io.edgeloop.ota.agent.FileDeviceStorage;
import io.edgeloop.ota.agent.InstallOutcome;
import io.edgeloop.ota.server.ChannelStore;
import io.edgeloop.ota.server.UpdateServer;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Devices poll a real update server over HTTP, resume interrupted downloads, and install what they verify. */
class UpdateDeliveryTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 51);
    static final TrustRoot TRUST = Fixtures.trust(1, K);

    @Test
    @DisplayName("a device polls the update server, fetches, verifies and installs; then sees no update")
    void pollInstall(@TempDir Path dir) throws Exception {
        try (UpdateServer server = new UpdateServer(ChannelStore.withoutVerification(dir.resolve("srv")),
                new InetSocketAddress("127.0.0.1", 0), 1 << 26);
                Deployer d = ProviderLoader.of(DeployerProvider.class).select("http")
                        .create(ComponentConfig.of(Map.of("url", server.url())))) {
            Path b = dir.resolve("b.bundle");
            Files.write(b, Fixtures.draft("har", 3, 0, 5, TargetProfile.JVM).sign(K));
            Publication p = d.publish(b, "stable");
            assertEquals("har", p.name());
            assertEquals(3, p.sequence());
            DeviceAgent agent = DeviceAgent.builder().deviceId("gw-1").model("har").target(TargetProfile.JVM).trust(TRUST)
                    .storage(new FileDeviceStorage(dir.resolve("dev/state"))).staging(dir.resolve("dev/staging"))
                    .clock(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC)).open();
            assertEquals(InstallOutcome.INSTALLED, agent.poll(d, "stable").outcome());
            assertEquals(InstallOutcome.NO_UPDATE, agent.poll(d, "stable").outcome());
            try (var s = Files.list(dir.resolve("dev/staging"))) {
                assertEquals(0, s.count(), "downloads are removed after install");
            }
        }
    }

    @Test
    @DisplayName("publishes to a server with a publish token when configured with it (sent on PUT only); without "
            + "it, or with a wrong one, the server's refusal reaches the caller as a DeploymentException")
    void publishesWithToken(@TempDir Path dir) throws Exception {
        String token = "edgeloop-publish-token-0123456789";
        try (UpdateServer server = new UpdateServer(ChannelStore.withoutVerification(dir.resolve("srv")),
                new InetSocketAddress("127.0.0.1", 0), 1 << 26, java.util.Optional.of(token));
                Deployer none = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url())));
                Deployer wrong = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url(),
                        "publish-token", token + "x")));
                Deployer right = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url(),
                        "publish-token", token)))) {
            Path b = dir.resolve("b.bundle");
            Files.write(b, Fixtures.draft("har", 3, 0, 5, TargetProfile.JVM).sign(K));
            for (Deployer d : new Deployer[] {none, wrong}) {
                DeploymentException e = assertThrows(DeploymentException.class, () -> d.publish(b, "stable"));
                assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("token"), e.getMessage());
            }
            assertTrue(none.latest("stable").isEmpty(), "nothing was published; reading needs no token");
            assertEquals(3, right.publish(b, "stable").sequence());
            assertEquals(3, none.latest("stable").orElseThrow().sequence());
        }
        for (String bad : new String[] {" ", "has space", "tab\tx"}) {
            assertThrows(IllegalArgumentException.class, () -> new HttpDeployerProvider().create(
                    ComponentConfig.of(Map.of("url", "http://127.0.0.1:1", "publish-token", bad))), bad);
        }
    }

    @Test
    @DisplayName("resumes an interrupted download with an HTTP Range request")
    @SuppressWarnings("try") // the server is closed inside its try block on purpose
    void resumes(@TempDir Path dir) throws Exception {
        try (UpdateServer server = new UpdateServer(ChannelStore.withoutVerification(dir.resolve("srv")),
                new InetSocketAddress("127.0.0.1", 0), 1 << 26);
                Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url())))) {
            byte[] big = Fixtures.opaqueBundle("har", 4, 700_000, 9, K);
            Path b = dir.resolve("big.bin");
            Files.write(b, big);
            Publication p = d.publish(b, "beta");
            Path dst = dir.resolve("partial.bin");
            Files.write(dst, Arrays.copyOf(big, 300_001)); // what an interrupted download left behind
            d.fetch(p, dst);
            assertArrayEquals(big, Files.readAllBytes(dst));
            assertEquals(1, server.rangeRequests());
            // a corrupt partial file is detected by the digest check after resuming it, dropped, and the bundle
            // downloaded once more from the start, in the same fetch
            byte[] bad = Arrays.copyOf(big, 300_001);
            bad[10] ^= 1;
            Files.write(dst, bad);
            d.fetch(p, dst);
            assertArrayEquals(big, Files.readAllBytes(dst));
            assertEquals(2, server.rangeRequests());
            // a fetch that finds the bundle already there downloads nothing: it succeeds with the server gone
            server.close();
            d.fetch(p, dst);
            assertArrayEquals(big, Files.readAllBytes(dst));
        }
    }

    @Test
    @DisplayName("an agent whose download drops mid-way keeps the partial file and resumes it with Range on the next poll")
    void agentResumesAfterDroppedConnection(@TempDir Path dir) throws Exception {
        byte[] bundle = Fixtures.draft("har", 3, 0, 5, TargetProfile.JVM).sign(K);
        String sha = io.edgeloop.api.provenance.Sha256.hex(bundle);
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 3, sha, bundle.length, bundle,
                ScriptedHttpServer.Mode.DROP_FIRST_DOWNLOAD, 0);
                Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url(),
                        "timeout", "10s")))) {
            Path staging = dir.resolve("dev/staging");
            DeviceAgent agent = DeviceAgent.builder().deviceId("gw-1").model("har").target(TargetProfile.JVM)
                    .trust(TRUST).storage(new FileDeviceStorage(dir.resolve("dev/state"))).staging(staging)
                    .clock(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC)).open();
            assertThrows(DeploymentException.class, () -> agent.poll(d, "stable"));
            Path partial = staging.resolve("download-" + sha + ".bundle");
            assertTrue(Files.exists(partial), "the partial download is kept for resuming");
            long have = Files.size(partial);
            assertTrue(have > 0 && have < bundle.length, "partial: " + have + " of " + bundle.length);
            assertEquals(InstallOutcome.INSTALLED, agent.poll(d, "stable").outcome());
            assertEquals(java.util.List.of("Range: bytes=" + have + "-"), server.ranges,
                    "the second poll resumed from the partial file");
            assertEquals(2, server.downloads());
            try (var s = Files.list(staging)) {
                assertEquals(0, s.count(), "downloads are removed after install");
            }
        }
    }

    @Test
    @DisplayName("reports a dead server and unknown bundles as deployment errors")
    void deadServer(@TempDir Path dir) throws Exception {
        Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", "http://127.0.0.1:9",
                "timeout", "2s")));
        assertThrows(DeploymentException.class, () -> d.latest("stable"));
        Deployer dir1 = new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root", dir.toString())));
        assertThrows(DeploymentException.class, () -> dir1.publish(dir.resolve("missing.bundle"), "stable"));
        assertThrows(DeploymentException.class, () -> dir1.latest("../etc"));
    }
}
