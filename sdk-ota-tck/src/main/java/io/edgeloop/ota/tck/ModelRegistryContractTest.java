package io.edgeloop.ota.tck;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.BundleAssembler;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.GoldenVectors;
import io.edgeloop.ota.bundle.VerificationPolicy;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.registry.ModelRegistry;
import io.edgeloop.ota.registry.ModelRegistryProvider;
import io.edgeloop.ota.registry.ModelStatus;
import io.edgeloop.ota.registry.RegistryEntry;
import io.edgeloop.ota.registry.VersionBump;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import io.edgeloop.tck.ProviderContractTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract tests for {@link ModelRegistry} implementations, the same ones {@code filesystem} passes: versions and
 * sequences are assigned by the registry (1.0.0 and sequence 1 first, then by {@link VersionBump}, sequences
 * without gaps, also for concurrent publishers), the stored bundle is a valid signed bundle carrying what was
 * assigned and verifies under a root of the signer's key, history is oldest first and survives reopening, the life
 * cycle (promote, deprecate, yank) follows the interface's rules (a yanked version leaves every channel and is never
 * promoted again; a yanked version that raised the security epoch leaves no older version current), unknown versions
 * are an {@link IOException}, a bundle modified after publishing is detected on read, and a closed registry refuses
 * calls.
 *
 * <p>A subclass gives {@link #config(Path)}: the settings of a fresh, empty registry whose storage lives under (or is
 * reached through) the directory; two registries created from one result must share their storage (the kit reopens
 * a registry to check durability). Bundles are built by {@link #assembler(Path, String, int)} from models of this
 * kit's own runtime ({@link TckLinearRuntimeProvider}, {@code tck-linear}), for the {@code jvm} and {@code avr8}
 * targets. The tamper test needs {@link #corruptStoredBundle}; without an override it is aborted, never passed.
 * Every call that can block runs under {@link #callTimeout()}.
 *
 * <p>Thread safety: JUnit creates one instance per test method; instances are not shared between threads.
 */
public abstract class ModelRegistryContractTest extends ProviderContractTest<ModelRegistryProvider> {
    /** The model name the kit publishes under. */
    protected static final String MODEL = "tck-model";
    /** The dataset digest the kit's bundles name in their lineage. */
    protected static final String DATASET = "5a".repeat(32);

    private static final SigningKey SIGNER = key(20261202L);

    /**
     * Returns the settings of a fresh, empty registry.
     *
     * @param workDir a temporary directory the registry may use
     * @return the configuration
     * @throws Exception when the back end cannot be prepared
     */
    protected abstract ComponentConfig config(Path workDir) throws Exception;

    @Override
    protected final Object createAdding(Path workDir, String key, String value) throws Exception {
        return provider().create(config(workDir).toBuilder().put(key, value).build());
    }

    @Override
    protected final Class<ModelRegistryProvider> providerType() {
        return ModelRegistryProvider.class;
    }

    /**
     * Changes the stored bytes of a published bundle behind the registry's back (storage corruption or tampering).
     * The default aborts the test that needs it.
     *
     * @param workDir the directory given to {@link #config(Path)}
     * @param name    the model name
     * @param version the version whose bundle to change
     * @throws Exception when it cannot be changed
     */
    protected void corruptStoredBundle(Path workDir, String name, String version) throws Exception {
        Assumptions.abort("corruptStoredBundle is not overridden: the tamper test cannot reach the stored bytes");
    }

    /**
     * How long one registry call may take before the test fails (default 30 s).
     *
     * @return the limit
     */
    protected Duration callTimeout() {
        return Duration.ofSeconds(30);
    }

    /**
     * The key the kit signs with (Ed25519, fixed seed).
     *
     * @return the signing key
     */
    protected SigningKey signer() {
        return SIGNER;
    }

    /**
     * Builds the input of one publish: a {@code tck-linear} model of 3 inputs and 2 outputs derived from
     * {@code seed}, quantized for {@code jvm} and {@code avr8} (model directories written under {@code dir}), with
     * 8 golden vectors and the dataset {@link #DATASET} in its lineage.
     *
     * @param dir  where to write the model directories
     * @param name the model name
     * @param seed the model's seed (different seeds give different bytes)
     * @return the assembler
     * @throws Exception when the directories cannot be written
     */
    protected BundleAssembler assembler(Path dir, String name, int seed) throws Exception {
        Random r = new Random(seed);
        int[][] rows = new int[2][4];
        for (int[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                row[i] = r.nextInt(41) - 20;
            }
        }
        StringBuilder model = new StringBuilder("{\"format\":\"tck-linear\",\"rows\":[");
        for (int j = 0; j < rows.length; j++) {
            model.append(j == 0 ? "[" : ",[");
            for (int i = 0; i < rows[j].length; i++) {
                model.append(i == 0 ? "" : ",").append(rows[j][i]);
            }
            model.append(']');
        }
        model.append("]}");
        int[][] xs = new int[8][3];
        int[][] ys = new int[8][];
        for (int v = 0; v < xs.length; v++) {
            for (int i = 0; i < 3; i++) {
                xs[v][i] = r.nextInt(256) - 128;
            }
            ys[v] = TckLinearRuntimeProvider.predict(rows, xs[v]);
        }
        byte[] golden = CanonicalJson.bytes(new GoldenVectors(xs, ys).toJson());
        BundleAssembler a = new BundleAssembler().name(name).runtime(TckLinearRuntimeProvider.NAME, ">=1.0.0 <2.0.0")
                .dataset("tck-dataset", DATASET);
        for (TargetProfile t : List.of(TargetProfile.JVM, TargetProfile.AVR8)) {
            Path d = Files.createDirectories(dir.resolve("models").resolve(name + "-" + seed + "-" + t.id()));
            Files.write(d.resolve("model.json"), model.toString().getBytes(StandardCharsets.UTF_8));
            Files.write(d.resolve("golden.json"), golden);
            Files.writeString(d.resolve("report.json"), "{\"target\":\"" + t.id() + "\",\"scheme\":\"int32\","
                    + "\"inputSize\":3,\"outputSize\":2,\"flashBytes\":64,\"ramBytes\":16}");
            a.model(d);
        }
        return a;
    }

    private ModelRegistry open(Path dir) throws Exception {
        ComponentConfig c = config(dir);
        return call(() -> provider().create(c));
    }

    private <T> T call(ThrowingSupplier<T> s) {
        return assertTimeoutPreemptively(callTimeout(), s,
                () -> "the registry call did not return within " + callTimeout());
    }

    private RegistryEntry publish(ModelRegistry r, Path dir, int seed, VersionBump bump, boolean raiseEpoch) {
        return call(() -> r.publish(assembler(dir, MODEL, seed), bump, raiseEpoch, List.of(signer())));
    }

    private static List<String> versions(List<RegistryEntry> entries) {
        return entries.stream().map(RegistryEntry::version).toList();
    }

    @Test
    @DisplayName("publish: assigns 1.0.0 and sequence 1 first, then bumps PATCH, MINOR and MAJOR with sequences 2, 3, 4")
    void assignsVersionsAndSequences(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = open(dir)) {
            RegistryEntry v1 = publish(r, dir, 1, VersionBump.MINOR, false);
            RegistryEntry v2 = publish(r, dir, 2, VersionBump.PATCH, false);
            RegistryEntry v3 = publish(r, dir, 3, VersionBump.MINOR, false);
            RegistryEntry v4 = publish(r, dir, 4, VersionBump.MAJOR, false);
            assertEquals(List.of("1.0.0", "1.0.1", "1.1.0", "2.0.0"), versions(List.of(v1, v2, v3, v4)));
            assertEquals(List.of(1L, 2L, 3L, 4L), List.of(v1.sequence(), v2.sequence(), v3.sequence(), v4.sequence()));
            for (RegistryEntry e : List.of(v1, v2, v3, v4)) {
                assertEquals(MODEL, e.name());
                assertEquals(ModelStatus.ACTIVE, e.status(), e.version() + " is active when published");
                assertTrue(e.channels().isEmpty(), e.version() + " is on no channel when published");
                assertEquals(0, e.securityEpoch(), e.version());
            }
        }
    }

    @Test
    @DisplayName("publish: the stored bundle verifies under a root of the signer's key and carries the assigned name, "
            + "version, sequence, epoch, digest and lineage")
    void storesAVerifiableBundle(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = open(dir)) {
            publish(r, dir, 1, VersionBump.PATCH, false);
            RegistryEntry e = publish(r, dir, 2, VersionBump.MINOR, true);
            Path b = call(() -> r.bundle(MODEL, e.version()));
            assertEquals(e.sizeBytes(), Files.size(b), "sizeBytes is the stored bundle's size");
            assertEquals(e.sha256(), Sha256.hex(b), "sha256 is the stored bundle's digest");
            Instant at = e.publishedAt();
            TrustRoot root = TrustRoot.builder().createdAt(at.minus(Duration.ofDays(1)))
                    .expiresAt(at.plus(Duration.ofDays(365))).threshold(1).key(signer().publicKey()).build();
            for (TargetProfile t : List.of(TargetProfile.JVM, TargetProfile.AVR8)) {
                BundleManifest m = new BundleVerifier(root, BundleLimits.DEFAULT, Clock.fixed(at, ZoneOffset.UTC))
                        .verify(b, VerificationPolicy.builder().target(t).build()).manifest();
                assertEquals(MODEL, m.name());
                assertEquals(e.version(), m.version());
                assertEquals(e.sequence(), m.sequence());
                assertEquals(e.securityEpoch(), m.securityEpoch());
            }
            assertEquals(DATASET, call(() -> r.lineage(MODEL, e.version())).datasets().get(0).sha256());
        }
    }

    @Test
    @DisplayName("history is every version oldest first; get finds each and nothing else; trainedOn finds by dataset")
    void historyGetTrainedOn(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = open(dir)) {
            assertTrue(call(() -> r.history(MODEL)).isEmpty(), "a new registry has no history");
            assertTrue(call(() -> r.get(MODEL, "1.0.0")).isEmpty());
            List<RegistryEntry> published = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                published.add(publish(r, dir, i, VersionBump.MINOR, false));
            }
            List<RegistryEntry> h = call(() -> r.history(MODEL));
            assertEquals(versions(published), versions(h), "history, oldest first");
            assertEquals(List.of(1L, 2L, 3L), h.stream().map(RegistryEntry::sequence).toList());
            for (RegistryEntry e : published) {
                RegistryEntry got = call(() -> r.get(MODEL, e.version())).orElseThrow(
                        () -> new AssertionError("get does not find " + e.version()));
                assertEquals(e.sequence(), got.sequence());
                assertEquals(e.sha256(), got.sha256());
            }
            assertTrue(call(() -> r.get(MODEL, "9.9.9")).isEmpty(), "no version 9.9.9");
            assertTrue(call(() -> r.history("tck-other-model")).isEmpty(), "another model has no history");
            assertEquals(Set.copyOf(versions(published)),
                    Set.copyOf(versions(call(() -> r.trainedOn(DATASET)))), "trainedOn the kit's dataset");
            assertTrue(call(() -> r.trainedOn("00".repeat(32))).isEmpty(), "trainedOn a dataset nobody used");
        }
    }

    @Test
    @DisplayName("raiseEpoch raises the security epoch by one, and later versions keep it")
    void raisesTheEpoch(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = open(dir)) {
            assertEquals(0, publish(r, dir, 1, VersionBump.PATCH, false).securityEpoch());
            assertEquals(1, publish(r, dir, 2, VersionBump.PATCH, true).securityEpoch());
            assertEquals(1, publish(r, dir, 3, VersionBump.PATCH, false).securityEpoch());
            assertEquals(2, publish(r, dir, 4, VersionBump.MAJOR, true).securityEpoch());
        }
    }

    @Test
    @DisplayName("current is the newest version promoted to a channel; channels are independent")
    void promoteAndCurrent(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = open(dir)) {
            assertTrue(call(() -> r.current(MODEL, "stable")).isEmpty(), "nothing is current before a promote");
            publish(r, dir, 1, VersionBump.PATCH, false);
            publish(r, dir, 2, VersionBump.PATCH, false);
            publish(r, dir, 3, VersionBump.PATCH, false);
            assertTrue(call(() -> r.current(MODEL, "stable")).isEmpty(), "publishing promotes nothing");
            assertEquals(Set.of("stable"), call(() -> r.promote(MODEL, "1.0.0", "stable")).channels());
            call(() -> r.promote(MODEL, "1.0.2", "canary"));
            assertEquals("1.0.0", call(() -> r.current(MODEL, "stable")).orElseThrow().version());
            assertEquals("1.0.2", call(() -> r.current(MODEL, "canary")).orElseThrow().version());
            call(() -> r.promote(MODEL, "1.0.1", "stable"));
            assertEquals("1.0.1", call(() -> r.current(MODEL, "stable")).orElseThrow().version(),
                    "the newest version on the channel");
            assertEquals(Set.of("canary"), call(() -> r.get(MODEL, "1.0.2")).orElseThrow().channels());
            assertTrue(call(() -> r.current(MODEL, "beta")).isEmpty(), "a channel nothing was promoted to");
        }
    }

    @Test
    @DisplayName("deprecate keeps a version servable; yank takes it off every channel for good and current falls back")
    void deprecateAndYank(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = open(dir)) {
            publish(r, dir, 1, VersionBump.PATCH, false);
            publish(r, dir, 2, VersionBump.PATCH, false);
            call(() -> r.promote(MODEL, "1.0.0", "stable"));
            call(() -> r.promote(MODEL, "1.0.1", "stable"));
            call(() -> r.promote(MODEL, "1.0.1", "canary"));
            RegistryEntry d = call(() -> r.deprecate(MODEL, "1.0.0", "superseded"));
            assertEquals(ModelStatus.DEPRECATED, d.status());
            assertEquals(Set.of("stable"), d.channels(), "deprecating keeps the channels");
            RegistryEntry y = call(() -> r.yank(MODEL, "1.0.1", "bad accuracy on avr8"));
            assertEquals(ModelStatus.YANKED, y.status());
            assertTrue(y.channels().isEmpty(), "a yanked version leaves every channel: " + y.channels());
            assertEquals(ModelStatus.YANKED, call(() -> r.get(MODEL, "1.0.1")).orElseThrow().status());
            assertEquals("1.0.0", call(() -> r.current(MODEL, "stable")).orElseThrow().version(),
                    "stable falls back to the deprecated, not yanked, 1.0.0");
            assertTrue(call(() -> r.current(MODEL, "canary")).isEmpty(), "canary held only the yanked version");
            assertThrows(IllegalStateException.class, () -> call(() -> r.promote(MODEL, "1.0.1", "stable")),
                    "a yanked version is never promoted again");
            assertEquals(ModelStatus.YANKED, call(() -> r.deprecate(MODEL, "1.0.1", "later")).status(),
                    "deprecating a yanked version does not bring it back");
            assertTrue(call(() -> r.get(MODEL, "1.0.1")).orElseThrow().channels().isEmpty());
        }
    }

    @Test
    @DisplayName("after a yanked version raised the security epoch, no older version becomes current again")
    void yankedEpochRaiseServesNoOlderVersion(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = open(dir)) {
            publish(r, dir, 1, VersionBump.PATCH, false);
            RegistryEntry raise = publish(r, dir, 2, VersionBump.MINOR, true);
            call(() -> r.promote(MODEL, "1.0.0", "stable"));
            call(() -> r.promote(MODEL, raise.version(), "stable"));
            call(() -> r.yank(MODEL, raise.version(), "crashes on avr8"));
            assertTrue(call(() -> r.current(MODEL, "stable")).isEmpty(),
                    "devices that installed the raise refuse 1.0.0 (epoch 0): it must not be current");
            RegistryEntry fix = publish(r, dir, 3, VersionBump.PATCH, true);
            call(() -> r.promote(MODEL, fix.version(), "stable"));
            assertEquals(fix.version(), call(() -> r.current(MODEL, "stable")).orElseThrow().version());
        }
    }

    @Test
    @DisplayName("an unknown version is an IOException for bundle, lineage, promote, deprecate and yank")
    void unknownVersion(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = open(dir)) {
            publish(r, dir, 1, VersionBump.PATCH, false);
            assertThrows(IOException.class, () -> r.bundle(MODEL, "7.0.0"));
            assertThrows(IOException.class, () -> r.lineage(MODEL, "7.0.0"));
            assertThrows(IOException.class, () -> r.promote(MODEL, "7.0.0", "stable"));
            assertThrows(IOException.class, () -> r.deprecate(MODEL, "7.0.0", "why"));
            assertThrows(IOException.class, () -> r.yank(MODEL, "7.0.0", "why"));
            assertTrue(call(() -> r.current(MODEL, "stable")).isEmpty(), "the failed promote promoted nothing");
        }
    }

    @Test
    @DisplayName("a failed publish (an assembler with no model) assigns nothing: the next publish gets the next number")
    void failedPublishAssignsNothing(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = open(dir)) {
            publish(r, dir, 1, VersionBump.PATCH, false);
            BundleAssembler empty = new BundleAssembler().name(MODEL)
                    .runtime(TckLinearRuntimeProvider.NAME, ">=1.0.0 <2.0.0");
            assertThrows(Exception.class, () -> r.publish(empty, VersionBump.PATCH, false, List.of(signer())));
            assertEquals(List.of("1.0.0"), versions(call(() -> r.history(MODEL))), "the failed publish left nothing");
            RegistryEntry next = publish(r, dir, 2, VersionBump.PATCH, false);
            assertEquals(2, next.sequence());
            assertEquals("1.0.1", next.version());
        }
    }

    @Test
    @DisplayName("is durable: a registry created again from the same settings has the versions, statuses and bundles")
    void survivesReopening(@TempDir Path dir) throws Exception {
        RegistryEntry v2;
        try (ModelRegistry r = open(dir)) {
            publish(r, dir, 1, VersionBump.PATCH, false);
            v2 = publish(r, dir, 2, VersionBump.MINOR, false);
            call(() -> r.promote(MODEL, "1.0.0", "stable"));
            call(() -> r.yank(MODEL, v2.version(), "bad"));
        }
        try (ModelRegistry r = open(dir)) {
            List<RegistryEntry> h = call(() -> r.history(MODEL));
            assertEquals(List.of("1.0.0", v2.version()), versions(h));
            assertEquals(ModelStatus.YANKED, h.get(1).status());
            assertEquals("1.0.0", call(() -> r.current(MODEL, "stable")).orElseThrow().version());
            assertEquals(v2.sha256(), Sha256.hex(call(() -> r.bundle(MODEL, v2.version()))));
            assertEquals(3, publish(r, dir, 3, VersionBump.PATCH, false).sequence(), "numbering continues");
        }
    }

    @Test
    @DisplayName("concurrent publishers of one model get distinct sequences without gaps and distinct versions")
    void concurrentPublishers(@TempDir Path dir) throws Exception {
        int threads = 4;
        int each = 3;
        ExecutorService pool = Executors.newFixedThreadPool(threads, run -> {
            Thread t = new Thread(run, "tck-registry-publisher");
            t.setDaemon(true);
            return t;
        });
        try (ModelRegistry r = open(dir)) {
            CyclicBarrier start = new CyclicBarrier(threads);
            AtomicInteger seeds = new AtomicInteger(100);
            List<Future<List<RegistryEntry>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    List<BundleAssembler> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        mine.add(assembler(dir, MODEL, seeds.incrementAndGet()));
                    }
                    start.await(callTimeout().toMillis(), TimeUnit.MILLISECONDS);
                    List<RegistryEntry> out = new ArrayList<>();
                    for (BundleAssembler a : mine) {
                        out.add(r.publish(a, VersionBump.PATCH, false, List.of(signer())));
                    }
                    return out;
                }));
            }
            TreeSet<Long> sequences = new TreeSet<>();
            TreeSet<String> versions = new TreeSet<>();
            for (Future<List<RegistryEntry>> f : futures) {
                for (RegistryEntry e : f.get(callTimeout().toMillis() * each, TimeUnit.MILLISECONDS)) {
                    assertTrue(sequences.add(e.sequence()), "sequence " + e.sequence() + " assigned twice");
                    assertTrue(versions.add(e.version()), "version " + e.version() + " assigned twice");
                }
            }
            assertEquals(threads * each, sequences.size());
            assertEquals(1L, sequences.first());
            assertEquals((long) threads * each, sequences.last(), "no gaps: " + sequences);
            assertEquals(threads * each, call(() -> r.history(MODEL)).size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("detects a bundle modified after publishing: bundle, lineage and promote fail with IOException")
    void detectsAModifiedBundle(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = open(dir)) {
            publish(r, dir, 1, VersionBump.PATCH, false);
            corruptStoredBundle(dir, MODEL, "1.0.0");
            assertThrows(IOException.class, () -> r.bundle(MODEL, "1.0.0"), "bundle() must check the digest");
            assertThrows(IOException.class, () -> r.lineage(MODEL, "1.0.0"));
            assertThrows(IOException.class, () -> r.promote(MODEL, "1.0.0", "stable"),
                    "a modified bundle must never be promoted");
            assertTrue(call(() -> r.current(MODEL, "stable")).isEmpty());
        }
    }

    @Test
    @DisplayName("closes idempotently and refuses publish, history, get, bundle, promote and current after close")
    void closeIsIdempotentAndFinal(@TempDir Path dir) throws Exception {
        ModelRegistry r = open(dir);
        publish(r, dir, 1, VersionBump.PATCH, false);
        BundleAssembler next = assembler(dir, MODEL, 2);
        r.close();
        assertDoesNotThrow(r::close, "a second close must do nothing");
        assertThrows(IllegalStateException.class, () -> r.publish(next, VersionBump.PATCH, false, List.of(signer())));
        assertThrows(IllegalStateException.class, () -> r.history(MODEL));
        assertThrows(IllegalStateException.class, () -> r.get(MODEL, "1.0.0"));
        assertThrows(IllegalStateException.class, () -> r.bundle(MODEL, "1.0.0"));
        assertThrows(IllegalStateException.class, () -> r.promote(MODEL, "1.0.0", "stable"));
        assertThrows(IllegalStateException.class, () -> r.current(MODEL, "stable"));
        try (ModelRegistry again = open(dir)) {
            assertEquals(List.of("1.0.0"), versions(call(() -> again.history(MODEL))), "the refused publish left nothing");
        }
    }

    private static SigningKey key(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return SigningKey.generate(KeyAlgorithm.ED25519, r);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
