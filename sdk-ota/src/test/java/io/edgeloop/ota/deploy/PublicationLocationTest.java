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
import io.edgeloop.ota.agent.InstallReport;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** A location the update server announces is environment input: a bad one is a deployment error naming it. */
class PublicationLocationTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 95);
    static final TrustRoot TRUST = Fixtures.trust(1, K);

    @ParameterizedTest(name = "location {0}")
    @ValueSource(strings = {"file:///etc/passwd", "ftp://127.0.0.1/x", "http://exa mple/x", "not a url",
            "http:///no-host", "jar:file:/x.jar!/y", "mailto:ota@example.com"})
    @DisplayName("a poll announcing a location that is not an http(s) URL fails as a DeploymentException naming it")
    void badLocationIsADeploymentError(String location, @TempDir Path dir) throws Exception {
        byte[] bundle = Fixtures.draft("har", 2, 0, 6, TargetProfile.JVM).sign(K);
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 2, io.edgeloop.api.provenance.Sha256.hex(bundle),
                bundle.length, bundle, ScriptedHttpServer.Mode.DROP_FIRST_DOWNLOAD, 0, location);
                Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", server.url())))) {
            DeviceAgent agent = DeviceAgent.builder().deviceId("gw").model("har").target(TargetProfile.JVM)
                    .trust(TRUST).storage(new FileDeviceStorage(dir.resolve("state"))).staging(dir.resolve("staging"))
                    .clock(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC)).open();
            IOException e = assertThrows(IOException.class, () -> agent.poll(d, "stable"));
            assertTrue(e instanceof DeploymentException, e.toString());
            assertTrue(e.getMessage().contains("'" + location + "'") && e.getMessage().contains("http(s)"),
                    e.getMessage());
            Publication p = d.latest("stable").orElseThrow();
            assertThrows(DeploymentException.class, () -> d.fetch(p, dir.resolve("x.bundle")));
            assertTrue(!Files.exists(dir.resolve("x.bundle")));
            assertTrue(server.downloads() == 0, "nothing was requested");
        }
    }

    @ParameterizedTest(name = "url path ''{0}'', location {1}")
    @CsvSource({"'',/bundles/stable/b.bundle,/bundles/stable/b.bundle",
        "/ota,../../bundles/stable/b.bundle,/ota/bundles/stable/b.bundle",
        "/ota/,../../bundles/stable/b.bundle,/ota/bundles/stable/b.bundle",
        "'',b.bundle,/channels/stable/b.bundle"})
    @DisplayName("a relative location (RFC 3986 section 5) is resolved against the URL polled: the publication "
            + "carries the absolute URL, and the device downloads from it and installs")
    void relativeLocationIsResolvedAgainstThePollUrl(String basePath, String location, String expected,
            @TempDir Path dir) throws Exception {
        byte[] bundle = Fixtures.draft("har", 2, 0, 6, TargetProfile.JVM).sign(K);
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 2, io.edgeloop.api.provenance.Sha256.hex(bundle),
                bundle.length, bundle, ScriptedHttpServer.Mode.PLAIN, 0, location);
                Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url",
                        server.url() + basePath)))) {
            Publication p = d.latest("stable").orElseThrow();
            assertEquals(server.url() + expected, p.location());
            DeviceAgent agent = DeviceAgent.builder().deviceId("gw").model("har").target(TargetProfile.JVM)
                    .trust(TRUST).storage(new FileDeviceStorage(dir.resolve("state"))).staging(dir.resolve("staging"))
                    .clock(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC)).open();
            InstallReport r = agent.poll(d, "stable");
            assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
            assertEquals("GET " + expected + " HTTP/1.1", server.requestLines.get(server.requestLines.size() - 1));
            // a publication that still holds a relative location (made by other code) is resolved by fetch too
            Path again = dir.resolve("again.bundle");
            d.fetch(new Publication(p.channel(), p.name(), p.sequence(), p.sha256(), p.sizeBytes(), location), again);
            assertEquals("GET " + expected + " HTTP/1.1", server.requestLines.get(server.requestLines.size() - 1));
        }
    }
}
