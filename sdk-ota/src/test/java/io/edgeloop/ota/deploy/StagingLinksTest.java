package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A download never writes through a symbolic link (or into anything but a regular file) in the staging directory. */
class StagingLinksTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 93);
    static final TrustRoot TRUST = Fixtures.trust(1, K);
    static final String VICTIM = "important=1\n";

    @Test
    @DisplayName("a poll refuses a download path that is a symlink out of staging, leaving its target untouched")
    void pollRefusesSymlinkedDownload(@TempDir Path dir) throws Exception {
        Path victim = dir.resolve("victim.conf");
        Files.writeString(victim, VICTIM);
        try (UpdateServer server = new UpdateServer(ChannelStore.withoutVerification(dir.resolve("srv")),
                new InetSocketAddress("127.0.0.1", 0), 1 << 26);
                Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url())))) {
            Path b = dir.resolve("b.bundle");
            Files.write(b, Fixtures.draft("har", 3, 0, 5, TargetProfile.JVM).sign(K));
            Publication p = d.publish(b, "stable");
            Path staging = dir.resolve("staging");
            Files.createDirectories(staging);
            Path link = staging.resolve("download-" + p.sha256() + ".bundle");
            Files.createSymbolicLink(link, victim);
            DeviceAgent agent = DeviceAgent.builder().deviceId("gw").model("har").target(TargetProfile.JVM)
                    .trust(TRUST).storage(new FileDeviceStorage(dir.resolve("state"))).staging(staging)
                    .clock(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC)).open();
            DeploymentException e = assertThrows(DeploymentException.class, () -> agent.poll(d, "stable"));
            assertTrue(e.getMessage().contains(link.toString()) && e.getMessage().contains("symbolic link"),
                    e.getMessage());
            assertEquals(VICTIM, Files.readString(victim), "nothing was written through the link");
            assertTrue(Files.isSymbolicLink(link), "the planted link is reported, not silently used");
            assertEquals(-1, agent.status().activeSequence());
            Files.delete(link);
            assertEquals(InstallOutcome.INSTALLED, agent.poll(d, "stable").outcome());
        }
    }

    @Test
    @DisplayName("both deployers refuse a destination that is a symlink (to a file or a missing file) or a directory")
    void deployersRefuseNonRegularDestinations(@TempDir Path dir) throws Exception {
        byte[] bundle = Fixtures.draft("har", 3, 0, 5, TargetProfile.JVM).sign(K);
        Path victim = dir.resolve("victim.conf");
        Files.writeString(victim, VICTIM);
        Path src = dir.resolve("b.bundle");
        Files.write(src, bundle);
        Deployer directory = new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root",
                dir.resolve("root").toString())));
        Publication published = directory.publish(src, "stable");
        try (UpdateServer server = new UpdateServer(ChannelStore.withoutVerification(dir.resolve("srv")),
                new InetSocketAddress("127.0.0.1", 0), 1 << 26);
                Deployer http = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url())))) {
            Publication overHttp = http.publish(src, "stable");
            int n = 0;
            for (Deployer d : new Deployer[] {directory, http}) {
                Publication p = d == directory ? published : overHttp;
                Path toFile = dir.resolve("link-to-file-" + n);
                Files.createSymbolicLink(toFile, victim);
                Path dangling = dir.resolve("dangling-" + n);
                Path missing = dir.resolve("created-through-link-" + n);
                Files.createSymbolicLink(dangling, missing);
                Path directoryDst = Files.createDirectory(dir.resolve("a-directory-" + n));
                for (Path dst : new Path[] {toFile, dangling, directoryDst}) {
                    DeploymentException e = assertThrows(DeploymentException.class, () -> d.fetch(p, dst));
                    assertTrue(e.getMessage().contains(dst.toString()), e.getMessage());
                }
                assertEquals(VICTIM, Files.readString(victim));
                assertTrue(!Files.exists(missing, LinkOption.NOFOLLOW_LINKS), "no file created through a link");
                assertTrue(Files.isSymbolicLink(toFile) && Files.isSymbolicLink(dangling));
                Path ok = dir.resolve("ok-" + n++);
                d.fetch(p, ok);
                assertEquals(bundle.length, Files.size(ok));
            }
        }
    }

    @Test
    @DisplayName("a poll leaves a directory named like an old download where it is and installs, instead of failing "
            + "every poll")
    void pollLeavesDirectoryNamedLikeAnOldDownload(@TempDir Path dir) throws Exception {
        Deployer d = new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root",
                dir.resolve("root").toString())));
        Path b = dir.resolve("b.bundle");
        Files.write(b, Fixtures.draft("har", 3, 0, 5, TargetProfile.JVM).sign(K));
        d.publish(b, "stable");
        Path staging = Files.createDirectories(dir.resolve("staging"));
        Path old = Files.createDirectory(staging.resolve("download-" + "0".repeat(64) + ".bundle"));
        Files.writeString(old.resolve("notes.txt"), "kept");
        DeviceAgent agent = DeviceAgent.builder().deviceId("gw").model("har").target(TargetProfile.JVM)
                .trust(TRUST).storage(new FileDeviceStorage(dir.resolve("state"))).staging(staging)
                .clock(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC)).open();
        // old code: deleting the stale "download" threw DirectoryNotEmptyException at every poll, whatever was published
        assertEquals(InstallOutcome.INSTALLED, agent.poll(d, "stable").outcome());
        assertEquals("kept", Files.readString(old.resolve("notes.txt")));
    }
}
