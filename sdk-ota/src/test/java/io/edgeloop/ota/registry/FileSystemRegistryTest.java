package io.edgeloop.ota.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.BundleAssembler;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.VerificationPolicy;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemRegistryTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 61);

    /** A quantized-model directory in the agreed layout, holding a test-int model. */
    static Path modelDir(Path root, TargetProfile t, int seed) throws Exception {
        Path d = Files.createDirectories(root.resolve("q-" + t.id() + "-" + seed));
        Files.write(d.resolve("model.json"), Fixtures.model(seed));
        Files.writeString(d.resolve("report.json"), "{\"target\":\"" + t.id() + "\",\"scheme\":\"int8\",\"inputSize\":3,"
                + "\"outputSize\":2,\"flashBytes\":100,\"ramBytes\":20}");
        Files.write(d.resolve("golden.json"), io.edgeloop.ota.json.CanonicalJson.bytes(Fixtures.golden(seed, 4).toJson()));
        return d;
    }

    static BundleAssembler assembler(Path dir, int seed) throws Exception {
        return new BundleAssembler().name("har").model(modelDir(dir, TargetProfile.AVR8, seed))
                .model(modelDir(dir, TargetProfile.JVM, seed)).runtime("test-int", ">=1.0.0 <2.0.0")
                .dataset("uci-har", "cd".repeat(32));
    }

    static ModelRegistry registry(Path root) {
        return ProviderLoader.of(ModelRegistryProvider.class).select("filesystem")
                .create(ComponentConfig.of(Map.of("root", root.toString())));
    }

    @Test
    @DisplayName("assigns versions and sequences, keeps history, answers lineage queries")
    void publishHistoryLineage(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = registry(dir.resolve("reg"))) {
            RegistryEntry v1 = r.publish(assembler(dir, 1), VersionBump.MINOR, false, List.of(K));
            RegistryEntry v2 = r.publish(assembler(dir, 2), VersionBump.MINOR, false, List.of(K));
            RegistryEntry v3 = r.publish(assembler(dir, 3), VersionBump.MAJOR, true, List.of(K));
            assertEquals("1.0.0", v1.version());
            assertEquals("1.1.0", v2.version());
            assertEquals("2.0.0", v3.version());
            assertEquals(List.of(1L, 2L, 3L), r.history("har").stream().map(RegistryEntry::sequence).toList());
            assertEquals(1, v3.securityEpoch());
            assertEquals("cd".repeat(32), r.lineage("har", "1.1.0").datasets().get(0).sha256());
            assertEquals(3, r.trainedOn("cd".repeat(32)).size());
            // the stored bundle is a valid signed bundle with the assigned sequence
            var v = new BundleVerifier(Fixtures.trust(1, K), BundleLimits.DEFAULT,
                    Clock.fixed(v2.publishedAt(), ZoneOffset.UTC)).verify(r.bundle("har", "1.1.0"),
                    VerificationPolicy.builder().target(TargetProfile.JVM).build());
            assertEquals(2, v.manifest().sequence());
        }
    }

    @Test
    @DisplayName("promotes, deprecates and yanks; a yanked version leaves every channel and cannot return")
    void lifecycle(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = registry(dir)) {
            r.publish(assembler(dir, 1), VersionBump.PATCH, false, List.of(K));
            r.publish(assembler(dir, 2), VersionBump.PATCH, false, List.of(K));
            r.promote("har", "1.0.0", "stable");
            r.promote("har", "1.0.1", "stable");
            assertEquals("1.0.1", r.current("har", "stable").orElseThrow().version());
            assertEquals(ModelStatus.DEPRECATED, r.deprecate("har", "1.0.0", "superseded").status());
            RegistryEntry y = r.yank("har", "1.0.1", "bad accuracy on avr8");
            assertEquals(ModelStatus.YANKED, y.status());
            assertTrue(y.channels().isEmpty());
            assertEquals("1.0.0", r.current("har", "stable").orElseThrow().version());
            assertThrows(IllegalStateException.class, () -> r.promote("har", "1.0.1", "stable"));
        }
    }

    @Test
    @DisplayName("after a yanked version raised the security epoch, no older version becomes current again")
    void yankedEpochRaiseServesNoOlderVersion(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = registry(dir)) {
            r.publish(assembler(dir, 1), VersionBump.PATCH, false, List.of(K));
            r.publish(assembler(dir, 2), VersionBump.MINOR, false, List.of(K));
            r.publish(assembler(dir, 3), VersionBump.MINOR, true, List.of(K));
            r.promote("har", "1.1.0", "stable");
            r.promote("har", "1.2.0", "beta");
            assertEquals("1.1.0", r.current("har", "stable").orElseThrow().version(),
                    "an epoch raise still on its way through beta does not withdraw stable");
            r.promote("har", "1.2.0", "stable");
            assertEquals("1.2.0", r.current("har", "stable").orElseThrow().version());
            r.yank("har", "1.2.0", "crashes on avr8");
            // old code: 1.1.0 (epoch 0), which every device that took 1.2.0 refuses
            assertTrue(r.current("har", "stable").isEmpty());
            assertTrue(r.current("har", "beta").isEmpty());
            RegistryEntry fix = r.publish(assembler(dir, 4), VersionBump.PATCH, true, List.of(K));
            r.promote("har", fix.version(), "stable");
            assertEquals(fix.version(), r.current("har", "stable").orElseThrow().version());
        }
    }

    @Test
    @DisplayName("is immutable once published: a modified bundle is detected on read and never promoted")
    void immutable(@TempDir Path dir) throws Exception {
        try (ModelRegistry r = registry(dir)) {
            r.publish(assembler(dir, 1), VersionBump.PATCH, false, List.of(K));
            Path b = r.bundle("har", "1.0.0");
            assertTrue(!Files.getPosixFilePermissions(b).contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
                    "stored bundles are read-only");
            b.toFile().setWritable(true);
            try (RandomAccessFile f = new RandomAccessFile(b.toFile(), "rw")) {
                f.seek(600);
                f.write("X".getBytes(StandardCharsets.US_ASCII));
            }
            assertThrows(java.io.IOException.class, () -> r.bundle("har", "1.0.0"));
            assertThrows(java.io.IOException.class, () -> r.promote("har", "1.0.0", "stable"));
            assertThrows(java.io.IOException.class, () -> r.lineage("har", "1.0.0"));
        }
    }

    @Test
    @DisplayName("reuses the version directory a publish crashed in (entry without status, or status without entry)")
    void reusesOrphanedVersionDirectory(@TempDir Path dir) throws Exception {
        Path reg = dir.resolve("reg");
        try (ModelRegistry r = registry(reg)) {
            r.publish(assembler(dir, 1), VersionBump.MINOR, false, List.of(K));
            Path models = reg.resolve("models/har");
            // crashed after entry.json, before status.json (the order earlier SDKs wrote them in)
            Path orphan = Files.createDirectories(models.resolve("0000000002"));
            Files.copy(models.resolve("0000000001/bundle.tar"), orphan.resolve("bundle.tar"));
            Files.copy(models.resolve("0000000001/entry.json"), orphan.resolve("entry.json"));
            orphan.resolve("entry.json").toFile().setReadOnly();
            assertEquals(1, r.history("har").size());
            RegistryEntry v2 = r.publish(assembler(dir, 2), VersionBump.MINOR, false, List.of(K));
            assertEquals(2, v2.sequence());
            assertEquals(List.of(1L, 2L), r.history("har").stream().map(RegistryEntry::sequence).toList());
            r.bundle("har", v2.version()); // digest recorded for the new bundle, not the orphan's
            // crashed after status.json, before entry.json (this SDK's order)
            Path orphan3 = Files.createDirectories(models.resolve("0000000003"));
            Files.writeString(orphan3.resolve("status.json"), "{\"channels\":[],\"note\":\"\",\"status\":\"ACTIVE\"}");
            Files.writeString(orphan3.resolve("bundle.tar"), "half a bundle");
            RegistryEntry v3 = r.publish(assembler(dir, 3), VersionBump.MINOR, false, List.of(K));
            assertEquals(3, v3.sequence());
            assertEquals(3, r.history("har").size());
            r.promote("har", v3.version(), "stable");
            assertEquals(3, r.current("har", "stable").orElseThrow().sequence());
        }
    }

    @Test
    @DisplayName("waits for another process's per-model lock before promoting, deprecating or yanking")
    void statusChangesTakeTheModelLock(@TempDir Path dir) throws Exception {
        Path reg = dir.resolve("reg");
        try (ModelRegistry r = registry(reg)) {
            RegistryEntry v1 = r.publish(assembler(dir, 1), VersionBump.MINOR, false, List.of(K));
            for (String op : List.of("promote", "deprecate", "yank")) {
                Path marker = dir.resolve("released-" + op);
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), ModelLockHolder.class.getName(),
                        reg.resolve("models/har").toString(), marker.toString(), "700").redirectErrorStream(true)
                        .start();
                try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    assertEquals("locked", out.readLine());
                    switch (op) {
                        case "promote" -> r.promote("har", v1.version(), "stable");
                        case "deprecate" -> r.deprecate("har", v1.version(), "old");
                        default -> r.yank("har", v1.version(), "bad");
                    }
                    assertTrue(Files.exists(marker), op + " ran while another process held the model's lock");
                } finally {
                    assertEquals(0, p.waitFor());
                }
            }
            assertEquals(ModelStatus.YANKED, r.history("har").get(0).status());
        }
    }

    @Test
    @DisplayName("two registries on one root in one process publish and promote concurrently: distinct sequences, "
            + "nothing lost")
    void twoRegistriesInOneProcess(@TempDir Path dir) throws Exception {
        Path reg = dir.resolve("reg");
        int each = 4;
        List<BundleAssembler> work = new java.util.ArrayList<>();
        for (int i = 0; i < 2 * each; i++) {
            work.add(assembler(dir, i + 1));
        }
        try (ModelRegistry a = registry(reg); ModelRegistry b = registry(reg)) {
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            List<Throwable> errors = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            List<Thread> threads = new java.util.ArrayList<>();
            for (int t = 0; t < 2; t++) {
                ModelRegistry r = t == 0 ? a : b;
                int first = t * each;
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                        for (int i = first; i < first + each; i++) {
                            RegistryEntry e = r.publish(work.get(i), VersionBump.PATCH, false, List.of(K));
                            r.promote("har", e.version(), "ring-" + i);
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join(120_000);
            }
            assertEquals(List.of(), errors.stream().map(Throwable::toString).toList(),
                    "a publish or promote failed while another registry of this process worked on the model");
            List<RegistryEntry> h = a.history("har");
            assertEquals(2 * each, h.size());
            for (int i = 0; i < h.size(); i++) {
                assertEquals(i + 1, h.get(i).sequence());
                assertEquals(1, h.get(i).channels().size(), "each version promoted to its own ring: " + h.get(i));
            }
        }
    }

    @Test
    @DisplayName("a damaged entry.json or status.json gives an IOException naming the file and field (no NPE);"
            + " history, get and current skip that version, publish refuses to reuse its sequence")
    void damagedVersionIsNamedAndSkipped(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("reg");
        try (ModelRegistry r = registry(root)) {
            r.publish(assembler(dir, 1), VersionBump.PATCH, false, List.of(K));
            r.publish(assembler(dir, 2), VersionBump.PATCH, false, List.of(K));
            r.promote("har", "1.0.0", "stable");
        }
        Path v2 = root.resolve("models/har/0000000002");
        Path entry = v2.resolve("entry.json");
        entry.toFile().setWritable(true);
        Files.writeString(entry, "{\"name\":\"har\"}"); // the reviewer's damage: every other field gone
        try (ModelRegistry r = registry(root)) {
            assertEquals(List.of("1.0.0"), r.history("har").stream().map(RegistryEntry::version).toList(),
                    "the damaged version is skipped");
            assertEquals("1.0.0", r.current("har", "stable").orElseThrow().version());
            assertTrue(r.get("har", "1.0.0").isPresent());
            IOException e = assertThrows(IOException.class,
                    () -> r.publish(assembler(dir, 3), VersionBump.PATCH, false, List.of(K)));
            assertTrue(e.getMessage().contains(entry.toString()) && e.getMessage().contains("field '"),
                    e.getMessage());
        }
        Files.writeString(entry, "{\"name\":\"har\",\"version\":\"1.0.1\",\"sequence\":2,\"securityEpoch\":0,"
                + "\"sha256\":\"" + "ab".repeat(32) + "\",\"sizeBytes\":\"ten\",\"publishedAt\":\"2026-01-01T00:00:00Z\"}");
        try (ModelRegistry r = registry(root)) {
            IOException e = assertThrows(IOException.class,
                    () -> r.publish(assembler(dir, 3), VersionBump.PATCH, false, List.of(K)));
            assertTrue(e.getMessage().contains("field 'sizeBytes'"), e.getMessage());
        }
        Files.writeString(entry, "{\"name\":\"har\",\"version\":\"1.0.1\",\"sequence\":2,\"securityEpoch\":0,"
                + "\"sha256\":\"" + "ab".repeat(32) + "\",\"sizeBytes\":10,\"publishedAt\":\"2026-01-01T00:00:00Z\"}");
        Path status = v2.resolve("status.json");
        for (String bad : new String[] {"", "{\"status\":\"GONE\"}", "[]", "{\"channels\":[]}"}) {
            Files.writeString(status, bad);
            try (ModelRegistry r = registry(root)) {
                assertEquals(1, r.history("har").size(), bad);
                IOException e = assertThrows(IOException.class,
                        () -> r.publish(assembler(dir, 3), VersionBump.PATCH, false, List.of(K)), bad);
                assertTrue(e.getMessage().contains(status.toString()), bad + " -> " + e.getMessage());
            }
        }
    }
}
