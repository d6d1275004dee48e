package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An update server that cannot be reached says so. JDK 17's HttpClient throws a ConnectException without a message
 * when nothing listens on the port or the host name does not resolve, and the deployer printed that message:
 * "cannot poll http://127.0.0.1:PORT: null" (review s13).
 */
class UnreachableServerTest {
    /** A loopback port nothing listens on: bound once to pick it, then closed. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Deployer deployer(String url) {
        return new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url", url, "timeout", "5s")));
    }

    @Test
    @DisplayName("poll, fetch and publish against a port nothing listens on say the connection failed, not 'null'")
    void refusedConnectionIsNamed(@TempDir Path dir) throws Exception {
        int port = closedPort();
        String url = "http://127.0.0.1:" + port;
        try (Deployer d = deployer(url)) {
            String poll = assertThrows(DeploymentException.class, () -> d.latest("stable")).getMessage();
            assertTrue(poll.startsWith("cannot poll " + url + ": cannot connect"), poll);
            assertFalse(poll.contains("null"), poll);

            Publication p = new Publication("stable", "har", 2, "ab".repeat(32), 100,
                    url + "/bundles/stable/" + "ab".repeat(32) + ".bundle");
            String fetch = assertThrows(DeploymentException.class,
                    () -> d.fetch(p, dir.resolve("download.bundle"))).getMessage();
            assertTrue(fetch.contains("interrupted (cannot connect"), fetch);
            assertFalse(fetch.contains("null"), fetch);

            Path b = Files.write(dir.resolve("b.bundle"), new byte[] {1, 2, 3});
            String publish = assertThrows(DeploymentException.class, () -> d.publish(b, "stable")).getMessage();
            assertTrue(publish.startsWith("cannot publish to " + url + ": cannot connect"), publish);
            assertFalse(publish.contains("null"), publish);
        }
    }

    @Test
    @DisplayName("a host name that does not resolve is named as such")
    void unresolvableHostIsNamed() throws Exception {
        try (Deployer d = deployer("http://update.invalid:8080")) { // .invalid never resolves (RFC 6761)
            String poll = assertThrows(DeploymentException.class, () -> d.latest("stable")).getMessage();
            assertTrue(poll.contains("does not resolve"), poll);
            assertFalse(poll.contains("null"), poll);
        }
    }
}
