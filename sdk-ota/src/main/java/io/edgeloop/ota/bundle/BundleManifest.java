package io.edgeloop.ota.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.ota.json.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The signed statement of a bundle: which model, which version, its anti-rollback sequence and security epoch,
 * its validity window, its lineage, and every artifact with digest, target and golden vectors. Stored in the
 * archive as its canonical JSON ({@link CanonicalJson}); signatures cover {@link #signedBytes()}.
 *
 * <p>Thread-safe: immutable.
 */
public final class BundleManifest {
    /** The {@code type} field of every manifest. */
    public static final String TYPE = "edgeloop-bundle-manifest";
    /** Format version written; readers accept major version 1. */
    public static final String FORMAT_VERSION = "1.0";
    /** Prefix of the signed bytes (domain separation from trust-file signatures). */
    static final byte[] DOMAIN = "edgeloop-bundle-manifest/v1\n".getBytes(StandardCharsets.US_ASCII);

    private final String name;
    private final String version;
    private final long sequence;
    private final long securityEpoch;
    private final Instant createdAt;
    private final Instant expiresAt;
    private final Lineage lineage;
    private final List<ArtifactEntry> artifacts;

    private BundleManifest(Builder b) {
        this.name = b.name;
        this.version = b.version;
        this.sequence = b.sequence;
        this.securityEpoch = b.securityEpoch;
        this.createdAt = b.createdAt;
        this.expiresAt = b.expiresAt;
        this.lineage = b.lineage;
        this.artifacts = List.copyOf(b.artifacts);
    }

    /**
     * Checks a model name as {@link Builder#build()} does.
     *
     * @param name the name
     * @throws IllegalArgumentException when it is not 1-128 characters of {@code [A-Za-z0-9._-]} starting with a
     *                                  letter or digit
     */
    public static void checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new IllegalArgumentException("model name must be 1-128 characters of [A-Za-z0-9._-], got '"
                    + name + "'");
        }
    }

    /**
     * Checks a version as {@link Builder#build()} does.
     *
     * @param version the version
     * @throws IllegalArgumentException when it is not semantic ({@code MAJOR.MINOR.PATCH}, optional suffix)
     */
    public static void checkVersion(String version) {
        if (version == null || !version.matches("\\d{1,9}\\.\\d{1,9}\\.\\d{1,9}([-+][0-9A-Za-z.+-]{1,64})?")) {
            throw new IllegalArgumentException("version must be semantic (MAJOR.MINOR.PATCH), got '" + version + "'");
        }
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this manifest's fields */
    public Builder toBuilder() {
        Builder b = builder().name(name).version(version).sequence(sequence).securityEpoch(securityEpoch)
                .createdAt(createdAt).expiresAt(expiresAt).lineage(lineage);
        artifacts.forEach(b::artifact);
        return b;
    }

    /** @return the model name */
    public String name() {
        return name;
    }

    /** @return the semantic version */
    public String version() {
        return version;
    }

    /** @return the monotonic anti-rollback sequence */
    public long sequence() {
        return sequence;
    }

    /** @return the security epoch (raised when older bundles must never run again) */
    public long securityEpoch() {
        return securityEpoch;
    }

    /** @return when the bundle was made */
    public Instant createdAt() {
        return createdAt;
    }

    /** @return after this instant devices refuse the bundle */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** @return the lineage */
    public Lineage lineage() {
        return lineage;
    }

    /** @return the artifacts */
    public List<ArtifactEntry> artifacts() {
        return artifacts;
    }

    /**
     * @param target          a target profile id
     * @param hardwareVariant a hardware variant
     * @return the artifact built for them
     */
    public Optional<ArtifactEntry> artifactFor(String target, String hardwareVariant) {
        for (ArtifactEntry a : artifacts) {
            if (a.target().equals(target) && a.hardwareVariant().equals(hardwareVariant)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** @return the JSON tree */
    public ObjectNode toJson() {
        ObjectNode o = CanonicalJson.object();
        o.put("type", TYPE);
        o.put("formatVersion", FORMAT_VERSION);
        o.put("name", name);
        o.put("version", version);
        o.put("sequence", sequence);
        o.put("securityEpoch", securityEpoch);
        o.put("createdAt", createdAt.toString());
        o.put("expiresAt", expiresAt.toString());
        o.set("lineage", lineage.toJson());
        ArrayNode a = o.putArray("artifacts");
        artifacts.forEach(x -> a.add(x.toJson()));
        return o;
    }

    /** @return the canonical JSON bytes stored as {@code manifest.json} */
    public byte[] canonicalBytes() {
        return CanonicalJson.bytes(toJson());
    }

    /** @return the bytes signatures cover: a domain prefix and {@link #canonicalBytes()} */
    public byte[] signedBytes() {
        return signedBytes(canonicalBytes());
    }

    static byte[] signedBytes(byte[] canonical) {
        byte[] out = new byte[DOMAIN.length + canonical.length];
        System.arraycopy(DOMAIN, 0, out, 0, DOMAIN.length);
        System.arraycopy(canonical, 0, out, DOMAIN.length, canonical.length);
        return out;
    }

    /**
     * Reads a manifest tree.
     *
     * @param n the tree
     * @return the manifest
     * @throws IllegalArgumentException when malformed or of an unknown major format version
     */
    public static BundleManifest fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("manifest must be a JSON object");
        }
        if (!TYPE.equals(n.path("type").asText())) {
            throw new IllegalArgumentException("manifest type must be '" + TYPE + "'");
        }
        String fv = Fields.text(n, "formatVersion");
        if (!fv.matches("1\\.\\d+")) {
            throw new IllegalArgumentException("unsupported manifest formatVersion " + fv + " (this SDK reads 1.x)");
        }
        Builder b = builder().name(Fields.text(n, "name")).version(Fields.text(n, "version"))
                .sequence(Fields.integer(n, "sequence")).securityEpoch(Fields.integer(n, "securityEpoch"))
                .createdAt(Fields.instant(n, "createdAt")).expiresAt(Fields.instant(n, "expiresAt"))
                .lineage(Lineage.fromJson(n.get("lineage")));
        JsonNode arts = n.get("artifacts");
        if (arts == null || !arts.isArray()) {
            throw new IllegalArgumentException("manifest 'artifacts' must be an array");
        }
        for (JsonNode a : arts) {
            b.artifact(ArtifactEntry.fromJson(a));
        }
        return b.build();
    }

    /** Builder for {@link BundleManifest}. Not thread-safe. */
    public static final class Builder {
        private String name;
        private String version = "1.0.0";
        private long sequence = -1;
        private long securityEpoch;
        private Instant createdAt;
        private Instant expiresAt;
        private Lineage lineage = Lineage.EMPTY;
        private final List<ArtifactEntry> artifacts = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param name the model name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * @param version semantic version {@code MAJOR.MINOR.PATCH}
         * @return this builder
         */
        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * @param sequence anti-rollback sequence, at least 0
         * @return this builder
         */
        public Builder sequence(long sequence) {
            this.sequence = sequence;
            return this;
        }

        /**
         * @param securityEpoch the security epoch, at least 0
         * @return this builder
         */
        public Builder securityEpoch(long securityEpoch) {
            this.securityEpoch = securityEpoch;
            return this;
        }

        /**
         * @param createdAt creation time
         * @return this builder
         */
        public Builder createdAt(Instant createdAt) {
            this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
            return this;
        }

        /**
         * @param expiresAt expiry
         * @return this builder
         */
        public Builder expiresAt(Instant expiresAt) {
            this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
            return this;
        }

        /**
         * @param lineage the lineage
         * @return this builder
         */
        public Builder lineage(Lineage lineage) {
            this.lineage = Objects.requireNonNull(lineage, "lineage");
            return this;
        }

        /**
         * @param a an artifact
         * @return this builder
         */
        public Builder artifact(ArtifactEntry a) {
            artifacts.add(Objects.requireNonNull(a, "a"));
            return this;
        }

        /**
         * @return the manifest
         * @throws IllegalArgumentException when a field is missing or invalid, or two artifacts share a path or a
         *                                  target and variant
         */
        public BundleManifest build() {
            checkName(name);
            checkVersion(version);
            if (sequence < 0 || securityEpoch < 0) {
                throw new IllegalArgumentException("sequence and securityEpoch must be non-negative");
            }
            if (createdAt == null || expiresAt == null || !expiresAt.isAfter(createdAt)) {
                throw new IllegalArgumentException("manifest needs createdAt and an expiresAt after it");
            }
            if (artifacts.isEmpty()) {
                throw new IllegalArgumentException("a bundle needs at least one artifact");
            }
            Set<String> paths = new HashSet<>();
            Set<String> variants = new HashSet<>();
            for (ArtifactEntry a : artifacts) {
                if (!paths.add(a.path())) {
                    throw new IllegalArgumentException("two artifacts share the path " + a.path());
                }
                if (!variants.add(a.target() + "/" + a.hardwareVariant())) {
                    throw new IllegalArgumentException("two artifacts for target " + a.target() + " variant "
                            + a.hardwareVariant());
                }
            }
            return new BundleManifest(this);
        }
    }
}
