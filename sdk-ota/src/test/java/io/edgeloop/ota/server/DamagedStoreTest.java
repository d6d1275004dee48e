package io.edgeloop.ota.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A channel store entry replaced by something the store never writes there (a directory, a FIFO, a link) is damage,
 * not absence: the update server used to answer 404 "nothing published" or "no such bundle", which a device reads as
 * "nothing to do", with nothing in the server's log; a publish wrote part of its change and failed on the rest, or,
 * with a FIFO at {@code .lock}, waited for good (review s16). Now the server logs the path at ERROR and answers 500
 * saying the store is damaged, and a publish refuses before changing anything. Real HTTP, real FIFOs.
 */
class DamagedStoreTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 63);
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** What the server answered and what it logged meanwhile (slf4j-simple, the test binding, on stderr). */
    record Answer(int status, String body, String log) {
    }

    Answer send(HttpRequest request) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        HttpResponse<String> r;
        try {
            r = client.send(request, HttpResponse.BodyHandlers.ofString());
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);
        return new Answer(r.statusCode(), r.body(), log);
    }

    Answer get(UpdateServer s, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(s.url() + path)).timeout(Duration.ofSeconds(20)).GET().build());
    }

    Answer put(UpdateServer s, byte[] bundle) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(s.url() + "/channels/stable")).timeout(Duration.ofSeconds(20))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bundle)).build());
    }

    static UpdateServer server(Path root) throws Exception {
        return new UpdateServer(ChannelStore.withoutVerification(root), new InetSocketAddress("127.0.0.1", 0), 1 << 24);
    }

    static void mkfifo(Path p) throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor(), "mkfifo " + p);
    }

    /** Publishes sequence 1 and returns the stored bundle's path. */
    static Path published(Path root, byte[] bundle) throws Exception {
        Path f = Files.createTempFile(root.getParent(), "b", ".bundle");
        Files.write(f, bundle);
        return Path.of(ChannelStore.withoutVerification(root).publish(f, "stable").location());
    }

    static void assertDamaged(Answer a, Path entry, String found, Path root) {
        String relative = root.relativize(entry).toString();
        assertEquals(500, a.status(), a.body());
        assertTrue(a.body().contains("channel store is damaged: " + relative + " is " + found), a.body());
        assertFalse(a.body().contains(root.toString()), "a client is not told the server's paths: " + a.body());
        assertTrue(a.log().contains("ERROR") && a.log().contains(entry.toString()) && a.log().contains(found),
                "the server's log names the path and what is there: " + a.log());
    }

    static List<Path> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    @DisplayName("latest.json replaced by a directory or a FIFO: the poll gets 500 'store is damaged', not 404 "
            + "'nothing published', and the server logs the path at ERROR")
    void damagedLatestIsAServerError(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        published(root, Fixtures.opaqueBundle("har", 1, 100, 1, K));
        Path latest = root.resolve("channels/stable/latest.json");
        try (UpdateServer s = server(root)) {
            Files.delete(latest);
            Files.createDirectory(latest);
            // old code: 404 {"error":"nothing published on stable"}, nothing logged
            assertDamaged(get(s, "/channels/stable/latest"), latest, "a directory", root);
            // a device polling with the http deployer is told why (it was "answered HTTP 500 for channel stable")
            try (io.edgeloop.api.deploy.Deployer device = new io.edgeloop.ota.deploy.HttpDeployerProvider().create(
                    io.edgeloop.api.config.ComponentConfig.of(java.util.Map.of("url", s.url())))) {
                io.edgeloop.api.deploy.DeploymentException e = org.junit.jupiter.api.Assertions.assertThrows(
                        io.edgeloop.api.deploy.DeploymentException.class, () -> device.latest("stable"));
                assertTrue(e.getMessage().contains("HTTP 500 for channel stable: the update server's channel store "
                        + "is damaged: channels/stable/latest.json is a directory"), e.getMessage());
            }
            Files.delete(latest);
            mkfifo(latest);
            assertDamaged(get(s, "/channels/stable/latest"), latest, "a special file", root);
            Files.delete(latest);
            Files.createSymbolicLink(latest, root.resolve("channels/stable/names.json"));
            assertDamaged(get(s, "/channels/stable/latest"), latest, "a symbolic link", root);
            Files.delete(latest);
            assertEquals(404, get(s, "/channels/stable/latest").status(), "missing is still 'nothing published'");
        }
    }

    /** ERROR lines in a captured log. */
    static long errors(String log) {
        return log.lines().filter(l -> l.contains("ERROR")).count();
    }

    @Test
    @DisplayName("a damaged entry polled again and again is logged at ERROR once, and again only when it changes; "
            + "every poll is still answered 500")
    void damageIsLoggedOncePerEntry(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        published(root, Fixtures.opaqueBundle("har", 1, 100, 1, K));
        Path latest = root.resolve("channels/stable/latest.json");
        Files.delete(latest);
        Files.createDirectory(latest);
        try (UpdateServer s = server(root)) {
            StringBuilder log = new StringBuilder();
            for (int i = 0; i < 40; i++) { // a polling fleet
                Answer a = get(s, "/channels/stable/latest");
                assertEquals(500, a.status(), a.body());
                assertTrue(a.body().contains("channel store is damaged"), a.body());
                log.append(a.log());
            }
            // old code: 40 ERROR lines, one per poll
            assertEquals(1, errors(log.toString()), log.toString());
            assertTrue(log.toString().contains(latest.toString()), log.toString());

            Files.delete(latest);
            mkfifo(latest); // other damage: logged again, once
            log.setLength(0);
            for (int i = 0; i < 10; i++) {
                Answer a = get(s, "/channels/stable/latest");
                assertEquals(500, a.status(), a.body());
                log.append(a.log());
            }
            assertEquals(1, errors(log.toString()), log.toString());
            assertTrue(log.toString().contains("a special file"), log.toString());
        }
    }

    @Test
    @DisplayName("a bundle file replaced by a directory or a FIFO: the download gets 500 'store is damaged', not 404 "
            + "'no such bundle'")
    void damagedBundleIsAServerError(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        Path stored = published(root, Fixtures.opaqueBundle("har", 1, 100, 1, K));
        String path = "/bundles/stable/" + stored.getFileName();
        try (UpdateServer s = server(root)) {
            assertEquals(200, get(s, path).status());
            Files.delete(stored);
            Files.createDirectory(stored);
            assertDamaged(get(s, path), stored, "a directory", root); // old code: 404 "no such bundle"
            Files.delete(stored);
            mkfifo(stored);
            assertDamaged(get(s, path), stored, "a special file", root);
            assertEquals(404, get(s, "/bundles/stable/" + "0".repeat(64) + ".bundle").status(),
                    "a bundle never stored is still 404");
        }
    }

    @Test
    @DisplayName("a channel directory that is a file: the poll gets 500 'store is damaged', not 404")
    void channelThatIsAFileIsAServerError(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        published(root, Fixtures.opaqueBundle("har", 1, 100, 1, K));
        Path channel = Files.createDirectories(root.resolve("channels")).resolve("beta");
        Files.writeString(channel, "not a channel");
        try (UpdateServer s = server(root)) {
            assertDamaged(get(s, "/channels/beta/latest"), channel, "a regular file", root);
        }
    }

    @Test
    @DisplayName("a publish refuses to replace a damaged latest.json, names.json or bundle file, and changes nothing")
    void publishRefusesToOverwriteDamage(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        byte[] first = Fixtures.opaqueBundle("har", 1, 100, 1, K);
        Path stored = published(root, first);
        Path channel = root.resolve("channels/stable");
        byte[] names = Files.readAllBytes(channel.resolve("names.json"));
        byte[] latest = Files.readAllBytes(channel.resolve("latest.json"));
        try (UpdateServer s = server(root)) {
            // the same bundle again (how a damaged copy is repaired) when its file is a directory
            Files.delete(stored);
            Files.createDirectory(stored);
            List<Path> before = listing(root);
            assertDamaged(put(s, first), stored, "a directory", root);
            assertEquals(before, listing(root), "nothing changed");
            Files.delete(stored);
            Files.write(stored, first);

            // a newer bundle while latest.json is a directory: old code stored the bundle and raised names.json's
            // floor to sequence 2, then failed on latest.json, so devices never saw sequence 2 and republishing it
            // with other bytes was refused; names.json a directory: old code read it as missing (its floor lost)
            // and stored the bundle
            java.util.Map<String, byte[]> json = java.util.Map.of("latest.json", latest, "names.json", names);
            for (String damaged : List.of("latest.json", "names.json")) {
                Path f = channel.resolve(damaged);
                Files.delete(f);
                Files.createDirectory(f);
                before = listing(root);
                assertDamaged(put(s, Fixtures.opaqueBundle("har", 2, 100, 2, K)), f, "a directory", root);
                assertEquals(before, listing(root), "no bundle stored");
                for (String other : json.keySet()) {
                    if (!other.equals(damaged)) {
                        assertArrayEquals(json.get(other), Files.readAllBytes(channel.resolve(other)), other);
                    }
                }
                Files.delete(f);
                Files.write(f, json.get(damaged));
            }

            assertEquals(200, put(s, Fixtures.opaqueBundle("har", 2, 100, 2, K)).status(), "repaired: publishes");
        }
    }

    @Test
    @DisplayName("a FIFO at the channel's .lock: the publish is refused as damage instead of waiting for good")
    void fifoLockDoesNotHangThePublish(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        published(root, Fixtures.opaqueBundle("har", 1, 100, 1, K));
        Path lock = root.resolve("channels/stable/.lock");
        Files.delete(lock);
        mkfifo(lock);
        try (UpdateServer s = server(root)) {
            // old code opened .lock for writing alone, which waits for a reader: the client timed out
            assertDamaged(put(s, Fixtures.opaqueBundle("har", 2, 100, 2, K)), lock, "a special file", root);
        } finally {
            // a reader for a stuck writer's open (old code), so its thread ends
            FileChannel.open(lock, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
        }
    }
}
