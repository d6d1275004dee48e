package io.edgeloop.examples.demo.quantize;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.examples.demo.DemoConsole;
import io.edgeloop.examples.demo.DemoFiles;
import io.edgeloop.ota.bundle.BundleAssembler;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.Lineage;
import io.edgeloop.ota.bundle.VerificationPolicy;
import io.edgeloop.ota.bundle.VerifiedBundle;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import io.edgeloop.labeling.train.ProvenanceFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Step 4, second half: a release key (Ed25519) and a trust file (1 of 1) are created, the quantized-model
 * directories of every variant are packed into one signed bundle (and the previous release into another) with sdk-ota (per-variant artifacts with their
 * golden vectors; the lineage names the end model's label model, LF set and expert answers), and the bundle is
 * verified for each variant's profile as a device would before installing it.
 *
 * <p>Not thread-safe: one run per instance.
 */
public final class BundleStage {
    /** The model name in the bundle manifest. */
    public static final String MODEL_NAME = "occupancy";

    private final long seed;
    private final DemoConsole console;
    private final Instant createdAt;

    /**
     * What the step produced.
     *
     * <p>Thread safety: an immutable holder; the objects it refers to keep their own thread-safety rules.
     *
     * @param previous the previous release's bundle (sequence 1), what the fleet runs before the rollout
     * @param bundle   this run's signed bundle (sequence 2)
     * @param trust    the trust file devices hold
     * @param key      the release key
     * @param manifest this run's manifest
     */
    public record Signed(Path previous, Path bundle, Path trust, SigningKey key, BundleManifest manifest) {
    }

    /**
     * @param seed      seeds the demo's release key, so reruns sign with the same key
     * @param console   progress
     * @param createdAt the creation time the trust file and both bundles record (manifest {@code createdAt}, the
     *                  expiry counted from it, every tar entry's mtime), for example {@code SOURCE_DATE_EPOCH}, so
     *                  the same run writes the same bytes (Ed25519 signatures are deterministic); null for the
     *                  current time
     */
    public BundleStage(long seed, DemoConsole console, Instant createdAt) {
        this.seed = seed;
        this.console = console;
        this.createdAt = createdAt;
    }

    /**
     * Creates keys, trust file and bundle, and verifies the bundle for each variant.
     *
     * @param previousDirs  the previous release's quantized-model directories (signed as sequence 1)
     * @param previousModel the provenance of the previous release's end model
     * @param modelDirs     this run's quantized-model directories (signed as sequence 2)
     * @param endModel      the provenance of this run's end model
     * @param dir           where to write keys, trust file and bundles
     * @return the signed bundles
     * @throws IOException when writing or verification fails
     */
    public Signed run(List<Path> previousDirs, Provenance previousModel, List<Path> modelDirs, Provenance endModel,
            Path dir) throws IOException {
        DemoFiles.fresh(dir);
        SecureRandom random;
        try {
            random = SecureRandom.getInstance("SHA1PRNG"); // seeded: the demo's key is reproducible, not secret
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("No SHA1PRNG to seed the demo key", e);
        }
        random.setSeed(seed);
        SigningKey key = SigningKey.generate(KeyAlgorithm.ED25519, random);
        key.writePemPair(dir.resolve("release-key"));
        // Whole seconds, as BundleAssembler records its own clock: the files say no more than a second.
        Instant now = createdAt != null ? createdAt : Instant.now().truncatedTo(ChronoUnit.SECONDS);
        TrustRoot trust = TrustRoot.builder().version(1).createdAt(now).expiresAt(now.plus(Duration.ofDays(365)))
                .threshold(1).key(key.publicKey()).build().signedBy(key);
        Path trustFile = dir.resolve("trust.json");
        trust.write(trustFile);
        Path previous = dir.resolve(MODEL_NAME + "-1.tar.gz");
        bundle(key, previousDirs, previousModel, 1, now, previous);
        Path bundle = dir.resolve(MODEL_NAME + "-2.tar.gz");
        BundleManifest manifest = bundle(key, modelDirs, endModel, 2, now, bundle);
        // Verified as of the time the files record: a fixed time may lie further back than their validity.
        BundleVerifier verifier = new BundleVerifier(TrustRoot.read(trustFile), BundleLimits.DEFAULT,
                createdAt != null ? Clock.fixed(now, ZoneOffset.UTC) : Clock.systemUTC());
        for (Path m : modelDirs) {
            TargetProfile target = TargetProfile.of(m.getFileName().toString());
            VerifiedBundle v = verifier.verify(bundle, VerificationPolicy.builder().target(target).minimumSequence(1)
                    .build());
            if (v.selected().isEmpty()) {
                throw new IOException("The bundle has no artifact for " + target.id());
            }
        }
        console.line("signed %s (%d artifacts, %d bytes) with Ed25519 key %s...; verified for %d variants",
                bundle.getFileName(), manifest.artifacts().size(), Files.size(bundle),
                key.publicKey().keyId().substring(0, 12), modelDirs.size());
        return new Signed(previous, bundle, trustFile, key, manifest);
    }

    private static BundleManifest bundle(SigningKey key, List<Path> dirs, Provenance endModel, long sequence,
            Instant createdAt, Path out) throws IOException {
        BundleAssembler a = new BundleAssembler().name(MODEL_NAME).sequence(sequence).securityEpoch(0)
                .version("1." + sequence + ".0").createdAt(createdAt).validity(Duration.ofDays(90)).runtime("edgeloop-int",
                        ">=1.0.0 <2.0.0");
        for (Path m : dirs) {
            a.model(m);
        }
        lineage(a, endModel);
        return a.write(List.of(key), true, out);
    }

    /**
     * Puts the end model's labelling and training facts into the signed lineage, where a release is inspected
     * ({@code labelling}: label model, LF set, expert answers count and digest; {@code training}: end model, seed,
     * rows, gold rows; {@code datasets}: the training table's digest). The full records also arrive nested: each
     * quantized model's provenance names the end model's as its parent, and that the labels'.
     */
    static void lineage(BundleAssembler a, Provenance endModel) {
        Lineage.Builder l = a.lineage();
        Map<String, String> s = endModel.settings();
        for (String k : List.of("labelModel", "lfs", "expertAnswers", "expertAnswersSha256")) {
            if (s.containsKey(k)) {
                l.labelling(k, s.get(k));
            }
        }
        for (String k : List.of("endModel", "trainingRows", "goldRows", "features", "classes")) {
            if (s.containsKey(k)) {
                l.training(k, s.get(k));
            }
        }
        endModel.seed().ifPresent(seed -> l.training("seed", Long.toString(seed)));
        l.training("provenanceFile", QuantizeStage.MODEL_FILE + ProvenanceFiles.SUFFIX);
        for (Provenance.Input in : endModel.inputs()) {
            a.dataset(in.name(), in.sha256());
        }
    }
}
