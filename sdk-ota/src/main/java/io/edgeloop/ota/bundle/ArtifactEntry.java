package io.edgeloop.ota.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.ota.json.CanonicalJson;
import java.util.Objects;

/**
 * One artifact of a bundle: the model file built for one target profile and hardware variant, with its digest,
 * the runtime it needs, its quantization scheme and its golden vectors.
 *
 * <p>Thread-safe: immutable.
 */
public final class ArtifactEntry {
    private final String path;
    private final String sha256;
    private final long size;
    private final String target;
    private final String hardwareVariant;
    private final String runtime;
    private final VersionRange runtimeVersions;
    private final String scheme;
    private final int inputSize;
    private final int outputSize;
    private final GoldenVectors golden;

    private ArtifactEntry(Builder b) {
        this.path = b.path;
        this.sha256 = b.sha256;
        this.size = b.size;
        this.target = b.target;
        this.hardwareVariant = b.hardwareVariant;
        this.runtime = b.runtime;
        this.runtimeVersions = b.runtimeVersions;
        this.scheme = b.scheme;
        this.inputSize = b.inputSize;
        this.outputSize = b.outputSize;
        this.golden = b.golden;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the archive path ({@code artifacts/...}) */
    public String path() {
        return path;
    }

    /** @return lower-case hex SHA-256 of the artifact bytes */
    public String sha256() {
        return sha256;
    }

    /** @return the artifact size in bytes */
    public long size() {
        return size;
    }

    /** @return the target profile id ({@code avr8}, {@code cortex-m3}, {@code jvm}) */
    public String target() {
        return target;
    }

    /** @return the hardware variant ({@code atmega328p}, ...) */
    public String hardwareVariant() {
        return hardwareVariant;
    }

    /** @return the name of the runtime provider that executes it ({@code edgeloop-int}) */
    public String runtime() {
        return runtime;
    }

    /** @return the runtime versions it runs on */
    public VersionRange runtimeVersions() {
        return runtimeVersions;
    }

    /** @return the quantization scheme ({@code int8}, ...) */
    public String scheme() {
        return scheme;
    }

    /** @return number of integer inputs */
    public int inputSize() {
        return inputSize;
    }

    /** @return number of integer outputs */
    public int outputSize() {
        return outputSize;
    }

    /** @return the golden vectors */
    public GoldenVectors golden() {
        return golden;
    }

    ObjectNode toJson() {
        ObjectNode o = CanonicalJson.object();
        o.put("path", path);
        o.put("sha256", sha256);
        o.put("size", size);
        o.put("target", target);
        o.put("hardwareVariant", hardwareVariant);
        o.put("runtime", runtime);
        o.put("runtimeVersions", runtimeVersions.toString());
        o.put("scheme", scheme);
        o.put("inputSize", inputSize);
        o.put("outputSize", outputSize);
        o.set("golden", golden.toJson());
        return o;
    }

    static ArtifactEntry fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("an artifact must be an object");
        }
        return builder().path(Fields.text(n, "path")).sha256(Fields.text(n, "sha256")).size(Fields.integer(n, "size"))
                .target(Fields.text(n, "target")).hardwareVariant(Fields.text(n, "hardwareVariant"))
                .runtime(Fields.text(n, "runtime")).runtimeVersions(Fields.text(n, "runtimeVersions"))
                .scheme(Fields.text(n, "scheme")).inputSize(Fields.int32(n, "inputSize", 1, Integer.MAX_VALUE))
                .outputSize(Fields.int32(n, "outputSize", 1, Integer.MAX_VALUE)).golden(GoldenVectors.fromJson(n.get("golden")))
                .build();
    }

    /** Builder for {@link ArtifactEntry}. Not thread-safe. */
    public static final class Builder {
        private String path;
        private String sha256;
        private long size = -1;
        private String target;
        private String hardwareVariant;
        private String runtime = "edgeloop-int";
        private VersionRange runtimeVersions = VersionRange.parse("*");
        private String scheme = "int8";
        private int inputSize = -1;
        private int outputSize = -1;
        private GoldenVectors golden;

        private Builder() {
        }

        /**
         * @param path the archive path, {@code artifacts/<segments>}
         * @return this builder
         */
        public Builder path(String path) {
            this.path = Objects.requireNonNull(path, "path");
            return this;
        }

        /**
         * @param sha256 lower-case hex digest
         * @return this builder
         */
        public Builder sha256(String sha256) {
            this.sha256 = Objects.requireNonNull(sha256, "sha256");
            return this;
        }

        /**
         * @param size bytes
         * @return this builder
         */
        public Builder size(long size) {
            this.size = size;
            return this;
        }

        /**
         * @param target the target profile id
         * @return this builder
         */
        public Builder target(String target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * @param hardwareVariant the hardware variant
         * @return this builder
         */
        public Builder hardwareVariant(String hardwareVariant) {
            this.hardwareVariant = Objects.requireNonNull(hardwareVariant, "hardwareVariant");
            return this;
        }

        /**
         * @param runtime the runtime provider name
         * @return this builder
         */
        public Builder runtime(String runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            return this;
        }

        /**
         * @param constraint e.g. {@code >=1.0.0 <2.0.0}
         * @return this builder
         */
        public Builder runtimeVersions(String constraint) {
            this.runtimeVersions = VersionRange.parse(Objects.requireNonNull(constraint, "constraint"));
            return this;
        }

        /**
         * @param scheme the quantization scheme
         * @return this builder
         */
        public Builder scheme(String scheme) {
            this.scheme = Objects.requireNonNull(scheme, "scheme");
            return this;
        }

        /**
         * @param inputSize number of inputs
         * @return this builder
         */
        public Builder inputSize(int inputSize) {
            this.inputSize = inputSize;
            return this;
        }

        /**
         * @param outputSize number of outputs
         * @return this builder
         */
        public Builder outputSize(int outputSize) {
            this.outputSize = outputSize;
            return this;
        }

        /**
         * @param golden the golden vectors
         * @return this builder
         */
        public Builder golden(GoldenVectors golden) {
            this.golden = Objects.requireNonNull(golden, "golden");
            return this;
        }

        /**
         * @return the entry
         * @throws IllegalArgumentException when a field is missing or invalid
         */
        public ArtifactEntry build() {
            if (path == null || !path.startsWith("artifacts/") || !EntryNames.isSafe(path)) {
                throw new IllegalArgumentException("artifact path must be a safe relative path under artifacts/, got '"
                        + path + "'");
            }
            if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("artifact sha256 must be 64 lower-case hex digits");
            }
            if (size < 0 || target == null || hardwareVariant == null || golden == null) {
                throw new IllegalArgumentException("artifact " + path + " needs size, target, hardwareVariant and golden");
            }
            if (inputSize < 1 || outputSize < 1) {
                throw new IllegalArgumentException("artifact " + path + " needs positive inputSize and outputSize");
            }
            for (int i = 0; i < golden.size(); i++) {
                if (golden.input(i).length != inputSize || golden.output(i).length != outputSize) {
                    throw new IllegalArgumentException("artifact " + path + ": golden vector " + i + " does not have "
                            + inputSize + " inputs and " + outputSize + " outputs");
                }
            }
            return new ArtifactEntry(this);
        }
    }
}
