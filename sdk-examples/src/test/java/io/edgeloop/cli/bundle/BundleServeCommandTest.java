package io.edgeloop.cli.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.cli.Edgeloop;
import io.edgeloop.cli.InProcessCli;
import io.edgeloop.ota.agent.DeviceAgent;
import io.edgeloop.ota.agent.FileDeviceStorage;
import io.edgeloop.ota.agent.InstallOutcome;
import io.edgeloop.ota.agent.InstallReport;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.server.ChannelStore;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code edgeloop bundle serve} in a child JVM (a real update server on loopback, stopped by SIGTERM) and
 * {@code edgeloop bundle publish} against it, with keys, trust file and bundles made by the CLI, and a device
 * agent polling the server through the {@code http} deployer.
 */
@DisplayName("edgeloop bundle serve / bundle publish")
class BundleServeCommandTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private InProcessCli.Result last;

    private int run(String... args) {
        last = InProcessCli.run(args);
        return last.code();
    }

    private Path create(Path dir, long sequence, String key) throws Exception {
        Path b = dir.resolve(key + "-" + sequence + ".bundle");
        assertEquals(0, run("bundle", "create", "--model", BundleCommandTest.modelDir(dir, "avr8").toString(),
                "--name", "har", "--sequence", Long.toString(sequence), "--version", "1." + sequence + ".0",
                "--key", dir.resolve(key + "/private.pem").toString(), "--expires", "3600", "--out", b.toString()),
                last.err());
        return b;
    }

    /** Keys {@code good} and {@code evil}; returns a trust file of {@code good} alone. */
    private Path keysAndTrust(Path dir) {
        for (String k : new String[] {"good", "evil"}) {
            assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve(k).toString()), last.err());
        }
        return trustOf(dir, "good", "trust.json");
    }

    /** A trust file {@code name} of key {@code key} alone. */
    private Path trustOf(Path dir, String key, String name) {
        Path trust = dir.resolve(name);
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve(key + "/public.pem").toString(), "--threshold",
                "1", "--out", trust.toString()), last.err());
        return trust;
    }

    /** A token file {@code name} holding {@code token} and a newline, mode 0600 as the README makes it. */
    static Path token(Path dir, String name, String token) throws Exception {
        Path f = Files.writeString(dir.resolve(name), token + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    /** A serving child JVM, the reader of its stdout (past the URL line) and its URL. */
    private record Serving(Process process, BufferedReader out, String url) {
    }

    /** Starts {@code edgeloop bundle serve ...} in a child JVM and returns it once it printed its URL. */
    private static Serving serve(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Edgeloop.class.getName(), "bundle", "serve"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine(); // the first line, or null when the child ended
        assertTrue(line != null && line.startsWith("http://"), "serve said: " + line + "\n" + Files.readString(log));
        return new Serving(p, r, line);
    }

    /** SIGTERM, then waits for the child and returns everything it printed after its URL. */
    private static String stop(Serving s) throws Exception {
        Process p = s.process();
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "serve did not stop on SIGTERM");
        // a JVM ended by SIGTERM exits 143 (128 + 15) once its shutdown hooks are done; the last line shows the
        // command closed the server and returned before the hook let the JVM go
        StringBuilder rest = new StringBuilder();
        for (String l = s.out().readLine(); l != null; l = s.out().readLine()) {
            rest.append(l).append('\n');
        }
        return rest.toString();
    }

    /** Ends the child whatever happened (it has stopped already when the test got to {@link #stop}). */
    private static void end(Serving s) throws InterruptedException {
        s.process().destroyForcibly();
        assertTrue(s.process().waitFor(60, TimeUnit.SECONDS), "serve ended");
    }

    /** Publishes {@code bundle} with the right token: the refusals before changed nothing, so it is sequence 1. */
    private void publishesFirst(String url, Path token, Path bundle) throws Exception {
        assertEquals(0, run("bundle", "publish", "--server", url, "--channel", "stable", "--token-file",
                token.toString(), bundle.toString()), last.err());
        assertEquals(1, latest(url, "stable").orElseThrow().sequence());
    }

    private void assertRefused(String... fragments) {
        assertEquals(1, last.code(), last.out() + last.err());
        String e = last.err().trim();
        assertTrue(e.startsWith("edgeloop: ") && !e.contains("\n"), "one line: " + e);
        for (String f : fragments) {
            assertTrue(e.contains(f), "'" + f + "' in: " + e);
        }
    }

    @Test
    @DisplayName("serves the store with the trust file: publish with the token moves the channel, a device polls "
            + "and installs it; no token (401), a key outside the trust file (422 unknown-key) and an older "
            + "sequence (409) are refused in one line; SIGTERM stops it cleanly")
    void servesPublishesAndRefuses(@TempDir Path dir) throws Exception {
        Path trust = keysAndTrust(dir);
        Path h1 = create(dir, 1, "good");
        Path h2 = create(dir, 2, "good");
        Path evil = create(dir, 3, "evil");
        Path token = token(dir, "publish.token", TOKEN);
        Path store = dir.resolve("store");
        Serving server = serve(dir.resolve("serve.log"), "--store", store.toString(), "--trust", trust.toString(),
                "--port", "0", "--token-file", token.toString());
        try {
            String u = server.url();
            assertEquals(0, run("bundle", "publish", "--server", u, "--channel", "stable", "--token-file",
                    token.toString(), h1.toString()), last.err());
            assertTrue(last.out().startsWith("published har sequence 1 on channel stable ("), last.out());

            // a device polls the server as the http deployer's users do, and installs sequence 1
            DeviceAgent device = DeviceAgent.builder().deviceId("d1").model("har").target(TargetProfile.of("avr8"))
                    .trust(TrustRoot.read(trust)).storage(new FileDeviceStorage(dir.resolve("device/state")))
                    .staging(dir.resolve("device/downloads")).runtimes(name -> ProviderLoader
                            .of(ModelRuntimeProvider.class).select(name).create(ComponentConfig.empty())).open();
            try (Deployer http = ProviderLoader.of(DeployerProvider.class).select("http")
                    .create(ComponentConfig.builder().put("url", u).build())) {
                InstallReport r = device.poll(http, "stable");
                assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
                assertEquals(1, device.status().activeSequence());
            }

            assertEquals(1, run("bundle", "publish", "--server", u, "--channel", "stable", h2.toString()));
            // the whole line: the deployer's and the server's wordings of the same 401 used to follow it
            assertEquals("edgeloop: the server " + u + " needs a publish token: pass --token-file FILE (HTTP 401)",
                    last.err().strip());
            assertEquals(1, run("bundle", "publish", "--server", u, "--channel", "stable", "--token-file",
                    token.toString(), evil.toString()));
            assertRefused("HTTP 422", "unknown-key");
            assertEquals(0, run("bundle", "publish", "--server", u, "--channel", "stable", "--token-file",
                    token.toString(), "--json", h2.toString()), last.err());
            assertTrue(last.out().contains("\"sequence\":2"), last.out());
            assertEquals(1, run("bundle", "publish", "--server", u, "--channel", "stable", "--token-file",
                    token.toString(), h1.toString()));
            assertRefused("HTTP 409");

            String rest = stop(server);
            assertTrue(rest.contains("with trust file " + trust) && rest.contains("\nstopped"), rest);
        } finally {
            end(server);
        }
    }

    /** What the server at {@code url} publishes on {@code channel}, polled as a device polls it. */
    private static Optional<Publication> latest(String url, String channel) throws Exception {
        try (Deployer http = ProviderLoader.of(DeployerProvider.class).select("http")
                .create(ComponentConfig.builder().put("url", url).build())) {
            return http.latest(channel);
        }
    }

    /**
     * A file of {@code bytes} zeros named like a bundle: the refusals below come before the server reads a body, so
     * its content does not matter. At 4 MiB it is far past what the JDK server drains by itself (64 KiB) when a
     * handler answers without reading the body: the server then reset the connection, and about 1 in 2 such
     * publishes printed the status without its reason; each is tried 5 times.
     */
    private static Path large(Path dir, int bytes) throws Exception {
        return Files.write(dir.resolve("large-" + bytes + ".bundle"), new byte[bytes]);
    }

    @Test
    @DisplayName("a wrong token is refused with HTTP 401 in one line, for a small bundle and a 4 MiB upload alike, and "
            + "nothing is published; the right token then publishes")
    void wrongTokenPublishesNothing(@TempDir Path dir) throws Exception {
        Path trust = keysAndTrust(dir);
        Path h1 = create(dir, 1, "good");
        Path token = token(dir, "publish.token", TOKEN);
        Path wrong = token(dir, "wrong.token", "fedcba9876543210fedcba9876543210");
        Serving server = serve(dir.resolve("serve.log"), "--store", dir.resolve("store").toString(), "--trust",
                trust.toString(), "--port", "0", "--token-file", token.toString());
        try {
            String u = server.url();
            Path large = large(dir, 4 << 20);
            for (Path bundle : List.of(h1, large, large, large, large, large)) {
                assertEquals(1, run("bundle", "publish", "--server", u, "--channel", "stable", "--token-file",
                        wrong.toString(), bundle.toString()));
                assertEquals("edgeloop: the server " + u + " refused the publish token in " + wrong + " (HTTP 401)",
                        last.err().strip());
                assertEquals("", last.out());
                assertEquals(Optional.empty(), latest(u, "stable"), "nothing published");
            }
            publishesFirst(u, token, h1);
            stop(server);
        } finally {
            end(server);
        }
    }

    @Test
    @DisplayName("an upload larger than --max-upload is refused with HTTP 413 in one line, nothing is published, and "
            + "the server keeps serving: a bundle within the limit publishes next")
    void oversizeUploadPublishesNothing(@TempDir Path dir) throws Exception {
        Path trust = keysAndTrust(dir);
        Path h1 = create(dir, 1, "good");
        long limit = Files.size(h1) + 1024;
        Path token = token(dir, "publish.token", TOKEN);
        Serving server = serve(dir.resolve("serve.log"), "--store", dir.resolve("store").toString(), "--trust",
                trust.toString(), "--port", "0", "--token-file", token.toString(), "--max-upload",
                Long.toString(limit));
        try {
            String u = server.url();
            for (int bytes : new int[] {(int) limit + 1, 4 << 20, 4 << 20, 4 << 20, 4 << 20, 4 << 20}) {
                assertEquals(1, run("bundle", "publish", "--server", u, "--channel", "stable", "--token-file",
                        token.toString(), large(dir, bytes).toString()));
                assertRefused("HTTP 413", "bundle larger than " + limit + " bytes");
                assertEquals(Optional.empty(), latest(u, "stable"), "nothing published");
            }
            publishesFirst(u, token, h1);
            try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
                assertEquals(List.of(), files.filter(f -> f.getFileName().toString().contains(".upload."))
                        .toList(), "no upload left in the store");
            }
            stop(server);
        } finally {
            end(server);
        }
    }

    @Test
    @DisplayName("without --token-file a server bound beyond loopback refuses a publish from a non-loopback address "
            + "with HTTP 403 in one line and publishes nothing; a loopback peer still publishes")
    void noTokenRefusesNonLoopbackPeers(@TempDir Path dir) throws Exception {
        Optional<InetAddress> external = nonLoopbackAddress();
        Assumptions.assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to publish from");
        Path trust = keysAndTrust(dir);
        Path h1 = create(dir, 1, "good");
        Serving server = serve(dir.resolve("serve.log"), "--store", dir.resolve("store").toString(), "--trust",
                trust.toString(), "--port", "0", "--bind", "0.0.0.0");
        try {
            String port = server.url().substring(server.url().lastIndexOf(':') + 1);
            String outside = "http://" + external.get().getHostAddress() + ":" + port;
            String loopback = "http://127.0.0.1:" + port;
            Path large = large(dir, 4 << 20);
            for (Path bundle : List.of(h1, large, large, large, large, large)) {
                assertEquals(1, run("bundle", "publish", "--server", outside, "--channel", "stable",
                        bundle.toString()));
                assertRefused("HTTP 403", "publishing from " + external.get().getHostAddress() + " is refused",
                        "only loopback may publish");
                assertEquals(Optional.empty(), latest(loopback, "stable"), "nothing published");
            }
            assertEquals(0, run("bundle", "publish", "--server", loopback, "--channel", "stable", h1.toString()),
                    last.err());
            assertEquals(1, latest(outside, "stable").orElseThrow().sequence(), "and anyone may poll");
            assertTrue(stop(server).contains("publishing only from loopback (no --token-file)"));
        } finally {
            end(server);
        }
    }

    /** An up IPv4 address of this machine that is not loopback, to connect from. */
    private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (n.isUp() && !n.isLoopback()) {
                for (InetAddress a : Collections.list(n.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return Optional.of(a);
                    }
                }
            }
        }
        return Optional.empty();
    }

    @Test
    @DisplayName("--no-verify serves without a trust file and says so: a bundle signed outside any trust root moves "
            + "the channel (the risk the flag names); without --token-file a loopback peer publishes")
    void noVerifyServesAndSaysSo(@TempDir Path dir) throws Exception {
        keysAndTrust(dir);
        Path evil = create(dir, 3, "evil");
        Serving server = serve(dir.resolve("serve.log"), "--store", dir.resolve("store").toString(), "--no-verify",
                "--port", "0");
        try {
            assertEquals(0, run("bundle", "publish", "--server", server.url(), "--channel", "stable",
                    evil.toString()), last.err());
            assertTrue(last.out().startsWith("published har sequence 3 on channel stable"), last.out());
            String rest = stop(server);
            assertTrue(rest.contains("WITHOUT a trust file (--no-verify)") && rest.contains("only from loopback"),
                    rest);
            // the WARN's advice is the CLI's option, not the library's Java calls
            String log = Files.readString(dir.resolve("serve.log"));
            assertTrue(log.contains("WARN") && log.contains("pass --trust TRUST.json (the devices' trust file) "
                    + "instead of --no-verify"), log);
            assertFalse(log.contains("ChannelStore") || log.contains("BundleVerifier"), log);
        } finally {
            end(server);
        }
    }

    @Test
    @DisplayName("served with another fleet's trust file, a store whose channel holds the fleet's bundle starts with "
            + "a WARN naming the channel, the model, the sequence and unknown-key; with the fleet's, without one")
    void wrongTrustFileIsNamedAtStart(@TempDir Path dir) throws Exception {
        Path trust = keysAndTrust(dir);
        Path store = dir.resolve("store");
        new ChannelStore(store, new BundleVerifier(TrustRoot.read(trust))).publish(create(dir, 1, "good"), "stable");
        Path wrong = trustOf(dir, "evil", "wrong-trust.json");
        for (Path t : new Path[] {wrong, trust}) {
            Path log = dir.resolve("serve-" + t.getFileName() + ".log");
            Serving server = serve(log, "--store", store.toString(), "--trust", t.toString(), "--port", "0");
            try {
                stop(server);
            } finally {
                end(server);
            }
            String warned = Files.readString(log);
            if (t == wrong) {
                assertTrue(warned.contains("WARN") && warned.contains("channel stable's latest publication (har "
                        + "sequence 1) does not verify under the store's trust root") && warned.contains(
                        "unknown-key") && warned.contains("is this the fleet's trust file?"), warned);
            } else {
                assertFalse(warned.contains("WARN"), warned);
            }
        }
    }

    @Test
    @DisplayName("publish to a server that is not there, or of a file that is not there, exits 1 in one line")
    void unreachableServerIsOneLine(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        keysAndTrust(dir);
        Path h1 = create(dir, 1, "good");
        assertEquals(1, run("bundle", "publish", "--server", "http://127.0.0.1:" + port, "--channel", "stable",
                "--timeout", "10", h1.toString()));
        assertRefused("cannot publish to http://127.0.0.1:" + port);
        assertEquals(1, run("bundle", "publish", "--server", "http://127.0.0.1:" + port, "--channel", "stable",
                dir.resolve("nope.bundle").toString()));
        assertRefused("BUNDLE " + dir.resolve("nope.bundle") + " does not exist");
        assertEquals(1, run("bundle", "publish", "--server", "http://127.0.0.1:" + port, "--channel", "stable",
                dir.toString()));
        assertRefused("BUNDLE " + dir + " is not a file");
        assertEquals(1, run("bundle", "publish", "--server", "http://127.0.0.1:" + port, "--channel", "stable",
                "--token-file", dir.resolve("nope.token").toString(), h1.toString()));
        assertRefused("--token-file " + dir.resolve("nope.token") + " does not exist");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"127.0.0.1:8080", "localhost:8080", "ftp://127.0.0.1:8080/", "http://", "http:///ota"})
    @DisplayName("publish refuses a --server that is not an http(s) URL with a host, in one line naming the form")
    void serverMustBeAnHttpUrl(String server, @TempDir Path dir) throws Exception {
        Path bundle = Files.write(dir.resolve("b.bundle"), new byte[] {1});
        assertEquals(1, run("bundle", "publish", "--server", server, "--channel", "stable", bundle.toString()));
        assertEquals("edgeloop: --server must be an http(s) URL such as http://host:8080/, got '" + server + "'",
                last.err().strip());
    }

    @Test
    @DisplayName("serve needs --trust or an explicit --no-verify, not both, and a token of 16 characters or more")
    void serveRefusesUnsafeOrBadOptions(@TempDir Path dir) throws Exception {
        Path trust = keysAndTrust(dir);
        Path store = dir.resolve("store");
        assertEquals(1, run("bundle", "serve", "--store", store.toString(), "--port", "0"));
        assertRefused("--trust TRUST.json is required", "--no-verify");
        assertEquals(1, run("bundle", "serve", "--store", store.toString(), "--trust", trust.toString(),
                "--no-verify", "--port", "0"));
        assertRefused("exclude each other");
        Path shortToken = token(dir, "short.token", "abc");
        assertEquals(1, run("bundle", "serve", "--store", store.toString(), "--trust", trust.toString(), "--port", "0",
                "--token-file", shortToken.toString()));
        assertRefused("--token-file " + shortToken, "at least 16");
        Path fresh = dir.resolve("fresh");
        assertEquals(1, run("bundle", "serve", "--store", fresh.toString(), "--trust", trust.toString(), "--port", "0",
                "--bind", "nosuchhost.invalid"));
        assertRefused("--bind nosuchhost.invalid does not resolve (", "give an address of this host such as "
                + "127.0.0.1, 0.0.0.0 or ::");
        for (String bad : new String[] {"ota.example.com", "https://ota.example.com/?x=1"}) {
            assertEquals(1, run("bundle", "serve", "--store", fresh.toString(), "--trust", trust.toString(),
                    "--port", "0", "--public-url", bad));
            assertEquals("edgeloop: --public-url must be an absolute http(s) URL with a host and no user info, query "
                    + "or fragment, such as https://ota.example.com or https://example.com/ota, got '" + bad + "'",
                    last.err().strip());
        }
        assertFalse(Files.exists(fresh), "options are checked before the store is made");
    }

    @Test
    @DisplayName("a --token-file that gives group or others any permission, an execute bit alone included, is refused "
            + "by serve and publish in one line naming the mode, the permissions and the fix, as ssh refuses an "
            + "unprotected key; 0600, 0400, 0700 and 0500 are accepted")
    void tokenFileOpenToOthersIsRefused(@TempDir Path dir) throws Exception {
        Path trust = keysAndTrust(dir);
        Path bundle = create(dir, 1, "good");
        Path token = token(dir, "publish.token", TOKEN);
        // before 2026-12-03, rw---x--- and rw------x were refused as "may be read or written by group or others"
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("rw-r--r--", "group read, others read");
        refused.put("rw-r-----", "group read");
        refused.put("rw--w----", "group write");
        refused.put("rw----r--", "others read");
        refused.put("rw---x---", "group execute");
        refused.put("rw------x", "others execute");
        refused.put("rwxrwxrwx", "group read, group write, group execute, others read, others write, others execute");
        for (Map.Entry<String, String> m : refused.entrySet()) {
            String mode = m.getKey();
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString(mode));
            String expected = "edgeloop: --token-file " + token + " gives group or others permissions (mode " + mode
                    + ": " + m.getValue() + "); a token file must be its owner's alone, since anyone who reads it can "
                    + "publish: run chmod 600 " + token;
            assertEquals(1, run("bundle", "serve", "--store", dir.resolve("store").toString(), "--trust",
                    trust.toString(), "--port", "0", "--token-file", token.toString()));
            assertEquals(expected, last.err().strip());
            assertEquals(1, run("bundle", "publish", "--server", "http://127.0.0.1:9", "--channel", "stable",
                    "--token-file", token.toString(), bundle.toString()));
            assertEquals(expected, last.err().strip());
        }
        for (String mode : new String[] {"rw-------", "r--------", "rwx------", "r-x------"}) {
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString(mode));
            assertEquals(TOKEN, TokenFile.read(token), mode);
        }
    }

    @Test
    @DisplayName("bound to 0.0.0.0, serve prints http://127.0.0.1:PORT first; publish --server takes that line, and a "
            + "device polling it (or another address of this host) downloads and installs")
    void wildcardBindPrintsAUsableUrl(@TempDir Path dir) throws Exception {
        Path trust = keysAndTrust(dir);
        Path h1 = create(dir, 1, "good");
        Path token = token(dir, "publish.token", TOKEN);
        Serving server = serve(dir.resolve("serve.log"), "--store", dir.resolve("store").toString(), "--trust",
                trust.toString(), "--port", "0", "--bind", "0.0.0.0", "--token-file", token.toString());
        try {
            String u = server.url();
            String port = u.substring(u.lastIndexOf(':') + 1);
            assertEquals("http://127.0.0.1:" + port, u);
            assertEquals(0, run("bundle", "publish", "--server", u, "--channel", "stable", "--token-file",
                    token.toString(), h1.toString()), last.err());
            assertTrue(last.out().strip().endsWith(": " + u + "/bundles/stable/"
                    + io.edgeloop.api.provenance.Sha256.hex(Files.readAllBytes(h1)) + ".bundle"), last.out());
            List<String> urls = new ArrayList<>(List.of(u));
            nonLoopbackAddress().ifPresent(a -> urls.add("http://" + a.getHostAddress() + ":" + port));
            for (String polled : urls) {
                Path home = dir.resolve("device-" + urls.indexOf(polled)); // a new device per address
                DeviceAgent device = DeviceAgent.builder().deviceId("d").model("har").target(TargetProfile.of("avr8"))
                        .trust(TrustRoot.read(trust)).storage(new FileDeviceStorage(home.resolve("state")))
                        .staging(home.resolve("downloads"))
                        .runtimes(name -> ProviderLoader.of(ModelRuntimeProvider.class).select(name)
                                .create(ComponentConfig.empty())).open();
                try (Deployer http = ProviderLoader.of(DeployerProvider.class).select("http")
                        .create(ComponentConfig.builder().put("url", polled).build())) {
                    assertTrue(http.latest("stable").orElseThrow().location().startsWith(polled + "/bundles/"));
                    InstallReport r = device.poll(http, "stable");
                    assertEquals(InstallOutcome.INSTALLED, r.outcome(), polled + ": " + r.message());
                }
            }
            assertTrue(stop(server).contains("downloads announced at the address each device polled (its Host "
                    + "header)"));
        } finally {
            end(server);
        }
    }

    @Test
    @DisplayName("with --public-url, publications announce their downloads under it, and serve says so")
    void publicUrlIsAnnounced(@TempDir Path dir) throws Exception {
        Path trust = keysAndTrust(dir);
        Path h1 = create(dir, 1, "good");
        Serving server = serve(dir.resolve("serve.log"), "--store", dir.resolve("store").toString(), "--trust",
                trust.toString(), "--port", "0", "--public-url", "https://ota.example.com/ota/");
        try {
            assertEquals(0, run("bundle", "publish", "--server", server.url(), "--channel", "stable", "--json",
                    h1.toString()), last.err());
            assertTrue(last.out().contains("\"location\":\"https://ota.example.com/ota/bundles/stable/"), last.out());
            assertTrue(latest(server.url(), "stable").orElseThrow().location()
                    .startsWith("https://ota.example.com/ota/bundles/stable/"));
            assertTrue(stop(server).contains("downloads announced under https://ota.example.com/ota (--public-url)"));
        } finally {
            end(server);
        }
    }
}
