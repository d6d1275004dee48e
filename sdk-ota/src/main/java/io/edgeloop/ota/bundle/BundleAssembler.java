package io.edgeloop.ota.bundle;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.ota.trust.SigningKey;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Packages quantized-model directories (one per target) into a signed bundle: one artifact per directory, the
 * golden vectors from each {@code golden.json}, lineage from each {@code report.json} and model provenance.
 *
 * <p>Not thread-safe: configure, then call {@link #write} once.
 */
public final class BundleAssembler {
    private final List<ModelDirectory> models = new ArrayList<>();
    private String name;
    private String version = "1.0.0";
    private long sequence = -1;
    private long securityEpoch;
    private Instant createdAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    private Duration validity = Duration.ofDays(90);
    private String runtime = "edgeloop-int";
    private String runtimeVersions = ">=1.0.0 <2.0.0";
    private final Lineage.Builder lineage = Lineage.builder();

    /** Creates an empty assembler. */
    public BundleAssembler() {
    }

    /**
     * @param dir a quantized-model directory
     * @return this assembler
     * @throws IOException when the directory is not a valid quantize output
     */
    public BundleAssembler model(Path dir) throws IOException {
        ModelDirectory m = ModelDirectory.read(dir);
        for (ModelDirectory other : models) {
            if (other.target().equals(m.target())) {
                throw new IllegalArgumentException("two model directories for target " + m.target().id() + ": "
                        + other.dir() + " and " + dir);
            }
        }
        models.add(m);
        return this;
    }

    /**
     * @param name the model name
     * @return this assembler
     */
    public BundleAssembler name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /**
     * @return the model name set with {@link #name(String)}
     * @throws IllegalStateException when no name was set
     */
    public String name() {
        if (name == null) {
            throw new IllegalStateException("the bundle needs a model name");
        }
        return name;
    }

    /**
     * @param version semantic version
     * @return this assembler
     */
    public BundleAssembler version(String version) {
        this.version = Objects.requireNonNull(version, "version");
        return this;
    }

    /**
     * @param sequence anti-rollback sequence
     * @return this assembler
     */
    public BundleAssembler sequence(long sequence) {
        this.sequence = sequence;
        return this;
    }

    /**
     * @param epoch security epoch
     * @return this assembler
     */
    public BundleAssembler securityEpoch(long epoch) {
        this.securityEpoch = epoch;
        return this;
    }

    /**
     * @param createdAt creation time (also every entry's mtime)
     * @return this assembler
     */
    public BundleAssembler createdAt(Instant createdAt) {
        this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
        return this;
    }

    /**
     * @param validity how long devices accept the bundle after creation
     * @return this assembler
     */
    public BundleAssembler validity(Duration validity) {
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, got " + validity);
        }
        this.validity = validity;
        return this;
    }

    /**
     * @param runtime     runtime provider name the artifacts need
     * @param constraints runtime version constraint
     * @return this assembler
     */
    public BundleAssembler runtime(String runtime, String constraints) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        VersionRange.parse(constraints);
        this.runtimeVersions = constraints;
        return this;
    }

    /**
     * @param datasetName dataset name
     * @param sha256      its digest
     * @return this assembler
     */
    public BundleAssembler dataset(String datasetName, String sha256) {
        lineage.dataset(datasetName, sha256);
        return this;
    }

    /** @return the lineage builder, to add labelling and training settings */
    public Lineage.Builder lineage() {
        return lineage;
    }

    /**
     * Builds the manifest and artifact map. Before anything is built, the directories must be one model
     * (same features in order, same classes, or outputs without classes, and the same float model
     * where both provenances name it) and each {@code model.json} must pass the check devices run
     * ({@link ArtifactCheck}: the runtime set with {@link #runtime} loads it and reproduces its golden vectors), so
     * nothing devices would refuse gets signed.
     *
     * @return the manifest and the artifacts by path
     * @throws IllegalArgumentException without model directories, when two hold different models (naming both and
     *                                  what differs), when the runtime is not installed (listing those that are) or
     *                                  when an artifact fails the check (naming its model.json)
     */
    public Map.Entry<BundleManifest, Map<String, byte[]>> assemble() {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("a bundle needs at least one --model directory");
        }
        ModelDirectory first = models.get(0);
        for (ModelDirectory d : models.subList(1, models.size())) {
            String differs = differs(first, d);
            if (differs != null) {
                throw new IllegalArgumentException(first.dir() + " and " + d.dir() + " hold different models (a bundle "
                        + "carries one model, built for one or more targets): " + differs);
            }
        }
        ModelRuntime rt = null;
        for (ModelDirectory d : models) {
            if (rt == null) {
                rt = ProviderLoader.of(ModelRuntimeProvider.class).select(runtime).create(ComponentConfig.empty());
            }
            try {
                ArtifactCheck.loadAndCheck(d.entry(runtime, runtimeVersions), d.modelBytes(), rt);
            } catch (BundleVerificationException e) {
                // Not chained: the message says it all, and one-line reporters would append the runtime's parser
                // dump from the cause chain.
                throw new IllegalArgumentException(d.dir().resolve("model.json") + " fails the check devices run, so "
                        + "it is not signed: " + e.getMessage() + " (re-run edgeloop quantize for " + d.dir() + ")");
            }
        }
        Map<String, byte[]> arts = new LinkedHashMap<>();
        BundleManifest.Builder m = BundleManifest.builder().name(Objects.requireNonNull(name, "name")).version(version)
                .sequence(sequence).securityEpoch(securityEpoch).createdAt(createdAt)
                .expiresAt(createdAt.plus(validity));
        for (ModelDirectory d : models) {
            byte[] bytes = d.modelBytes();
            arts.put(d.path(), bytes);
            m.artifact(d.entry(runtime, runtimeVersions));
            d.report().forEach((k, v) -> lineage.quantization(d.target().id() + "." + k, v));
            lineage.quantization(d.target().id() + ".modelSha256", Sha256.hex(bytes));
            d.provenance().ifPresent(lineage::provenance);
        }
        m.lineage(lineage.build());
        return Map.entry(m.build(), arts);
    }

    /**
     * Whether two directories are the same model for different targets: same input features in order, same
     * classes (or, without classes, the same number of outputs), and, when both provenances name it, the same float
     * model (SHA-256 of the file quantized).
     *
     * @return what differs, or null
     */
    private static String differs(ModelDirectory a, ModelDirectory b) {
        if (!a.features().equals(b.features())) {
            return "features " + a.features().map(Object::toString).orElse("(none recorded)") + " vs "
                    + b.features().map(Object::toString).orElse("(none recorded)");
        }
        if (!a.classes().equals(b.classes())) {
            return "classes " + a.classes().map(Object::toString).orElse("(none recorded)") + " vs "
                    + b.classes().map(Object::toString).orElse("(none recorded)");
        }
        if (a.classes().map(List::isEmpty).orElse(true) && a.outputSize() != b.outputSize()) {
            return "outputs " + a.outputSize() + " vs " + b.outputSize();
        }
        if (a.sourceModel().isPresent() && b.sourceModel().isPresent()
                && !a.sourceModel().get().sha256().equals(b.sourceModel().get().sha256())) {
            return "quantized from different float models: " + a.sourceModel().get().name() + " (sha256 "
                    + a.sourceModel().get().sha256() + ") vs " + b.sourceModel().get().name() + " (sha256 "
                    + b.sourceModel().get().sha256() + ")";
        }
        return null;
    }

    /**
     * Writes the signed bundle.
     *
     * @param signers signing keys
     * @param gzip    compress
     * @param out     destination
     * @return the manifest written
     * @throws IOException when writing fails
     */
    public BundleManifest write(List<SigningKey> signers, boolean gzip, Path out) throws IOException {
        Map.Entry<BundleManifest, Map<String, byte[]>> a = assemble();
        BundleWriter.write(a.getKey(), a.getValue(), signers, gzip, out);
        return a.getKey();
    }
}
