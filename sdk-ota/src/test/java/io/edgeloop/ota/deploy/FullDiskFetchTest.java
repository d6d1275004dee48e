package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.tck.Tmpfs;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetching onto a full disk (review s6 item 8), on a real small tmpfs: a publication that cannot fit is refused
 * before any byte is written, and a download that hits ENOSPC midway deletes its partial file instead of keeping
 * the disk full for every later poll.
 */
class FullDiskFetchTest {
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "full-disk-fetch-test");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    @DisplayName("both deployers refuse a publication larger than the free space before writing anything")
    void refusedBeforeFetching(@TempDir Path dir) throws Exception {
        byte[] bundle = random(128 * 1024, 1);
        Path src = Files.write(dir.resolve("bundle.bin"), bundle);
        Publication p = new Publication("stable", "har", 2, Sha256.hex(bundle), bundle.length, src.toString());
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 64 * 1024, "FullDiskFetchTest needs a real small disk");
                ScriptedHttpServer server = new ScriptedHttpServer("har", 2, Sha256.hex(bundle), bundle.length, bundle,
                        ScriptedHttpServer.Mode.PLAIN, 0)) {
            Path dst = fs.path().resolve("download.bundle");
            DeploymentException e = assertThrows(DeploymentException.class,
                    () -> new DirectoryDeployer(dir.resolve("channels"), Downloads.DEFAULT_MAX_BYTES).fetch(p, dst));
            assertTrue(e.getMessage().contains("not enough space") && e.getMessage().contains("nothing was fetched"),
                    e.getMessage());
            assertFalse(Files.exists(dst));
            HttpDeployer http = new HttpDeployer(URI.create(server.url()), Duration.ofSeconds(10),
                    Downloads.DEFAULT_MAX_BYTES);
            Publication hp = http.latest("stable").orElseThrow();
            e = assertThrows(DeploymentException.class, () -> http.fetch(hp, dst));
            assertTrue(e.getMessage().contains("not enough space"), e.getMessage());
            assertFalse(Files.exists(dst));
            assertTrue(server.downloads() == 0, "no GET of the bundle");
        }
    }

    @Test
    @DisplayName("a download that hits ENOSPC midway (another writer filled the disk) deletes its partial file")
    void enospcDeletesPartial(@TempDir Path dir) throws Exception {
        byte[] bundle = random(96 * 1024, 2);
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 256 * 1024, "FullDiskFetchTest needs a real full disk");
                ScriptedHttpServer server = new ScriptedHttpServer("har", 2, Sha256.hex(bundle), bundle.length, bundle,
                        ScriptedHttpServer.Mode.PAUSE_FIRST_DOWNLOAD, 0)) {
            HttpDeployer http = new HttpDeployer(URI.create(server.url()), Duration.ofSeconds(10),
                    Downloads.DEFAULT_MAX_BYTES);
            Publication p = http.latest("stable").orElseThrow();
            Path dst = fs.path().resolve("download.bundle");
            Future<?> fetching = pool.submit(() -> {
                http.fetch(p, dst);
                return null;
            });
            assertTrue(server.stalled.await(30, TimeUnit.SECONDS), "the server sent half of the bundle");
            Path filler = fs.fill("filler", 512); // another writer takes (almost) every free byte
            server.release.countDown();
            ExecutionException e = assertThrows(ExecutionException.class, () -> fetching.get(30, TimeUnit.SECONDS));
            assertInstanceOf(DeploymentException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("No space left")
                    && e.getCause().getMessage().contains("deleted the partial file"), e.getCause().getMessage());
            assertFalse(Files.exists(dst), "the partial download does not keep the disk full");

            Files.delete(filler);
            http.fetch(p, dst);
            assertArrayEquals(bundle, Files.readAllBytes(dst));
        }
    }
}
