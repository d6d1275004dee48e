package io.edgeloop.ota.server;

import static io.edgeloop.ota.server.DamagedWithdrawalTest.frozen;
import static io.edgeloop.ota.server.UntrustedPublicationTest.K;
import static io.edgeloop.ota.server.UntrustedPublicationTest.TRUST;
import static io.edgeloop.ota.server.UntrustedPublicationTest.har;
import static io.edgeloop.ota.server.UntrustedPublicationTest.snapshot;
import static io.edgeloop.ota.server.UntrustedPublicationTest.trustingStore;
import static io.edgeloop.ota.server.UntrustedPublicationTest.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgeloop.api.provenance.Sha256;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A channel store on a directory this process may not write (a read-only mount, an immutable directory; made here
 * with {@code chattr +i}, which binds root, as the tests run, where mode bits do not). Reads work; a publish or a
 * withdrawal fails before it changes anything, with one line naming the directory: before, a publish named the
 * temporary file it was creating ({@code .incoming.<pid>.<n>.tmp: Operation not permitted}), and a withdrawal with
 * only the root immutable rewrote {@code names.json} and {@code latest.json} and then failed to move the bundle to
 * {@code withdrawn/}. Skipped, saying so, where {@code chattr +i} is not available (it needs e2fsprogs,
 * {@code CAP_LINUX_IMMUTABLE} and a file system with the attribute: ext4, xfs, btrfs).
 */
class ReadOnlyStoreTest {
    private final List<Path> immutable = new ArrayList<>();

    /** Makes each directory immutable ({@code chattr +i}), undone after the test; skips the test without it. */
    void makeImmutable(Path... dirs) throws Exception {
        for (Path d : dirs) {
            Process p = new ProcessBuilder("sh", "-c", "exec chattr +i \"$1\"", "chattr", d.toString())
                .redirectErrorStream(true).start(); // via sh: no chattr is exit 127, a skip
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assumeTrue(p.waitFor() == 0, "needs chattr +i (e2fsprogs, CAP_LINUX_IMMUTABLE, a file system with the "
                    + "attribute): " + out.strip());
            immutable.add(d);
        }
        assertFalse(Files.isWritable(dirs[0]), "immutable: not writable even by root");
    }

    @AfterEach
    void undo() throws Exception {
        for (Path d : immutable) {
            new ProcessBuilder("chattr", "-i", d.toString()).inheritIO().start().waitFor();
        }
    }

    static void assertOneLineNaming(Path dir, String consequence, String message) {
        assertEquals(dir + ": the channel store cannot write here (a read-only mount, an immutable directory (chattr"
                + " +i) or no write permission): " + consequence + "; reads of the store still work", message);
    }

    /** A trusting store in {@code dir/srv} with har sequence 1 published on stable. */
    static ChannelStore storeWithOne(Path dir) throws Exception {
        ChannelStore store = trustingStore(dir.resolve("srv"), TRUST);
        store.publish(write(dir, "har-1.bundle", har(1, K)), "stable");
        return store;
    }

    @Test
    @DisplayName("a publish into an immutable store fails naming the directory, changes nothing, and reads still work")
    void publishIntoAnImmutableStore(@TempDir Path dir) throws Exception {
        ChannelStore store = storeWithOne(dir);
        Path root = store.root();
        Path channels = root.resolve("channels");
        Path stable = channels.resolve("stable");
        makeImmutable(stable, channels, root);
        Map<String, String> before = snapshot(root);
        Path two = write(dir, "har-2.bundle", har(2, K));

        FileSystemException e = assertThrows(FileSystemException.class, () -> store.publish(two, "stable"));
        assertOneLineNaming(stable, "nothing was published on channel stable", e.getMessage());
        e = assertThrows(FileSystemException.class, () -> store.publish(two, "beta"));
        assertOneLineNaming(channels, "nothing was published on channel beta", e.getMessage());

        assertEquals(before, snapshot(root), "nothing written, nothing left");
        assertEquals(1, store.latest("stable").orElseThrow().sequence());
        assertTrue(store.file("stable", Sha256.hex(har(1, K))).isPresent());
    }

    @Test
    @DisplayName("an update server on an immutable store serves polls and downloads and answers a publish 500 "
            + "naming the store")
    void serverOnAnImmutableStore(@TempDir Path dir) throws Exception {
        ChannelStore store = storeWithOne(dir);
        Path root = store.root();
        makeImmutable(root.resolve("channels/stable"), root.resolve("channels"), root);
        Map<String, String> before = snapshot(root);
        HttpClient client = HttpClient.newHttpClient();
        try (UpdateServer s = new UpdateServer(store, new InetSocketAddress("127.0.0.1", 0), 1 << 24)) {
            HttpResponse<String> latest = client.send(HttpRequest.newBuilder(URI.create(s.url()
                    + "/channels/stable/latest")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, latest.statusCode(), latest.body());
            HttpResponse<byte[]> bundle = client.send(HttpRequest.newBuilder(URI.create(s.url() + "/bundles/stable/"
                    + Sha256.hex(har(1, K)) + ".bundle")).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, bundle.statusCode());
            assertArrayEquals(har(1, K), bundle.body());
            HttpResponse<String> put = client.send(HttpRequest.newBuilder(URI.create(s.url() + "/channels/stable"))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(har(2, K))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(500, put.statusCode(), put.body());
            assertTrue(put.body().contains(root + ": the channel store cannot write here")
                    && put.body().contains("nothing was published"), put.body());
        }
        assertEquals(before, snapshot(root), "nothing written, nothing left");
    }

    @Test
    @DisplayName("a withdrawal with only the store's root immutable (withdrawn/ cannot be made) changes nothing")
    void withdrawalWithAnImmutableRoot(@TempDir Path dir) throws Exception {
        Path root = frozen(dir);
        makeImmutable(root);
        Map<String, String> before = snapshot(root);
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> trustingStore(root, TRUST).withdraw("stable"));
        assertOneLineNaming(root.toRealPath(), "nothing was withdrawn from channel stable", e.getMessage());
        // before: names.json and latest.json lowered to 8, the bundle still in the channel, the move refused
        assertEquals(before, snapshot(root), "nothing changed");
    }
}
