package io.edgeloop.ota.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.agent.FileDeviceStorage;
import io.edgeloop.ota.bundle.ArtifactEntry;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleWriter;
import io.edgeloop.ota.bundle.Lineage;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.testing.TestIntRuntimeProvider;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two writers of one file at the same time (the SDK's bundle, trust and device-state writers): each must replace
 * the file whole, so afterwards it holds exactly one writer's content, neither call fails, and no temporary file
 * is left. With a shared {@code <name>.tmp} the writers truncated and interleaved each other's bytes, and one of
 * them lost its temporary file to the other's rename.
 */
@DisplayName("Concurrent writers of one OTA file")
class ConcurrentWritersTest {
    private static final SigningKey KEY = Fixtures.key(KeyAlgorithm.ED25519, 5);

    /** Writes one version of the file. */
    @FunctionalInterface
    interface Write {
        void run(int writer) throws Exception;
    }

    /**
     * Runs {@code rounds} rounds in which two threads start {@code write} together on a barrier; after each round
     * the file must be exactly one writer's content.
     */
    private static void race(Path file, int rounds, Write write, byte[]... contents) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        List<Throwable> errors = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        write.run(writer);
                    } catch (Throwable e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    }
                }, "writer-" + w);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join(30_000);
            }
            if (!errors.isEmpty()) {
                AssertionError e = new AssertionError("round " + round + ": a concurrent write of " + file.getFileName()
                        + " failed: " + errors.get(0), errors.get(0));
                throw e;
            }
            byte[] got = Files.readAllBytes(file);
            if (Arrays.stream(contents).noneMatch(c -> Arrays.equals(c, got))) {
                fail("round " + round + ": " + file.getFileName() + " holds " + got.length + " bytes (SHA-256 "
                        + Sha256.hex(got).substring(0, 12) + "...) that neither writer wrote: a torn file");
            }
        }
        try (Stream<Path> s = Files.list(file.getParent())) {
            List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
            assertEquals(List.of(), left, "temporary files left behind");
        }
    }

    private static BundleManifest manifest(long sequence, byte[] payload) {
        return BundleManifest.builder().name("race").version("1." + sequence + ".0").sequence(sequence)
                .securityEpoch(0).createdAt(Fixtures.NOW.minusSeconds(60)).expiresAt(Fixtures.NOW.plusSeconds(86400))
                .lineage(Lineage.builder().dataset("uci-har", "ab".repeat(32)).training("trainer", "logistic")
                        .quantization("scheme", "int8")
                        .provenance(Provenance.builder().kind("quantized-model").producer("test").build()).build())
                .artifact(ArtifactEntry.builder().path("artifacts/jvm/model.bin").sha256(Sha256.hex(payload))
                        .size(payload.length).target(TargetProfile.JVM.id())
                        .hardwareVariant(TargetProfile.JVM.hardwareVariant()).runtime(TestIntRuntimeProvider.NAME)
                        .runtimeVersions(">=1.0.0 <2.0.0").scheme("int8").inputSize(3).outputSize(2)
                        .golden(Fixtures.golden(1, 1)).build())
                .build();
    }

    @Test
    @DisplayName("BundleWriter.write: two writers of one bundle file each leave a whole bundle")
    void bundleWriters(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.tar");
        BundleManifest[] m = new BundleManifest[2];
        List<Map<String, byte[]>> artifacts = new ArrayList<>();
        byte[][] expected = new byte[2][];
        for (int w = 0; w < 2; w++) {
            byte[] payload = new byte[2 << 20];
            new Random(w).nextBytes(payload);
            m[w] = manifest(w + 1, payload);
            artifacts.add(Map.of("artifacts/jvm/model.bin", payload));
            expected[w] = BundleWriter.toBytes(m[w], artifacts.get(w), List.of(KEY), false);
        }
        race(file, 15, w -> BundleWriter.write(m[w], artifacts.get(w), List.of(KEY), false, file), expected);
    }

    @Test
    @DisplayName("TrustRoot.write: two writers of one trust file each leave a whole trust file")
    void trustWriters(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("trust.json");
        TrustRoot[] roots = new TrustRoot[2];
        for (int w = 0; w < 2; w++) {
            List<SigningKey> keys = new ArrayList<>();
            for (int k = 0; k < 150; k++) {
                keys.add(Fixtures.key(KeyAlgorithm.ED25519, 1000L * w + k));
            }
            roots[w] = Fixtures.trust(1, keys.toArray(new SigningKey[0]));
        }
        race(file, 200, w -> roots[w].write(file), roots[0].toBytes(), roots[1].toBytes());
        byte[] read = TrustRoot.read(file).toBytes();
        assertTrue(Arrays.equals(read, roots[0].toBytes()) || Arrays.equals(read, roots[1].toBytes()));
    }

    @Test
    @DisplayName("FileDeviceStorage.writeAtomic: two writers of one name each leave a whole file")
    void deviceStateWriters(@TempDir Path dir) throws Exception {
        FileDeviceStorage storage = new FileDeviceStorage(dir.resolve("state"));
        byte[][] data = new byte[2][];
        for (int w = 0; w < 2; w++) {
            data[w] = new byte[1 << 20];
            new Random(10 + w).nextBytes(data[w]);
        }
        race(storage.root().resolve("boot.json"), 30, w -> storage.writeAtomic("boot.json", data[w]), data);
        assertArrayEquals(Files.readAllBytes(storage.root().resolve("boot.json")),
                storage.read("boot.json").orElseThrow());
    }
}
