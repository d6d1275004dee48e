package io.edgeloop.ota.server;

import static io.edgeloop.ota.server.DamagedStoreTest.mkfifo;
import static io.edgeloop.ota.server.DamagedStoreTest.published;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The channel store's reads (the latest publication, a download, publish's check of an already stored copy) checked
 * that an entry was a regular file and then opened it for reading alone: a FIFO put there in between made open(2)
 * wait for a writer for good, holding an update server's worker, or a publish and its channel's lock (review LOW).
 * Now every entry is read through {@link io.edgeloop.ota.file.RegularFileChannel}, which refuses a FIFO at the name
 * (its own race, a FIFO swapped in between its check and its open, is tested in {@code RegularFileChannelTest}).
 * Real FIFOs ({@code mkfifo}), swapped in at the store's test seam just before its open; every call is
 * given a bounded wait, after which the test opens the FIFO itself to free a stuck open, and fails.
 */
class FifoReadTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 64);
    /** How long one call may take here: each takes well under a second. */
    static final long BOUND_SECONDS = 20;

    @AfterEach
    void resetSeam() {
        ChannelStore.beforeOpen = f -> {
        };
    }

    /** At the seam, the first open of {@code entry} finds the FIFO {@code fifo} moved over it. */
    static void swapInAtOpen(Path entry, Path fifo) {
        ChannelStore.beforeOpen = f -> {
            if (f.equals(entry) && Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.move(fifo, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
    }

    /** Runs {@code call} within the bound; when it hangs, frees it by opening {@code fifo} and fails. */
    static <T> T withinBound(Path fifo, Callable<T> call) throws Exception {
        CompletableFuture<T> f = CompletableFuture.supplyAsync(() -> {
            try {
                return call.call();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        try {
            return f.get(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException hung) {
            FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE).close(); // a writer: it returns
            fail("hung on a FIFO swapped in after the check for " + BOUND_SECONDS + " s");
            return null;
        }
    }

    /** The exception {@code call} ended with, within the bound. */
    static Throwable failureWithinBound(Path fifo, Callable<?> call) throws Exception {
        try {
            Object r = withinBound(fifo, call);
            return fail("expected a failure, got " + r);
        } catch (ExecutionException e) {
            return e.getCause() instanceof java.util.concurrent.CompletionException c ? c.getCause() : e.getCause();
        }
    }

    static boolean isFifo(Path p) throws Exception {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
    }

    @Test
    @DisplayName("latest(): a FIFO swapped in for latest.json after any check is reported as damage, not waited on")
    void latestDoesNotWaitOnAFifo(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        published(root, Fixtures.opaqueBundle("har", 1, 100, 1, K));
        Path latest = root.resolve("channels/stable/latest.json");
        Path fifo = dir.resolve("fifo");
        mkfifo(fifo);
        swapInAtOpen(latest, fifo);
        ChannelStore store = ChannelStore.withoutVerification(root);
        Throwable e = failureWithinBound(latest, () -> store.latest("stable"));
        assertTrue(e instanceof DamagedStoreException && e.getMessage().contains("a special file"), String.valueOf(e));
        assertTrue(isFifo(latest));
    }

    @Test
    @DisplayName("a download of a bundle swapped for a FIFO after any check is answered 500, the worker freed")
    void downloadDoesNotHoldAWorker(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        Path stored = published(root, Fixtures.opaqueBundle("har", 1, 100, 1, K));
        Path fifo = dir.resolve("fifo");
        mkfifo(fifo);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        try (UpdateServer s = new UpdateServer(ChannelStore.withoutVerification(root), new InetSocketAddress("127.0.0.1", 0),
                1 << 24)) {
            swapInAtOpen(stored, fifo);
            HttpResponse<String> r = withinBound(stored, () -> client.send(HttpRequest.newBuilder(
                    URI.create(s.url() + "/bundles/stable/" + stored.getFileName())).timeout(Duration.ofSeconds(60))
                    .GET().build(), HttpResponse.BodyHandlers.ofString()));
            assertEquals(500, r.statusCode(), r.body());
            assertTrue(r.body().contains("channel store is damaged"), r.body());
        }
    }

    @Test
    @DisplayName("publishing a stored bundle again with a FIFO swapped in for its stored copy is refused as damage, "
            + "not a wait under the channel's lock")
    void publishDoesNotWaitUnderTheLock(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("store");
        byte[] bundle = Fixtures.opaqueBundle("har", 1, 100, 1, K);
        Path stored = published(root, bundle);
        Path again = Files.write(dir.resolve("again.bundle"), bundle);
        Path fifo = dir.resolve("fifo");
        mkfifo(fifo);
        swapInAtOpen(stored, fifo);
        ChannelStore store = ChannelStore.withoutVerification(root);
        Throwable e = failureWithinBound(stored, () -> store.publish(again, "stable"));
        assertTrue(e instanceof DamagedStoreException && e.getMessage().contains(stored.toString()),
                String.valueOf(e));
        resetSeam();
        Files.delete(stored);
        assertEquals(1, store.publish(again, "stable").sequence(), "the channel's lock was released");
    }
}
