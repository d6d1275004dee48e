package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A deployer that polls over https must not download over plain http (review of 2026-12-03, LOW): before the fix
 * an {@code http} location announced to an https poll was fetched as it came, off TLS.
 */
class TlsDowngradeTest {
    private static final byte[] BUNDLE = Fixtures.draft("har", 2, 0, 6, TargetProfile.JVM)
            .sign(Fixtures.key(KeyAlgorithm.ED25519, 96));

    @Test
    @DisplayName("an absolute http location is refused by a deployer whose URL is https, before any request, in one "
            + "line naming the location and the poll URL; the same location is fetched by an http deployer")
    void absoluteHttpLocationAfterAnHttpsPollIsRefused(@TempDir Path dir) throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer("har", 2, Sha256.hex(BUNDLE), BUNDLE.length, BUNDLE,
                ScriptedHttpServer.Mode.PLAIN, 0, null)) {
            Publication p = new Publication("stable", "har", 2, Sha256.hex(BUNDLE), BUNDLE.length,
                    server.url() + "/bundle");
            String port = server.url().substring(server.url().lastIndexOf(':') + 1);
            try (HttpDeployer tls = new HttpDeployer(URI.create("https://127.0.0.1:" + port), Duration.ofSeconds(5),
                    1 << 20)) {
                DeploymentException e = assertThrows(DeploymentException.class,
                        () -> tls.fetch(p, dir.resolve("tls.bundle")));
                assertEquals("publication location '" + server.url() + "/bundle' is plain http, but the update server "
                        + "was polled over https at https://127.0.0.1:" + port + "/channels/stable/latest: refusing "
                        + "to download without TLS; the server's public URL should be https", e.getMessage());
            }
            assertFalse(Files.exists(dir.resolve("tls.bundle")));
            assertEquals(0, server.downloads(), "nothing was requested");
            try (HttpDeployer plain = new HttpDeployer(URI.create(server.url()), Duration.ofSeconds(5), 1 << 20)) {
                plain.fetch(p, dir.resolve("plain.bundle"));
            }
            assertTrue(java.util.Arrays.equals(BUNDLE, Files.readAllBytes(dir.resolve("plain.bundle"))));
        }
    }

    @ParameterizedTest(name = "location {0}")
    @ValueSource(strings = {"../../bundles/stable/b.bundle", "/bundles/stable/b.bundle", "//cdn.example/b.bundle",
            "https://cdn.example/b.bundle"})
    @DisplayName("after an https poll, a relative location resolves to https and is kept, as is an absolute https one")
    void relativeOrHttpsLocationAfterAnHttpsPollStaysOnTls(String location) throws Exception {
        Publication p = new Publication("stable", "har", 2, Sha256.hex(BUNDLE), BUNDLE.length, location);
        URI u = HttpDeployer.location(p, URI.create("https://ota.example/channels/stable/latest"));
        assertEquals("https", u.getScheme(), u.toString());
    }

    @Test
    @DisplayName("after an http poll, an https location (an upgrade) is kept")
    void httpsLocationAfterAnHttpPollIsKept() throws Exception {
        Publication p = new Publication("stable", "har", 2, Sha256.hex(BUNDLE), BUNDLE.length,
                "https://cdn.example/b.bundle");
        assertEquals(URI.create("https://cdn.example/b.bundle"),
                HttpDeployer.location(p, URI.create("http://ota.example/channels/stable/latest")));
    }
}
