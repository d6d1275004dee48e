package io.edgeloop.examples.ota;

import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.ArtifactEntry;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleVerificationException;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.BundleWriter;
import io.edgeloop.ota.bundle.GoldenVectors;
import io.edgeloop.ota.bundle.VerificationPolicy;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Times full verification of a bundle of a given size (archive read with limits, signatures against the trust
 * threshold, canonical manifest, expiry, sequence, entry set, SHA-256 of every artifact, target selection) and,
 * side by side, the floor any verifier pays: one SHA-256 pass over the bundle plus the signature checks alone.
 *
 * <p>Not thread-safe: one run per instance.
 */
public final class VerificationBenchmark {
    /**
     * One measured configuration.
     *
     * <p>Thread-safe: immutable.
     */
    public record Result(String name, int bundleBytes, double medianMillis, double floorMillis) {
        /** @return median / floor */
        public double ratioToFloor() {
            return medianMillis / floorMillis;
        }
    }

    private final int bundleBytes;
    private final int iterations;

    /**
     * @param bundleBytes artifact payload size (1 MiB for the figure)
     * @param iterations  timed iterations per configuration (after as many warm-up runs)
     */
    public VerificationBenchmark(int bundleBytes, int iterations) {
        if (bundleBytes < 1024 || iterations < 5) {
            throw new IllegalArgumentException("bundle must be at least 1 KiB and iterations at least 5");
        }
        this.bundleBytes = bundleBytes;
        this.iterations = iterations;
    }

    private static SigningKey key(KeyAlgorithm a, long seed) throws NoSuchAlgorithmException {
        SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
        r.setSeed(seed);
        return SigningKey.generate(a, r);
    }

    /**
     * Runs every configuration.
     *
     * @return results in order: ed25519 1-of-1 tar, ed25519 1-of-1 tar.gz, ed25519+p256 2-of-2 tar
     * @throws Exception when a bundle does not verify (a bug)
     */
    public List<Result> run() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        SigningKey ed = key(KeyAlgorithm.ED25519, 1);
        SigningKey p256 = key(KeyAlgorithm.P256, 2);
        byte[] payload = new byte[bundleBytes];
        new Random(42).nextBytes(payload);
        String path = "artifacts/jvm/model.bin";
        BundleManifest m = BundleManifest.builder().name("bench").version("1.0.0").sequence(1).createdAt(t0)
                .expiresAt(t0.plus(Duration.ofDays(1)))
                .artifact(ArtifactEntry.builder().path(path).sha256(Sha256.hex(payload)).size(payload.length)
                        .target("jvm").hardwareVariant(TargetProfile.JVM.hardwareVariant()).inputSize(1).outputSize(1)
                        .golden(new GoldenVectors(new int[][] {{1}}, new int[][] {{1}})).build())
                .build();
        Map<String, byte[]> arts = Map.of(path, payload);
        Clock clock = Clock.fixed(t0.plusSeconds(60), ZoneOffset.UTC);
        VerificationPolicy policy = VerificationPolicy.builder().target(TargetProfile.JVM).build();
        List<Result> out = new ArrayList<>();
        Map<String, Object[]> configs = new LinkedHashMap<>();
        configs.put("ed25519 1-of-1, tar", new Object[] {List.of(ed), false, trust(t0, 1, ed)});
        configs.put("ed25519 1-of-1, tar.gz", new Object[] {List.of(ed), true, trust(t0, 1, ed)});
        configs.put("ed25519+p256 2-of-2, tar", new Object[] {List.of(ed, p256), false, trust(t0, 2, ed, p256)});
        // two passes over every configuration; the first only warms up the JIT for all code paths
        for (int pass = 0; pass < 2; pass++) {
            out.clear();
            for (Map.Entry<String, Object[]> c : configs.entrySet()) {
                @SuppressWarnings("unchecked")
                List<SigningKey> signers = (List<SigningKey>) c.getValue()[0];
                boolean gz = (Boolean) c.getValue()[1];
                TrustRoot trust = (TrustRoot) c.getValue()[2];
                byte[] bundle = BundleWriter.toBytes(m, arts, signers, gz);
                BundleVerifier v = new BundleVerifier(trust, BundleLimits.DEFAULT, clock);
                double full = median(() -> v.verify(bundle, policy));
                byte[] signed = signedBytes(m);
                List<io.edgeloop.ota.trust.SignatureRecord> sigs = new ArrayList<>();
                signers.forEach(k -> sigs.add(k.signRecord(signed)));
                double floor = median(() -> {
                    Sha256.hex(bundle);
                    if (!trust.check(signed, sigs).met()) {
                        throw new IllegalStateException("baseline signatures do not verify");
                    }
                });
                out.add(new Result(c.getKey(), bundle.length, full, floor));
            }
        }
        return out;
    }

    private static byte[] signedBytes(BundleManifest m) {
        return m.signedBytes();
    }

    private static TrustRoot trust(Instant t0, int k, SigningKey... keys) {
        TrustRoot.Builder b = TrustRoot.builder().createdAt(t0).expiresAt(t0.plus(Duration.ofDays(365))).threshold(k);
        for (SigningKey s : keys) {
            b.key(s.publicKey());
        }
        return b.build();
    }

    /** A timed action. */
    @FunctionalInterface
    private interface Action {
        void run() throws BundleVerificationException;
    }

    private double median(Action a) throws BundleVerificationException {
        for (int i = 0; i < iterations; i++) {
            a.run();
        }
        double[] t = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long s = System.nanoTime();
            a.run();
            t[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(t);
        return t[iterations / 2];
    }
}
