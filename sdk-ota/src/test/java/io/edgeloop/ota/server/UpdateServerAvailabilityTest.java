package io.edgeloop.ota.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The update server stays available to a fleet when clients stall (half-sent requests, unread downloads), and its
 * error answers reach the client: real sockets and real HTTP.
 */
class UpdateServerAvailabilityTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 63);
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    static List<Socket> stall(UpdateServer s, int n) throws Exception {
        List<Socket> held = new ArrayList<>();
        int port = URI.create(s.url()).getPort();
        for (int i = 0; i < n; i++) {
            Socket k = new Socket("127.0.0.1", port);
            k.getOutputStream().write("GET /channels/stable/lat".getBytes(StandardCharsets.US_ASCII));
            k.getOutputStream().flush();
            held.add(k);
        }
        Thread.sleep(300); // let the server hand each half-sent request to a worker thread
        return held;
    }

    HttpResponse<String> latest(UpdateServer s) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(s.url() + "/channels/stable/latest"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> put(String url, byte[] body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("four half-sent requests (the reviewer's slowloris) do not stop a poll with the default limits")
    void fourStalledClientsDoNotFreezeDefaults(@TempDir Path dir) throws Exception {
        try (UpdateServer s = new UpdateServer(ChannelStore.withoutVerification(dir), new InetSocketAddress("127.0.0.1", 0), 1 << 24)) {
            assertEquals(200, put(s.url() + "/channels/stable", Fixtures.opaqueBundle("har", 9, 100, 1, K)).statusCode());
            List<Socket> held = stall(s, 4);
            try {
                HttpResponse<String> r = latest(s);
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("\"sequence\":9"), r.body());
            } finally {
                for (Socket k : held) {
                    k.close();
                }
            }
        }
    }

    @Test
    @DisplayName("more half-sent requests than worker threads: the request deadline closes them and a poll succeeds"
            + " within a few seconds")
    void requestDeadlineFreesWorkers(@TempDir Path dir) throws Exception {
        UpdateServer.Limits limits = new UpdateServer.Limits(2, Duration.ofSeconds(1), 4096);
        try (UpdateServer s = new UpdateServer(ChannelStore.withoutVerification(dir), new InetSocketAddress("127.0.0.1", 0), 1 << 24,
                Optional.empty(), limits)) {
            assertEquals(200, put(s.url() + "/channels/stable", Fixtures.opaqueBundle("har", 9, 100, 1, K)).statusCode());
            List<Socket> held = stall(s, 6);
            try {
                long t0 = System.nanoTime();
                HttpResponse<String> r = latest(s);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertEquals(200, r.statusCode(), r.body());
                // the stalls are cut at ~1.25 s; without the deadline the poll waits as long as they stay open
                assertTrue(ms < 8000, "poll took " + ms + " ms");
                for (Socket k : held) { // the server closed every stalled connection
                    k.setSoTimeout(5000);
                    assertEquals(-1, k.getInputStream().read(), "a stalled connection is closed by the server");
                }
                assertTrue(s.abandonedExchanges() >= 6, "abandoned " + s.abandonedExchanges());
            } finally {
                for (Socket k : held) {
                    k.close();
                }
            }
        }
    }

    @Test
    @DisplayName("a client that requests a bundle and never reads it is cut off at the transfer deadline")
    void unreadDownloadIsCutOff(@TempDir Path dir) throws Exception {
        UpdateServer.Limits limits = new UpdateServer.Limits(3, Duration.ofSeconds(1), 8 << 20);
        try (UpdateServer s = new UpdateServer(ChannelStore.withoutVerification(dir), new InetSocketAddress("127.0.0.1", 0), 1 << 26,
                Optional.empty(), limits)) {
            byte[] b = Fixtures.opaqueBundle("har", 9, 16 << 20, 1, K); // larger than the socket buffers
            HttpResponse<String> pub = put(s.url() + "/channels/stable", b);
            assertEquals(200, pub.statusCode(), pub.body());
            String sha = io.edgeloop.api.provenance.Sha256.hex(b);
            List<Socket> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Socket k = new Socket();
                k.setReceiveBufferSize(4096);
                k.connect(new InetSocketAddress("127.0.0.1", URI.create(s.url()).getPort()));
                k.getOutputStream().write(("GET /bundles/stable/" + sha + ".bundle HTTP/1.1\r\nHost: x\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                k.getOutputStream().flush();
                held.add(k);
            }
            try {
                // 16 MiB at the 8 MiB/s floor plus 1 s: cut off after ~3 s; meanwhile the third worker serves polls
                assertEquals(200, latest(s).statusCode());
                long t0 = System.nanoTime();
                while (s.abandonedExchanges() < 2 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15)) {
                    Thread.sleep(200);
                }
                assertEquals(2, s.abandonedExchanges(), "both unread downloads abandoned");
                for (Socket k : held) {
                    k.setSoTimeout(5000);
                    InputStream in = k.getInputStream();
                    byte[] buf = new byte[1 << 16];
                    long got = 0;
                    try {
                        for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
                            got += r;
                        }
                    } catch (SocketTimeoutException | java.net.SocketException e) {
                        // a reset also proves the server closed it
                    }
                    assertTrue(got < b.length, "the transfer was cut short: " + got);
                }
            } finally {
                for (Socket k : held) {
                    k.close();
                }
            }
        }
    }

    @Test
    @DisplayName("a bad channel name gets 400 with a JSON error over real HTTP (GET and PUT), not an empty reply")
    void badChannelNameIs400(@TempDir Path dir) throws Exception {
        try (UpdateServer s = new UpdateServer(ChannelStore.withoutVerification(dir), new InetSocketAddress("127.0.0.1", 0), 1 << 24)) {
            HttpResponse<String> g = client.send(HttpRequest.newBuilder(URI.create(s.url() + "/channels/Bad_Name/latest"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, g.statusCode(), g.body());
            assertTrue(g.body().startsWith("{\"error\":") && g.body().contains("invalid channel name"), g.body());
            HttpResponse<String> p = put(s.url() + "/channels/Bad_Name", Fixtures.opaqueBundle("har", 9, 100, 1, K));
            assertEquals(400, p.statusCode(), p.body());
            assertTrue(p.body().contains("invalid channel name 'Bad_Name'"), p.body());
            HttpResponse<String> d = client.send(HttpRequest.newBuilder(URI.create(s.url() + "/bundles/Bad_Name/"
                    + "0".repeat(64) + ".bundle")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, d.statusCode(), d.body());
        }
    }

    @Test
    @DisplayName("a PUT onto a full disk (a real 64 KiB tmpfs) answers 507 with a JSON error naming the cause, and the"
            + " server keeps serving")
    void fullDiskIs507(@TempDir Path dir) throws Exception {
        Path mnt = dir.resolve("mnt");
        Files.createDirectories(mnt);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt.toString()),
                "mounting a tmpfs needs root (CI runs the tests as root); without it this full-disk case is untested");
        try (UpdateServer s = new UpdateServer(ChannelStore.withoutVerification(mnt.resolve("store")), new InetSocketAddress("127.0.0.1", 0),
                1 << 24)) {
            HttpResponse<String> small = put(s.url() + "/channels/stable", Fixtures.opaqueBundle("har", 8, 100, 1, K));
            assertEquals(200, small.statusCode(), small.body());
            HttpResponse<String> r = put(s.url() + "/channels/stable", Fixtures.opaqueBundle("har", 9, 200_000, 1, K));
            assertEquals(507, r.statusCode(), r.body());
            assertTrue(r.body().startsWith("{\"error\":") && r.body().contains("No space left"), r.body());
            HttpResponse<String> l = latest(s);
            assertEquals(200, l.statusCode());
            assertTrue(l.body().contains("\"sequence\":8"), l.body());
            try (var files = Files.list(mnt.resolve("store"))) {
                assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")),
                        "the partial upload is removed");
            }
        } finally {
            run("umount", mnt.toString());
        }
    }

    static boolean run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

}
