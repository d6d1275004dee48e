package io.edgeloop.ota.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server killed mid-upload left its temporary file ({@code upload-<random>.tmp}, up to the upload limit) in the
 * store's root for good, and a publisher killed mid-publish left {@code incoming-*.tmp} (a bundle's size) or a
 * {@code latest.json}/{@code names.json} temporary file in the channel directory (review s14). They are now named
 * by the writer's pid, and starting a server deletes those of processes no longer alive. A real child JVM killed
 * with SIGKILL.
 */
class KilledUploadTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 64);

    static List<Path> temporaryFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    @DisplayName("the upload a server killed with SIGKILL mid-upload left behind is deleted when a server starts on "
            + "the store again, which then publishes normally")
    void killedUploadIsDeletedAtNextStart(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ServingChild.class.getName(), root.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8)); Socket upload = new Socket()) {
            URI url = URI.create(out.readLine());
            upload.connect(new InetSocketAddress("127.0.0.1", url.getPort()), 10_000);
            OutputStream o = upload.getOutputStream();
            o.write(("PUT /channels/stable HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            o.write(new byte[1 << 20]); // a quarter of the body: the server is streaming it to its temporary file
            o.flush();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (temporaryFiles(root).isEmpty() || Files.size(temporaryFiles(root).get(0)) < 64 * 1024) {
                assertTrue(System.nanoTime() < deadline, "the server never started writing the upload");
                Thread.sleep(20);
            }
            child.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook runs
            assertEquals(137, child.waitFor(), "killed by SIGKILL");
        } finally {
            child.destroyForcibly();
        }
        List<Path> left = temporaryFiles(root);
        assertEquals(1, left.size(), "the kill left the partial upload: " + left);
        Process running = new ProcessBuilder("sleep", "600").start(); // a live server of an SDK before locks
        Path live = Files.writeString(root.resolve(".upload." + running.pid() + ".1.tmp"), "an upload under way");
        try (UpdateServer s = new UpdateServer(ChannelStore.withoutVerification(root), new InetSocketAddress("127.0.0.1", 0),
                1 << 24)) {
            // old code: upload-<random>.tmp stayed for good, a megabyte per kill
            assertEquals(List.of(live), temporaryFiles(root), "only a live process's upload is left");
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(s.url() + "/channels/stable")).PUT(HttpRequest.BodyPublishers.ofByteArray(
                    Fixtures.opaqueBundle("har", 9, 100, 1, K))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(List.of(live), temporaryFiles(root), "a publish leaves no temporary file");
        } finally {
            running.destroyForcibly();
            running.waitFor();
        }
    }

    @Test
    @DisplayName("temporary files a publisher of a dead pid left in a channel directory are deleted when a server "
            + "starts; other files and live processes' are kept")
    void deadPublishersTemporaryFilesAreDeleted(@TempDir Path dir) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = gone.pid();
        Process running = new ProcessBuilder("sleep", "600").start(); // a live publisher of an SDK before locks
        long alive = running.pid();
        Path root = dir.resolve("store");
        try (UpdateServer s = new UpdateServer(ChannelStore.withoutVerification(root), new InetSocketAddress("127.0.0.1", 0), 1 << 24)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(s.url() + "/channels/stable")).PUT(HttpRequest.BodyPublishers.ofByteArray(
                    Fixtures.opaqueBundle("har", 9, 100, 1, K))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        }
        Path channel = root.resolve("channels/stable");
        Path[] stale = {
            Files.writeString(channel.resolve(".incoming." + dead + ".1.tmp"), "half a bundle"),
            Files.writeString(channel.resolve(".latest.json." + dead + ".2.tmp"), "{\"chan"),
            Files.writeString(channel.resolve(".names.json.4194305.3.tmp"), "{"), // above Linux's highest pid
            Files.writeString(root.resolve(".upload." + dead + ".4.tmp"), "part of an upload"),
            // this pid's, not in use here: a predecessor's with the same pid (a server that is always PID 1)
            io.edgeloop.ota.file.Predecessors.backdate(
                    Files.writeString(channel.resolve(".incoming." + ProcessHandle.current().pid() + ".6.tmp"), "half")),
        };
        Path[] kept = {
            Files.writeString(channel.resolve(".incoming." + alive + ".5.tmp"), "a publish under way"),
            Files.writeString(channel.resolve("notes.tmp"), "not a writer's name"),
        };
        try {
            new UpdateServer(ChannelStore.withoutVerification(root), new InetSocketAddress("127.0.0.1", 0), 1 << 24).close();
        } finally {
            running.destroyForcibly();
            running.waitFor();
        }
        for (Path f : stale) {
            assertFalse(Files.exists(f), f + " was left by a dead writer");
        }
        for (Path f : kept) {
            assertTrue(Files.exists(f), f + " must stay");
        }
        assertEquals(9, ChannelStore.withoutVerification(root).latest("stable").orElseThrow().sequence());
    }
}
