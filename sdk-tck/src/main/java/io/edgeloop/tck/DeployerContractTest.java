package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract tests for {@link Deployer} implementations: publish, poll and fetch round-trip bytes exactly, a
 * fetch whose bytes do not match the publication fails, and a publish of a missing file fails with
 * {@link DeploymentException} and leaves the channel as it was. A publication must outlive the file it was published
 * from: after publish the kit deletes the file (and, in another test, overwrites it in place with another bundle),
 * then polls and fetches, and requires the published bytes; a deployer whose publication points at the caller's file
 * fails both. The SPI's thread safety ("publish and fetch may be called
 * concurrently") is checked with publishers, pollers and fetchers running at once, several fetches of one
 * publication into their own files, and several fetches into one file (each must return with the whole bundle
 * there). Its resume clause ("resuming a partial file when possible") is checked with what an interrupted fetch
 * leaves at the destination: the first part of the bundle must end whole, and a partial file of another bundle
 * (shorter, or longer than this one) must never be kept as this bundle: the fetch either delivers the right bytes
 * or fails, removes the file, and the next fetch delivers them.
 *
 * <p>Thread safety: JUnit creates one instance per test method; instances are not shared between threads.
 */
public abstract class DeployerContractTest extends ProviderContractTest<DeployerProvider> {
    /**
     * Returns a configuration for a fresh, empty deployment back end.
     *
     * @param workDir a temporary directory the deployer may use
     * @return the configuration
     * @throws Exception when the back end cannot be prepared
     */
    protected abstract ComponentConfig config(Path workDir) throws Exception;

    @Override
    protected final Object createAdding(Path workDir, String key, String value) throws Exception {
        return provider().create(config(workDir).toBuilder().put(key, value).build());
    }

    @Override
    protected final Class<DeployerProvider> providerType() {
        return DeployerProvider.class;
    }

    /**
     * Writes a file to publish. The default is {@code size} seeded random bytes, for back ends that treat bundles as
     * opaque. A back end that reads what it publishes (for example one that refuses unreadable bundles or a
     * sequence not above the channel's latest) overrides this to write a real bundle of about {@code size} bytes;
     * within one test the seeds increase, so an override may use the seed as the sequence.
     *
     * @param dir  the directory to write into
     * @param size the wanted size in bytes
     * @param seed the seed (1, 2, 3, ...; increasing within a test)
     * @return the file
     * @throws Exception when it cannot be written
     */
    protected Path bundleFile(Path dir, int size, long seed) throws Exception {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path f = dir.resolve("bundle-" + seed + ".tar");
        Files.write(f, b);
        return f;
    }

    @Test
    @DisplayName("reports nothing published on a new channel")
    void emptyChannel(@TempDir Path dir) throws Exception {
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            assertEquals(Optional.empty(), d.latest("tck-empty"));
        }
    }

    @Test
    @DisplayName("round-trips a published bundle byte for byte")
    void roundTrips(@TempDir Path dir) throws Exception {
        Path src = bundleFile(dir, 300_000, 1);
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            Publication p = d.publish(src, "tck");
            assertEquals(Sha256.hex(src), p.sha256());
            assertEquals(Files.size(src), p.sizeBytes());
            Publication latest = d.latest("tck").orElseThrow();
            assertEquals(p.sha256(), latest.sha256());
            Path dst = dir.resolve("fetched.tar");
            d.fetch(latest, dst);
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst));
        }
    }

    @Test
    @DisplayName("replaces a channel's publication when a newer bundle is published")
    void replaces(@TempDir Path dir) throws Exception {
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            d.publish(bundleFile(dir, 1000, 1), "tck");
            Publication second = d.publish(bundleFile(dir, 2000, 2), "tck");
            assertEquals(second.sha256(), d.latest("tck").orElseThrow().sha256());
        }
    }

    @Test
    @DisplayName("fails a fetch whose bytes do not match the publication's digest")
    void rejectsMismatch(@TempDir Path dir) throws Exception {
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            Publication p = d.publish(bundleFile(dir, 5000, 3), "tck");
            Publication wrong = new Publication(p.channel(), p.name(), p.sequence(),
                    "0".repeat(64), p.sizeBytes(), p.location());
            Path dst = dir.resolve("bad.tar");
            assertThrows(DeploymentException.class, () -> d.fetch(wrong, dst));
            // Bytes that failed verification must not stay where a caller could take them for the bundle.
            assertFalse(Files.exists(dst), "a fetch whose digest did not match left " + dst + " behind");
        }
    }

    @Test
    @DisplayName("refuses to publish a bundle file that does not exist with DeploymentException, leaving the channel "
            + "as it was")
    void refusesMissingBundle(@TempDir Path dir) throws Exception {
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            Publication before = d.publish(bundleFile(dir, 1000, 1), "tck");
            Path missing = dir.resolve("missing.tar");
            DeploymentException e = assertThrows(DeploymentException.class, () -> d.publish(missing, "tck"),
                    "publish of " + missing + ", which does not exist, must throw DeploymentException: devices "
                            + "would otherwise be offered whatever it published as the channel's latest");
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "the DeploymentException must say why");
            assertEquals(before.sha256(), d.latest("tck").orElseThrow().sha256(), "a refused publish changed the "
                    + "channel's latest publication");
        }
    }

    @Test
    @DisplayName("keeps a publication's bytes when the published file is deleted after publish")
    void keepsBytesWhenTheSourceIsDeleted(@TempDir Path dir) throws Exception {
        assertOutlivesItsFile(dir, "deleted", (src, other) -> Files.delete(src));
    }

    @Test
    @DisplayName("keeps a publication's bytes when the published file is overwritten in place with another bundle "
            + "after publish")
    void keepsBytesWhenTheSourceIsOverwritten(@TempDir Path dir) throws Exception {
        // In place (truncate and write, same file): a publisher reusing its output file does this, and it also
        // changes a hard link to the file, which a deployer may not keep as its copy either.
        assertOutlivesItsFile(dir, "overwritten in place with another bundle",
                (src, other) -> Files.write(src, Files.readAllBytes(other)));
    }

    /** What the caller does to the published file after publish; {@code other} is another bundle of its size. */
    @FunctionalInterface
    private interface SourceChange {
        void apply(Path published, Path other) throws Exception;
    }

    /**
     * Publishes a bundle, changes the file it was published from, then polls and fetches and requires the bytes
     * published: a publisher may delete or reuse its bundle file once publish returned.
     */
    private void assertOutlivesItsFile(Path dir, String change, SourceChange action) throws Exception {
        Path src = bundleFile(dir, 200_000, 1);
        Path other = bundleFile(Files.createDirectories(dir.resolve("other")), 200_000, 2);
        String why = "; publish must keep its own copy of the bundle (a publication must not refer to the caller's "
                + "file: a publisher that deletes or reuses its output file would break every device's fetch)";
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            d.publish(src, "tck");
            byte[] published = Files.readAllBytes(src);
            String digest = Sha256.hex(published);
            action.apply(src, other);
            Publication latest = d.latest("tck").orElseThrow(() -> new AssertionError("latest(\"tck\") is empty "
                    + "after the published file was " + change + why));
            assertEquals(digest, latest.sha256(), "latest(\"tck\") after the published file was " + change + why);
            Path dst = dir.resolve("fetched.tar");
            try {
                d.fetch(latest, dst);
            } catch (DeploymentException e) {
                throw new AssertionError("fetch of " + latest + " failed after the published file was " + change
                        + " (" + e.getMessage() + ")" + why, e);
            }
            byte[] got = Files.readAllBytes(dst);
            if (!Arrays.equals(published, got)) {
                fail("fetch after the published file was " + change + " delivered " + got.length + " bytes with "
                        + "SHA-256 " + Sha256.hex(got).substring(0, 12) + "..., the publication is "
                        + published.length + " bytes with " + digest.substring(0, 12) + "..." + why);
            }
        }
    }

    @Test
    @DisplayName("closes idempotently and refuses latest, publish and fetch after close")
    void lifecycle(@TempDir Path dir) throws Exception {
        Path src = bundleFile(dir, 1000, 1);
        Deployer d = provider().create(config(dir.resolve("backend")));
        Publication p = d.publish(src, "tck");
        d.close();
        assertDoesNotThrow(d::close);
        assertThrows(IllegalStateException.class, () -> d.latest("tck"));
        assertThrows(IllegalStateException.class, () -> d.publish(src, "tck"), "publish after close");
        Path dst = dir.resolve("after-close.tar");
        assertThrows(IllegalStateException.class, () -> d.fetch(p, dst), "fetch after close");
        assertFalse(Files.exists(dst), "a fetch refused after close must not create " + dst);
    }

    @Test
    @DisplayName("lifecycle: releases in close() the threads and file descriptors it opened")
    void closeReleasesThreadsAndFiles(@TempDir Path dir) throws Exception {
        ComponentConfig c = config(dir.resolve("backend"));
        try (Deployer first = provider().create(c)) {
            first.publish(bundleFile(dir, 1000, 1), "tck");
        }
        // One cycle first: classes loaded, jars opened and shared pools started once stay out of the count.
        cycle(c);
        Resources.Snapshot before = Resources.snapshot();
        int cycles = 50;
        for (int i = 0; i < cycles; i++) {
            cycle(c);
        }
        // A grace of seconds, not more: descriptors a component leaves to the garbage collector come back only when
        // a GC runs, which a client making a deployer per poll cannot count on (the waiting loop allocates next to
        // nothing, so none runs meanwhile). Not less: sockets a shared HTTP client closes asynchronously after each
        // exchange took over 1 s to go on the loaded 2-core build machine (one run saw 50 still open at 1 s).
        Resources.assertReleased(before, cycles, Duration.ofSeconds(5), t -> false,
                "after " + cycles + " create/latest/close cycles");
    }

    private void cycle(ComponentConfig c) throws Exception {
        Deployer d = provider().create(c);
        try {
            assertTrue(d.latest("tck").isPresent(), "latest after a publish");
        } finally {
            d.close();
        }
    }

    /** A task run on a kit thread. */
    @FunctionalInterface
    private interface Task {
        void run() throws Exception;
    }

    /**
     * Runs the tasks on their own threads, started together, and fails with the first task's failure (or when they
     * do not finish within two minutes).
     */
    private static void together(String what, List<Task> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size(), r -> {
            Thread t = new Thread(r, "tck-deployer");
            t.setDaemon(true);
            return t;
        });
        try {
            CyclicBarrier start = new CyclicBarrier(tasks.size());
            List<Future<?>> running = new ArrayList<>();
            for (Task t : tasks) {
                running.add(pool.submit(() -> {
                    start.await();
                    t.run();
                    return null;
                }));
            }
            for (Future<?> f : running) {
                try {
                    f.get(120, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof AssertionError a) {
                        throw a;
                    }
                    throw new AssertionError(what + ": " + c, c);
                } catch (TimeoutException e) {
                    throw new AssertionError(what + " did not finish within 120 s", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertWhole(Path src, Path dst, String what) throws Exception {
        assertTrue(Files.exists(dst), what + ": " + dst + " is missing");
        byte[] want = Files.readAllBytes(src);
        byte[] got = Files.readAllBytes(dst);
        if (!Arrays.equals(want, got)) {
            fail(what + ": " + dst + " holds " + got.length + " bytes with SHA-256 " + Sha256.hex(got).substring(0, 12)
                    + "..., the bundle is " + want.length + " bytes with " + Sha256.hex(want).substring(0, 12) + "...");
        }
    }

    @Test
    @DisplayName("publishes, polls and fetches concurrently: every poll sees a bundle published on that channel, and "
            + "every fetch of it delivers its bytes")
    void publishesPollsAndFetchesConcurrently(@TempDir Path dir) throws Exception {
        int channels = 3;
        int perChannel = 3;
        List<List<Path>> bundles = new ArrayList<>();
        List<Set<String>> digests = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            bundles.add(new ArrayList<>());
            digests.add(ConcurrentHashMap.newKeySet());
        }
        long seed = 1;
        for (int k = 0; k < perChannel; k++) {
            for (int c = 0; c < channels; c++) {
                Path f = bundleFile(Files.createDirectories(dir.resolve("src-" + c)), 150_000 + 10_000 * c, seed++);
                bundles.get(c).add(f);
                digests.get(c).add(Sha256.hex(f));
            }
        }
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            AtomicBoolean published = new AtomicBoolean();
            List<Task> tasks = new ArrayList<>();
            tasks.add(() -> {
                try {
                    for (int k = 0; k < perChannel; k++) {
                        for (int c = 0; c < channels; c++) {
                            Publication p = d.publish(bundles.get(c).get(k), "tck-" + c);
                            assertEquals(Sha256.hex(bundles.get(c).get(k)), p.sha256(), "publish on tck-" + c);
                        }
                    }
                } finally {
                    published.set(true);
                }
            });
            for (int t = 0; t < 3; t++) {
                int poller = t;
                tasks.add(() -> {
                    int n = 0;
                    for (boolean last = false; !last; n++) {
                        last = published.get();
                        int c = (poller + n) % channels;
                        Optional<Publication> p = d.latest("tck-" + c);
                        if (p.isEmpty()) {
                            continue;
                        }
                        assertTrue(digests.get(c).contains(p.get().sha256()), "latest on tck-" + c + " while "
                                + "publishing is " + p.get() + ", not a bundle published there");
                        Path dst = dir.resolve("poller-" + poller + "-" + n + ".tar");
                        d.fetch(p.get(), dst);
                        assertEquals(p.get().sha256(), Sha256.hex(dst), "fetched " + p.get() + " while publishing");
                        assertEquals(p.get().sizeBytes(), Files.size(dst));
                        Files.delete(dst);
                    }
                });
            }
            together("publishing, polling and fetching at once", tasks);
            for (int c = 0; c < channels; c++) {
                Path last = bundles.get(c).get(perChannel - 1);
                Publication p = d.latest("tck-" + c).orElseThrow();
                assertEquals(Sha256.hex(last), p.sha256(), "tck-" + c + " after all publishes");
                Path dst = dir.resolve("final-" + c + ".tar");
                d.fetch(p, dst);
                assertWhole(last, dst, "the last bundle of tck-" + c);
            }
        }
    }

    @Test
    @DisplayName("fetches one publication into eight files at once, each byte for byte")
    void fetchesConcurrentlyIntoOwnFiles(@TempDir Path dir) throws Exception {
        Path src = bundleFile(dir, 400_000, 1);
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            Publication p = d.publish(src, "tck");
            List<Task> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Path dst = dir.resolve("fetch-" + t + ".tar");
                tasks.add(() -> {
                    d.fetch(p, dst);
                    assertWhole(src, dst, "one of eight concurrent fetches");
                });
            }
            together("eight concurrent fetches into their own files", tasks);
        }
    }

    @Test
    @DisplayName("fetches one publication into one file from four threads at once: every fetch returns and the file "
            + "is whole")
    void fetchesConcurrentlyIntoOneFile(@TempDir Path dir) throws Exception {
        Path src = bundleFile(dir, 400_000, 1);
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            Publication p = d.publish(src, "tck");
            for (int round = 0; round < 3; round++) {
                Path dst = dir.resolve("shared-" + round + ".tar");
                List<Task> tasks = Collections.nCopies(4, () -> d.fetch(p, dst));
                together("round " + round + " of four concurrent fetches into " + dst.getFileName(), tasks);
                assertWhole(src, dst, "round " + round + ", after four concurrent fetches into one file");
            }
        }
    }

    @Test
    @DisplayName("resumes a partial download: a destination holding the first part of the bundle ends whole")
    void resumesAPartialDownload(@TempDir Path dir) throws Exception {
        Path src = bundleFile(dir, 300_000, 1);
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            Publication p = d.publish(src, "tck");
            byte[] b = Files.readAllBytes(src);
            for (int cut : new int[] {1, b.length / 2, b.length - 1}) {
                Path dst = dir.resolve("partial-" + cut + ".tar");
                Files.write(dst, Arrays.copyOf(b, cut));
                d.fetch(p, dst);
                assertWhole(src, dst, "fetch resumed after " + cut + " bytes");
            }
        }
    }

    @Test
    @DisplayName("never keeps a partial file of another bundle (shorter or longer) as this bundle: the fetch delivers "
            + "the right bytes, or fails, removes the file and the next fetch delivers them")
    void neverKeepsAPartialOfAnotherBundle(@TempDir Path dir) throws Exception {
        Path small = bundleFile(dir, 100_000, 1);
        Path src = bundleFile(dir, 300_000, 2);
        Path big = bundleFile(dir, 500_000, 3);
        try (Deployer d = provider().create(config(dir.resolve("backend")))) {
            Publication p = d.publish(src, "tck");
            byte[] smallBytes = Files.readAllBytes(small);
            byte[] bigBytes = Files.readAllBytes(big);
            byte[] garbage = new byte[(int) p.sizeBytes()];
            new Random(9).nextBytes(garbage);
            List<byte[]> stale = List.of(smallBytes, Arrays.copyOf(bigBytes, (int) p.sizeBytes() / 2), bigBytes,
                    garbage);
            List<String> names = List.of("a whole smaller bundle", "half of another bundle", "a whole larger bundle",
                    "garbage of the bundle's size");
            for (int i = 0; i < stale.size(); i++) {
                Path dst = dir.resolve("stale-" + i + ".tar");
                Files.write(dst, stale.get(i));
                try {
                    d.fetch(p, dst);
                } catch (DeploymentException refused) {
                    assertFalse(Files.exists(dst), "a fetch over " + names.get(i) + " failed (" + refused.getMessage()
                            + ") and left " + dst + " behind");
                    d.fetch(p, dst);
                }
                assertWhole(src, dst, "fetch over " + names.get(i));
            }
        }
    }
}
