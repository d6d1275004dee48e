package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two fetches into one file named two ways (through a symbolic link to its directory, or through {@code ..} after
 * such a link) are one destination: the second waits for the first and then finds the publication there.
 */
class DestinationSpellingsTest {
    private static final byte[] BYTES = new byte[300_000];

    static {
        new Random(11).nextBytes(BYTES);
    }

    private static Publication publication() {
        return new Publication("tck", "b.bundle", 1, Sha256.hex(BYTES), BYTES.length, "unused");
    }

    private static void write(Path destination, long from) throws java.io.IOException {
        try (OutputStream out = Downloads.openForAppend(destination)) {
            out.write(BYTES, (int) from, BYTES.length - (int) from);
        }
    }

    @Test
    @DisplayName("a fetch through a symbolic link to the destination's directory waits for a fetch through the real"
            + " directory")
    void symlinkedDirectoryIsTheSameDestination(@TempDir Path dir) throws Exception {
        Path real = Files.createDirectories(dir.resolve("staging"));
        Path link = Files.createSymbolicLink(dir.resolve("via-link"), real);
        assertOneAtATime(real.resolve("b.bundle"), link.resolve("b.bundle"));
    }

    @Test
    @DisplayName("a fetch through '..' after a symbolic link waits for a fetch through the real directory")
    void dotDotAfterALinkIsTheSameDestination(@TempDir Path dir) throws Exception {
        Path real = Files.createDirectories(dir.resolve("staging"));
        Path sub = Files.createDirectories(real.resolve("sub"));
        Path link = Files.createSymbolicLink(dir.resolve("deep"), sub);
        // deep/.. is staging (the kernel resolves the link first); a lexical normalisation makes it dir/b.bundle.
        Path viaDotDot = link.resolve("../b.bundle");
        assertOneAtATime(real.resolve("b.bundle"), viaDotDot);
    }

    /**
     * Fetch A (spelling {@code a}) holds its transfer open until fetch B (spelling {@code b}) either starts its own
     * transfer (both at once: the defect) or parks waiting for the destination.
     */
    private static void assertOneAtATime(Path a, Path b) throws Exception {
        Publication p = publication();
        CountDownLatch aTransferring = new CountDownLatch(1);
        AtomicBoolean aInside = new AtomicBoolean();
        AtomicBoolean bTransferred = new AtomicBoolean();
        AtomicBoolean overlapped = new AtomicBoolean();
        AtomicReference<Thread> bThread = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> fa = pool.submit(() -> {
                Downloads.fetch(a, p, from -> {
                    aInside.set(true);
                    aTransferring.countDown();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!bTransferred.get() && !parkedOnTheClaim(bThread.get())) {
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError("fetch B neither transferred nor waited within 20 s");
                        }
                        Thread.onSpinWait();
                    }
                    write(a, from);
                    aInside.set(false);
                });
                return null;
            });
            assertTrue(aTransferring.await(20, TimeUnit.SECONDS), "fetch A never started its transfer");
            Future<?> fb = pool.submit(() -> {
                bThread.set(Thread.currentThread());
                Downloads.fetch(b, p, from -> {
                    if (aInside.get()) {
                        overlapped.set(true);
                    }
                    bTransferred.set(true);
                    write(b, from);
                });
                return null;
            });
            Throwable failure = null;
            for (Future<?> f : new Future<?>[] {fa, fb}) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                }
            }
            assertFalse(overlapped.get(), a + " and " + b + " are one file, yet both fetches transferred into it at"
                    + " once" + (failure == null ? "" : " (and one failed: " + failure + ")"));
            assertEquals(null, failure, "a fetch failed");
            assertFalse(bTransferred.get(), "the second fetch should find the publication already there");
            assertArrayEquals(BYTES, Files.readAllBytes(a));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Whether the thread is parked on the destination claim's lock (not merely between steps). */
    private static boolean parkedOnTheClaim(Thread t) {
        if (t == null || t.getState() != Thread.State.WAITING) {
            return false;
        }
        Object blocker = java.util.concurrent.locks.LockSupport.getBlocker(t);
        return blocker != null && blocker.getClass().getName().startsWith(
                java.util.concurrent.locks.ReentrantLock.class.getName());
    }
}
