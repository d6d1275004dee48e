package io.edgeloop.ota.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.agent.DeviceAgent;
import io.edgeloop.ota.agent.FileDeviceStorage;
import io.edgeloop.ota.agent.InstallOutcome;
import io.edgeloop.ota.agent.InstallReport;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where the update server tells devices to download from (review s20, newcomer, HIGH): a real device agent polls
 * through the http deployer and must download and install in every documented setup, a wildcard bind, a
 * forwarding proxy, a reverse proxy with a public URL. Before the fix, the location was built from the bound
 * address: {@code http://0:0:0:0:0:0:0:0:<port>/...} for a wildcard bind, the backend's address behind a proxy.
 */
class DownloadLocationTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 64);
    static final TrustRoot TRUST = Fixtures.trust(1, K);

    static Deployer http(String url) {
        return ProviderLoader.of(DeployerProvider.class).select("http").create(ComponentConfig.of(Map.of("url", url)));
    }

    static Path bundle(Path dir, long sequence) throws Exception {
        return Files.write(dir.resolve("har-" + sequence + ".bundle"),
                Fixtures.draft("har", sequence, 0, 5, TargetProfile.JVM).sign(K));
    }

    static DeviceAgent device(Path dir) throws Exception {
        return DeviceAgent.builder().deviceId("gw-1").model("har").target(TargetProfile.JVM).trust(TRUST)
                .storage(new FileDeviceStorage(dir.resolve("dev/state"))).staging(dir.resolve("dev/staging"))
                .clock(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC)).open();
    }

    /**
     * Publishes sequence 3 through {@code d}, checks the answer's location is under {@code base}, and has a new
     * device poll through {@code d} and install it; returns the bundle's digest.
     */
    static String publishAndInstall(Path dir, Deployer d, String base) throws Exception {
        Path b = bundle(dir, 3);
        String sha = Sha256.hex(Files.readAllBytes(b));
        assertEquals(base + "/bundles/stable/" + sha + ".bundle", d.publish(b, "stable").location());
        InstallReport r = device(dir).poll(d, "stable");
        assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
        return sha;
    }

    /** A server on 127.0.0.1 without a public URL. */
    static UpdateServer loopbackServer(Path dir) throws Exception {
        return new UpdateServer(ChannelStore.withoutVerification(dir.resolve("srv")),
                new InetSocketAddress("127.0.0.1", 0), 1 << 26);
    }

    static int port(String url) {
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1).replaceAll("/.*", ""));
    }

    @ParameterizedTest(name = "bound to {0}")
    @ValueSource(strings = {"new InetSocketAddress(port)", "0.0.0.0", "::"})
    @DisplayName("a server bound to a wildcard address (README's Java example, --bind 0.0.0.0, --bind ::) says "
            + "http://127.0.0.1:PORT as its url, and a device polling 127.0.0.1 downloads and installs")
    void wildcardBind(String bind, @TempDir Path dir) throws Exception {
        InetSocketAddress address = bind.startsWith("new") ? new InetSocketAddress(0) : new InetSocketAddress(bind, 0);
        try (UpdateServer s = new UpdateServer(ChannelStore.withoutVerification(dir.resolve("srv")), address,
                1 << 26)) {
            String local = "http://127.0.0.1:" + port(s.url());
            assertEquals(local, s.url(), "url() is where this host reaches the server");
            try (Deployer d = http(s.url())) {
                publishAndInstall(dir, d, local);
            }
            // a device reaching the server at another of its addresses is sent to that address
            InetAddress other = UpdateServerTest.nonLoopbackAddress();
            if (other != null) {
                try (Deployer d = http("http://" + other.getHostAddress() + ":" + port(s.url()))) {
                    assertTrue(d.latest("stable").orElseThrow().location().startsWith("http://"
                            + other.getHostAddress() + ":" + port(s.url()) + "/bundles/stable/"));
                }
            }
        }
    }

    @Test
    @DisplayName("through a forwarding proxy (the Host header names the proxy) the device downloads through the "
            + "proxy and installs")
    void forwardingProxy(@TempDir Path dir) throws Exception {
        try (UpdateServer s = loopbackServer(dir);
                ForwardingProxy proxy = new ForwardingProxy(port(s.url()));
                Deployer d = http(proxy.url())) {
            String sha = publishAndInstall(dir, d, proxy.url());
            assertTrue(proxy.requests.contains("GET /bundles/stable/" + sha + ".bundle"),
                    "the download went through the proxy: " + proxy.requests);
        }
    }

    @Test
    @DisplayName("behind a reverse proxy that sends its own Host and serves the server under /ota, the public URL "
            + "decides: the device polls and downloads through the proxy and installs")
    void reverseProxyWithPublicUrl(@TempDir Path dir) throws Exception {
        try (ReverseProxy proxy = new ReverseProxy("/ota");
                UpdateServer s = UpdateServer.builder().store(ChannelStore.withoutVerification(dir.resolve("srv")))
                        .address(new InetSocketAddress("127.0.0.1", 0)).publicUrl(proxy.url() + "/").start();
                Deployer d = http(proxy.url())) {
            proxy.upstream(s.url());
            assertEquals(proxy.url(), s.publicUrl().orElseThrow(), "without its trailing slash");
            String sha = publishAndInstall(dir, d, proxy.url());
            assertTrue(proxy.paths.contains("/ota/bundles/stable/" + sha + ".bundle"),
                    "the download went through the proxy: " + proxy.paths);
        }
    }

    /** A raw poll of {@code url}'s latest publication on channel stable with {@code host} as the Host header. */
    static String pollWithHost(String url, String host) throws Exception {
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port(url))) {
            OutputStream out = c.getOutputStream();
            out.write(("GET /channels/stable/latest HTTP/1.1\r\n" + (host == null ? "" : "Host: " + host + "\r\n")
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            try (InputStream in = c.getInputStream()) {
                String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return answer.substring(answer.indexOf("\r\n\r\n") + 4);
            }
        }
    }

    @Test
    @DisplayName("without a public URL the location is built from a valid Host header (a name, an IPv4 or bracketed "
            + "IPv6 address, a port); an invalid or missing one gives url(); with a public URL, the Host is ignored")
    void hostHeader(@TempDir Path dir) throws Exception {
        try (UpdateServer s = loopbackServer(dir);
                Deployer d = http(s.url())) {
            String sha = Sha256.hex(Files.readAllBytes(bundle(dir, 3)));
            d.publish(dir.resolve("har-3.bundle"), "stable");
            String path = "/bundles/stable/" + sha + ".bundle\"";
            for (String host : List.of("ota.example.net:9443", "ota.example.net", "192.0.2.7:8080", "[::1]:8080",
                    "[2001:db8::7]")) {
                String answer = pollWithHost(s.url(), host);
                assertTrue(answer.contains("\"location\":\"http://" + host + path), host + " -> " + answer);
            }
            for (String host : List.of("evil.example/x", "user@ota.example.net", "a b", "host:99999", "host:",
                    "[::1", "")) {
                String answer = pollWithHost(s.url(), host);
                assertTrue(answer.contains("\"location\":\"" + s.url() + path), host + " -> " + answer);
            }
        }
        try (UpdateServer s = UpdateServer.builder().store(ChannelStore.withoutVerification(dir.resolve("srv")))
                .address(new InetSocketAddress("127.0.0.1", 0)).publicUrl("https://ota.example.com").start()) {
            String answer = pollWithHost(s.url(), "ota.example.net:9443");
            assertTrue(answer.contains("\"location\":\"https://ota.example.com/bundles/stable/"), answer);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ota.example.com", "ftp://ota.example.com", "https://", "https://u:p@ota.example.com",
            "https://ota.example.com/?a=b", "https://ota.example.com/#x", "http://exa mple.com"})
    @DisplayName("a public URL that is not an absolute http(s) URL with a host is refused by the builder, naming it")
    void badPublicUrl(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UpdateServer.builder().publicUrl(url));
        assertEquals("public URL must be an absolute http(s) URL with a host and no user info, query or fragment, "
                + "such as https://ota.example.com or https://example.com/ota, got '" + url + "'", e.getMessage());
    }

    @Test
    @DisplayName("the builder refuses to start without a store or an address")
    void builderNeedsStoreAndAddress(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> UpdateServer.builder()
                .address(new InetSocketAddress("127.0.0.1", 0)).start());
        assertThrows(IllegalArgumentException.class, () -> UpdateServer.builder()
                .store(ChannelStore.withoutVerification(dir)).start());
    }
}
