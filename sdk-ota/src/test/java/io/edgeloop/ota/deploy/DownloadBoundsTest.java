package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.agent.DeviceAgent;
import io.edgeloop.ota.agent.FileDeviceStorage;
import io.edgeloop.ota.agent.InstallOutcome;
import io.edgeloop.ota.agent.InstallReport;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A source that announces one size and sends more, or announces too much, cannot fill the device's disk. */
class DownloadBoundsTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 81);
    static final TrustRoot TRUST = Fixtures.trust(1, K);

    @Test
    @DisplayName("stops an HTTP download at the announced size when the server streams megabytes more")
    void httpStopsAtAnnouncedSize(@TempDir Path dir) throws Exception {
        byte[] bundle = Fixtures.draft("har", 1, 0, 5, TargetProfile.JVM).sign(K);
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 1, Sha256.hex(bundle), 1000, bundle,
                ScriptedHttpServer.Mode.STREAM_EXTRA, 8L << 20);
                Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url())))) {
            Publication p = d.latest("stable").orElseThrow();
            Path dst = dir.resolve("download.bundle");
            DeploymentException e = assertThrows(DeploymentException.class, () -> d.fetch(p, dst));
            assertTrue(e.getMessage().contains("more than the 1000 bytes"), e.getMessage());
            assertFalse(Files.exists(dst), "nothing of the over-long stream is kept");
        }
    }

    @Test
    @DisplayName("refuses before fetching a publication announcing more than a bundle may hold, through the agent too")
    void refusesOversizedAnnouncement(@TempDir Path dir) throws Exception {
        byte[] bundle = Fixtures.draft("har", 1, 0, 5, TargetProfile.JVM).sign(K);
        long huge = BundleLimits.DEFAULT.maxArchiveBytes() + 1;
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 1, Sha256.hex(bundle), huge, bundle,
                ScriptedHttpServer.Mode.STREAM_EXTRA, 0);
                Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url())))) {
            Publication p = d.latest("stable").orElseThrow();
            assertThrows(DeploymentException.class, () -> d.fetch(p, dir.resolve("x.bundle")));
            Path staging = dir.resolve("staging");
            DeviceAgent agent = DeviceAgent.builder().deviceId("gw").model("har").target(TargetProfile.JVM)
                    .trust(TRUST).storage(new FileDeviceStorage(dir.resolve("state"))).staging(staging)
                    .clock(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC)).open();
            InstallReport r = agent.poll(d, "stable");
            assertEquals(InstallOutcome.REFUSED, r.outcome());
            assertEquals(Optional.of(Check.SIZE_LIMIT), r.check());
            assertEquals(0, server.downloads(), "not a byte was requested");
        }
        Deployer small = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", "http://127.0.0.1:9",
                "max-bundle-bytes", "100")));
        Publication p = new Publication("stable", "har", 1, "ab".repeat(32), 101, "http://127.0.0.1:9/b");
        DeploymentException e = assertThrows(DeploymentException.class, () -> small.fetch(p, dir.resolve("y")));
        assertTrue(e.getMessage().contains("max-bundle-bytes"), e.getMessage());
    }

    @Test
    @DisplayName("stops a directory copy at the announced size when the source file is larger")
    void directoryStopsAtAnnouncedSize(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("big.bundle");
        byte[] big = new byte[3 << 20];
        new java.util.Random(7).nextBytes(big);
        Files.write(src, big);
        Deployer d = new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root",
                dir.resolve("root").toString())));
        // the real digest of the announced 1000 bytes: only the bound can refuse this copy, not a digest mismatch
        String first1000 = Sha256.hex(java.util.Arrays.copyOf(big, 1000));
        Publication p = new Publication("stable", "har", 1, first1000, 1000, src.toString());
        Path dst = dir.resolve("dst.bundle");
        DeploymentException e = assertThrows(DeploymentException.class, () -> d.fetch(p, dst));
        assertTrue(e.getMessage().contains("more than the 1000 bytes"), e.getMessage());
        assertFalse(Files.exists(dst));
    }
}
