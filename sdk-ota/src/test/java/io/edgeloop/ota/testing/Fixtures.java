package io.edgeloop.ota.testing;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.ArtifactEntry;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleWriter;
import io.edgeloop.ota.bundle.GoldenVectors;
import io.edgeloop.ota.bundle.Lineage;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Deterministic keys, models and bundles for tests. */
public final class Fixtures {
    /** A fixed "now" for tests. */
    public static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    private Fixtures() {
    }

    /**
     * @param alg  algorithm
     * @param seed seed
     * @return a deterministic key
     */
    public static SigningKey key(KeyAlgorithm alg, long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return SigningKey.generate(alg, r);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param threshold k
     * @param keys      the n keys
     * @return an unsigned trust root valid around {@link #NOW}
     */
    public static TrustRoot trust(int threshold, SigningKey... keys) {
        TrustRoot.Builder b = TrustRoot.builder().createdAt(NOW.minusSeconds(86400)).expiresAt(NOW.plusSeconds(365L * 86400))
                .threshold(threshold);
        for (SigningKey k : keys) {
            b.key(k.publicKey());
        }
        return b.build();
    }

    /** A test-linear model: 3 inputs, 2 outputs, weights derived from {@code seed}. */
    public static byte[] model(int seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder("{\"format\":\"test-linear\",\"w\":[");
        for (int j = 0; j < 2; j++) {
            sb.append(j == 0 ? "[" : ",[");
            for (int i = 0; i < 3; i++) {
                sb.append(i == 0 ? "" : ",").append(r.nextInt(21) - 10);
            }
            sb.append(']');
        }
        sb.append("],\"b\":[").append(r.nextInt(100)).append(',').append(r.nextInt(100)).append("]}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Expected outputs of {@link #model(int)} computed independently of the runtime. */
    public static GoldenVectors golden(int seed, int count) {
        Random r = new Random(seed);
        int[][] w = new int[2][3];
        for (int j = 0; j < 2; j++) {
            for (int i = 0; i < 3; i++) {
                w[j][i] = r.nextInt(21) - 10;
            }
        }
        int[] b = {r.nextInt(100), r.nextInt(100)};
        Random in = new Random(seed * 31L + 7);
        int[][] xs = new int[count][3];
        int[][] ys = new int[count][2];
        for (int v = 0; v < count; v++) {
            for (int i = 0; i < 3; i++) {
                xs[v][i] = in.nextInt(256) - 128;
            }
            for (int j = 0; j < 2; j++) {
                ys[v][j] = b[j] + w[j][0] * xs[v][0] + w[j][1] * xs[v][1] + w[j][2] * xs[v][2];
            }
        }
        return new GoldenVectors(xs, ys);
    }

    /** A bundle under construction: manifest fields and artifact bytes. */
    public static final class Draft {
        /** Manifest builder (artifacts already added). */
        public final BundleManifest.Builder manifest;
        /** Artifact bytes by path. */
        public final Map<String, byte[]> artifacts = new LinkedHashMap<>();

        Draft(BundleManifest.Builder m) {
            this.manifest = m;
        }

        /** @return the built manifest */
        public BundleManifest build() {
            return manifest.build();
        }

        /**
         * @param signers keys
         * @return the archive bytes (plain tar)
         */
        public byte[] sign(SigningKey... signers) {
            return BundleWriter.toBytes(build(), artifacts, List.of(signers), false);
        }

        /**
         * @param signers keys
         * @return the archive bytes, gzip-compressed
         */
        public byte[] signGzip(SigningKey... signers) {
            return BundleWriter.toBytes(build(), artifacts, List.of(signers), true);
        }
    }

    /**
     * A draft with one artifact per target; model seed = {@code modelSeed} for every target.
     *
     * @param name      model name
     * @param sequence  sequence
     * @param epoch     security epoch
     * @param modelSeed model weights seed
     * @param targets   target profiles
     * @return the draft
     */
    public static Draft draft(String name, long sequence, long epoch, int modelSeed, TargetProfile... targets) {
        BundleManifest.Builder m = BundleManifest.builder().name(name).version("1." + sequence + ".0")
                .sequence(sequence).securityEpoch(epoch).createdAt(NOW.minusSeconds(60))
                .expiresAt(NOW.plusSeconds(30L * 86400))
                .lineage(Lineage.builder().dataset("uci-har", "ab".repeat(32)).training("trainer", "logistic")
                        .quantization("scheme", "int8")
                        .provenance(Provenance.builder().kind("quantized-model").producer("test").build()).build());
        Draft d = new Draft(m);
        for (TargetProfile t : targets) {
            byte[] model = model(modelSeed);
            String path = "artifacts/" + t.id() + "/model.json";
            d.artifacts.put(path, model);
            m.artifact(ArtifactEntry.builder().path(path).sha256(Sha256.hex(model)).size(model.length)
                    .target(t.id()).hardwareVariant(t.hardwareVariant()).runtime(TestIntRuntimeProvider.NAME)
                    .runtimeVersions(">=1.0.0 <2.0.0").scheme("int8").inputSize(3).outputSize(2)
                    .golden(golden(modelSeed, 8)).build());
        }
        return d;
    }

    /**
     * As {@link #draft}, with each artifact's model JSON followed by {@code padBytes} spaces: a real, loadable
     * model of a chosen size (for full-disk tests).
     *
     * @param name      model name
     * @param sequence  sequence
     * @param modelSeed model weights seed
     * @param padBytes  spaces appended to the model JSON
     * @param target    the target profile
     * @return the draft
     */
    public static Draft paddedDraft(String name, long sequence, int modelSeed, int padBytes, TargetProfile target) {
        Draft d = draft(name, sequence, 0, modelSeed);
        byte[] model = (new String(model(modelSeed), StandardCharsets.UTF_8) + " ".repeat(padBytes))
                .getBytes(StandardCharsets.UTF_8);
        String path = "artifacts/" + target.id() + "/model.json";
        d.artifacts.put(path, model);
        d.manifest.artifact(ArtifactEntry.builder().path(path).sha256(Sha256.hex(model)).size(model.length)
                .target(target.id()).hardwareVariant(target.hardwareVariant()).runtime(TestIntRuntimeProvider.NAME)
                .runtimeVersions(">=1.0.0 <2.0.0").scheme("int8").inputSize(3).outputSize(2)
                .golden(golden(modelSeed, 8)).build());
        return d;
    }

    /**
     * A signed bundle whose one artifact is {@code payloadBytes} seeded random bytes (the manifest lists it with
     * its digest and size): for publishing and transport tests that need a readable bundle of a given size, not a
     * runnable model.
     *
     * @param name         model name
     * @param sequence     sequence
     * @param payloadBytes artifact size
     * @param seed         seed of the artifact bytes
     * @param signer       signing key
     * @return plain tar bytes
     */
    public static byte[] opaqueBundle(String name, long sequence, int payloadBytes, long seed, SigningKey signer) {
        byte[] payload = new byte[payloadBytes];
        new Random(seed).nextBytes(payload);
        String path = "artifacts/jvm/model.bin";
        BundleManifest m = BundleManifest.builder().name(name).version("1." + sequence + ".0").sequence(sequence)
                .securityEpoch(0).createdAt(NOW.minusSeconds(60)).expiresAt(NOW.plusSeconds(30L * 86400))
                .lineage(Lineage.builder().dataset("uci-har", "ab".repeat(32)).training("trainer", "logistic")
                        .quantization("scheme", "int8")
                        .provenance(Provenance.builder().kind("quantized-model").producer("test").build()).build())
                .artifact(ArtifactEntry.builder().path(path).sha256(Sha256.hex(payload)).size(payload.length)
                        .target(TargetProfile.JVM.id()).hardwareVariant(TargetProfile.JVM.hardwareVariant())
                        .runtime(TestIntRuntimeProvider.NAME).runtimeVersions(">=1.0.0 <2.0.0").scheme("int8")
                        .inputSize(3).outputSize(2).golden(golden(1, 1)).build())
                .build();
        return BundleWriter.toBytes(m, Map.of(path, payload), List.of(signer), false);
    }

    /**
     * A draft whose artifacts are one-output test-linear models (a binary classifier deciding by sign), with
     * golden vectors computed independently of the runtime on 8 inputs drawn from {@code seed}.
     *
     * @param name     model name
     * @param sequence sequence
     * @param w        the 3 weights
     * @param b        the bias
     * @param targets  target profiles
     * @return the draft
     */
    public static Draft draftOneOutput(String name, long sequence, int[] w, int b, TargetProfile... targets) {
        BundleManifest.Builder m = BundleManifest.builder().name(name).version("1." + sequence + ".0")
                .sequence(sequence).securityEpoch(0).createdAt(NOW.minusSeconds(60))
                .expiresAt(NOW.plusSeconds(30L * 86400))
                .lineage(Lineage.builder().dataset("uci-occupancy", "cd".repeat(32)).training("trainer", "logistic")
                        .quantization("scheme", "int32")
                        .provenance(Provenance.builder().kind("quantized-model").producer("test").build()).build());
        Draft d = new Draft(m);
        byte[] model = ("{\"format\":\"test-linear\",\"w\":[[" + w[0] + "," + w[1] + "," + w[2] + "]],\"b\":[" + b
                + "]}").getBytes(StandardCharsets.UTF_8);
        Random in = new Random(sequence * 131 + 5);
        int[][] xs = new int[8][3];
        int[][] ys = new int[8][1];
        for (int v = 0; v < 8; v++) {
            for (int i = 0; i < 3; i++) {
                xs[v][i] = in.nextInt(256) - 128;
            }
            ys[v][0] = b + w[0] * xs[v][0] + w[1] * xs[v][1] + w[2] * xs[v][2];
        }
        for (TargetProfile t : targets) {
            String path = "artifacts/" + t.id() + "/model.json";
            d.artifacts.put(path, model);
            m.artifact(ArtifactEntry.builder().path(path).sha256(Sha256.hex(model)).size(model.length)
                    .target(t.id()).hardwareVariant(t.hardwareVariant()).runtime(TestIntRuntimeProvider.NAME)
                    .runtimeVersions(">=1.0.0 <2.0.0").scheme("int32").inputSize(3).outputSize(1)
                    .golden(new GoldenVectors(xs, ys)).build());
        }
        return d;
    }

    /** One raw tar entry for hand-made hostile archives. */
    public static final class Raw {
        final TarArchiveEntry entry;
        final byte[] data;

        Raw(TarArchiveEntry entry, byte[] data) {
            this.entry = entry;
            this.data = data;
        }

        /**
         * @param name name (kept verbatim, absolute paths included)
         * @param data content
         * @return a regular file entry
         */
        public static Raw file(String name, byte[] data) {
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setSize(data.length);
            return new Raw(e, data);
        }

        /**
         * @param name   name
         * @param flag   tar type flag
         * @param target link target
         * @return a special entry
         */
        public static Raw special(String name, byte flag, String target) {
            TarArchiveEntry e = new TarArchiveEntry(name, flag, true);
            if (target != null) {
                e.setLinkName(target);
            }
            return new Raw(e, new byte[0]);
        }
    }

    /**
     * Writes entries verbatim into a plain tar.
     *
     * @param entries entries
     * @return tar bytes
     */
    public static byte[] rawTar(List<Raw> entries) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bos, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Raw r : entries) {
                tar.putArchiveEntry(r.entry);
                tar.write(r.data);
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bos.toByteArray();
    }

    /**
     * Reads a valid bundle's entries so tests can re-pack them with changes.
     *
     * @param bundle plain tar bytes
     * @return entries in order
     */
    public static List<Raw> entriesOf(byte[] bundle) {
        List<Raw> out = new ArrayList<>();
        try (org.apache.commons.compress.archivers.tar.TarArchiveInputStream in =
                new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(new java.io.ByteArrayInputStream(bundle))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.add(Raw.file(e.getName(), in.readAllBytes()));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
