package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.agent.DeviceAgent;
import io.edgeloop.ota.agent.FileDeviceStorage;
import io.edgeloop.ota.agent.InstallOutcome;
import io.edgeloop.ota.agent.InstallReport;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.testing.TestIntRuntimeProvider;
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

/**
 * A publication the device refused for good (golden vectors, no artifact for its variant) is not downloaded again at
 * every poll, also after a restart (review s6 item 5); checked by counting the GETs a real HTTP server receives.
 */
class RefusedPublicationTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 95);
    static final TrustRoot TRUST = Fixtures.trust(1, K);

    private static DeviceAgent agent(Path dir, TargetProfile target, boolean faultyRuntime) throws Exception {
        DeviceAgent.Builder b = DeviceAgent.builder().deviceId("gw").model("har").target(target).trust(TRUST)
                .storage(new FileDeviceStorage(dir.resolve("state"))).staging(dir.resolve("staging"))
                .clock(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC));
        if (faultyRuntime) {
            b.runtimes(n -> new TestIntRuntimeProvider().create(ComponentConfig.of(Map.of("fault", "true"))));
        }
        return b.open();
    }

    private static Deployer http(ScriptedHttpServer server) throws Exception {
        return new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url(), "timeout", "10s")));
    }

    @Test
    @DisplayName("a bundle whose golden vectors fail on the device is downloaded once, not at every poll or restart")
    void goldenFailureFetchedOnce(@TempDir Path dir) throws Exception {
        byte[] bundle = Fixtures.draft("har", 9, 0, 6, TargetProfile.JVM).sign(K);
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 9, Sha256.hex(bundle), bundle.length, bundle,
                ScriptedHttpServer.Mode.PLAIN, 0); Deployer d = http(server)) {
            DeviceAgent a = agent(dir, TargetProfile.JVM, true);
            for (int i = 0; i < 3; i++) {
                InstallReport r = a.poll(d, "stable");
                assertEquals(InstallOutcome.REFUSED, r.outcome(), r.message());
                assertEquals(Optional.of(Check.GOLDEN_VECTORS), r.check());
            }
            assertEquals(1, server.downloads(), "one GET of the bundle for three polls");
            InstallReport again = agent(dir, TargetProfile.JVM, true).poll(d, "stable");
            assertEquals(Optional.of(Check.GOLDEN_VECTORS), again.check());
            assertTrue(again.message().contains("refused before"), again.message());
            assertEquals(1, server.downloads(), "remembered across a restart (refused.json)");
            assertTrue(Files.exists(dir.resolve("state").resolve("refused.json")));
        }
        // another publication (a fixed runtime, a new sequence) is fetched and installed
        byte[] fixed = Fixtures.draft("har", 10, 0, 7, TargetProfile.JVM).sign(K);
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 10, Sha256.hex(fixed), fixed.length, fixed,
                ScriptedHttpServer.Mode.PLAIN, 0); Deployer d = http(server)) {
            assertEquals(InstallOutcome.INSTALLED, agent(dir, TargetProfile.JVM, false).poll(d, "stable").outcome());
            assertEquals(1, server.downloads());
        }
    }

    @Test
    @DisplayName("a publication with no artifact for the device's variant is downloaded once")
    void noArtifactForVariantFetchedOnce(@TempDir Path dir) throws Exception {
        byte[] bundle = Fixtures.draft("har", 9, 0, 6, TargetProfile.AVR8).sign(K);
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 9, Sha256.hex(bundle), bundle.length, bundle,
                ScriptedHttpServer.Mode.PLAIN, 0); Deployer d = http(server)) {
            DeviceAgent a = agent(dir, TargetProfile.CORTEX_M3, false);
            for (int i = 0; i < 3; i++) {
                assertEquals(Optional.of(Check.TARGET), a.poll(d, "stable").check());
            }
            assertEquals(1, server.downloads());
        }
    }

    @Test
    @DisplayName("a damaged refused.json is ignored: the device fetches and decides again")
    void damagedRecordIgnored(@TempDir Path dir) throws Exception {
        byte[] bundle = Fixtures.draft("har", 9, 0, 6, TargetProfile.JVM).sign(K);
        Files.createDirectories(dir.resolve("state"));
        Files.writeString(dir.resolve("state").resolve("refused.json"), "{\"sha256\":");
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 9, Sha256.hex(bundle), bundle.length, bundle,
                ScriptedHttpServer.Mode.PLAIN, 0); Deployer d = http(server)) {
            assertEquals(InstallOutcome.INSTALLED, agent(dir, TargetProfile.JVM, false).poll(d, "stable").outcome());
        }
    }
}
