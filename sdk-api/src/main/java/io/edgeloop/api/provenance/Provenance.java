package io.edgeloop.api.provenance;

import io.edgeloop.api.EdgeloopVersion;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Who made an artifact, from which inputs, with which settings: attached to every labelled dataset, model,
 * quantized model and bundle the SDK produces. Provenance nests: a model's record lists the dataset's record
 * among its {@linkplain #parents() parents}, so a bundle carries the whole lineage.
 *
 * <p>It round-trips through plain maps ({@link #toMap()} / {@link #fromMap(Map)}) that any JSON library writes
 * and reads; format version {@value #FORMAT_VERSION}. {@link #stripped()} removes times and host details for
 * reproducible (byte-identical) outputs and for shipping.
 *
 * <p>Thread-safe: immutable.
 */
public final class Provenance {
    /** The version of the map form written by {@link #toMap()}. */
    public static final int FORMAT_VERSION = 1;

    /**
     * One input an artifact was made from.
     *
     * <p>Thread-safe: immutable.
     *
     * @param name      what the input is ({@code train.csv}, {@code label-model})
     * @param sha256    lower-case hex SHA-256 of its bytes
     * @param sizeBytes its size, or -1 when unknown
     */
    public record Input(String name, String sha256, long sizeBytes) {
        /**
         * Validates the components.
         *
         * @param name      the name, not blank
         * @param sha256    the digest, 64 lower-case hex digits
         * @param sizeBytes the size, at least 0, or -1 when unknown
         * @throws IllegalArgumentException when a component is out of range
         */
        public Input {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sha256, "sha256");
            if (name.isBlank()) {
                throw new IllegalArgumentException("input name must not be blank");
            }
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
            }
            if (sizeBytes < -1) {
                throw new IllegalArgumentException("sizeBytes of input '" + name + "' must be a size (0 or more) or -1"
                        + " when unknown, got " + sizeBytes);
            }
        }
    }

    private final String producer;
    private final String kind;
    private final Map<String, String> settings;
    private final List<Input> inputs;
    private final List<Provenance> parents;
    private final Instant createdAt;
    private final String sdkVersion;
    private final Map<String, String> environment;
    private final Long seed;

    private Provenance(Builder b) {
        this.producer = b.producer;
        this.kind = b.kind;
        this.settings = Collections.unmodifiableMap(new TreeMap<>(b.settings));
        this.inputs = List.copyOf(b.inputs);
        this.parents = List.copyOf(b.parents);
        this.createdAt = b.createdAt;
        this.sdkVersion = b.sdkVersion;
        this.environment = Collections.unmodifiableMap(new TreeMap<>(b.environment));
        this.seed = b.seed;
    }

    /**
     * Returns a builder pre-filled with the SDK version, the JVM/OS/arch of this host and the current time.
     *
     * @param kind     what the artifact is ({@code dataset}, {@code model}, {@code quantized-model}, {@code bundle})
     * @param producer the class that produced it
     * @return the builder
     */
    public static Builder capture(String kind, Class<?> producer) {
        Builder b = new Builder().kind(kind).producer(producer.getName()).sdkVersion(EdgeloopVersion.get())
                .createdAt(Instant.now());
        b.environment.put("java.version", System.getProperty("java.version", "unknown"));
        b.environment.put("java.vendor", System.getProperty("java.vendor", "unknown"));
        b.environment.put("os.name", System.getProperty("os.name", "unknown"));
        b.environment.put("os.arch", System.getProperty("os.arch", "unknown"));
        return b;
    }

    /** @return an empty builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the producing class name */
    public String producer() {
        return producer;
    }

    /** @return what the artifact is */
    public String kind() {
        return kind;
    }

    /** @return the settings used, sorted by key */
    public Map<String, String> settings() {
        return settings;
    }

    /** @return the inputs with their digests */
    public List<Input> inputs() {
        return inputs;
    }

    /** @return the provenance of artifacts this one was made from */
    public List<Provenance> parents() {
        return parents;
    }

    /** @return when the artifact was made, empty once stripped */
    public Optional<Instant> createdAt() {
        return Optional.ofNullable(createdAt);
    }

    /** @return the SDK version that made it */
    public String sdkVersion() {
        return sdkVersion;
    }

    /** @return JVM, OS and architecture of the producing host, empty once stripped */
    public Map<String, String> environment() {
        return environment;
    }

    /** @return the random seed used, if any */
    public OptionalLong seed() {
        return seed == null ? OptionalLong.empty() : OptionalLong.of(seed);
    }

    /**
     * Returns a copy without creation times and host environment, recursively, for reproducible output.
     *
     * @return the stripped copy
     */
    public Provenance stripped() {
        Builder b = toBuilder();
        b.createdAt = null;
        b.environment.clear();
        b.parents.clear();
        for (Provenance p : parents) {
            b.parents.add(p.stripped());
        }
        return b.build();
    }

    /** @return a builder holding this record's fields */
    public Builder toBuilder() {
        Builder b = new Builder().producer(producer).kind(kind).sdkVersion(sdkVersion);
        b.settings.putAll(settings);
        b.inputs.addAll(inputs);
        b.parents.addAll(parents);
        b.createdAt = createdAt;
        b.environment.putAll(environment);
        b.seed = seed;
        return b;
    }

    /**
     * Returns the map form: strings, numbers, lists and maps only, keys in a fixed order.
     *
     * @return the map form
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("formatVersion", FORMAT_VERSION);
        m.put("kind", kind);
        m.put("producer", producer);
        m.put("sdkVersion", sdkVersion);
        if (createdAt != null) {
            m.put("createdAt", createdAt.toString());
        }
        if (seed != null) {
            m.put("seed", seed);
        }
        m.put("settings", new LinkedHashMap<>(settings));
        List<Object> in = new ArrayList<>();
        for (Input i : inputs) {
            Map<String, Object> im = new LinkedHashMap<>();
            im.put("name", i.name());
            im.put("sha256", i.sha256());
            im.put("sizeBytes", i.sizeBytes());
            in.add(im);
        }
        m.put("inputs", in);
        if (!environment.isEmpty()) {
            m.put("environment", new LinkedHashMap<>(environment));
        }
        List<Object> ps = new ArrayList<>();
        for (Provenance p : parents) {
            ps.add(p.toMap());
        }
        m.put("parents", ps);
        return m;
    }

    /**
     * Reads the map form.
     *
     * @param m the map, as produced by {@link #toMap()} and a JSON round trip
     * @return the provenance
     * @throws IllegalArgumentException when the map is malformed (a wrong type, a non-integral number, a missing
     *         required member, an unparsable time) or of an unknown major format version; the message names the key,
     *         for example {@code provenance 'createdAt' must be an ISO-8601 instant (...), got 'yesterday'}
     */
    public static Provenance fromMap(Map<String, ?> m) {
        return fromMap(m, "provenance");
    }

    private static Provenance fromMap(Map<?, ?> m, String where) {
        Objects.requireNonNull(m, "m");
        Object fv = m.get("formatVersion");
        if (!isIntegral(fv) || ((Number) fv).longValue() != FORMAT_VERSION) {
            throw new IllegalArgumentException("Unsupported " + where + " 'formatVersion' " + fv + " (this SDK reads "
                    + FORMAT_VERSION + ")");
        }
        Builder b = new Builder().kind(str(m, where, "kind")).producer(str(m, where, "producer"))
                .sdkVersion(str(m, where, "sdkVersion"));
        Object created = m.get("createdAt");
        if (created != null) {
            if (!(created instanceof String)) {
                throw malformed(where, "createdAt", "an ISO-8601 instant string", created);
            }
            try {
                b.createdAt(Instant.parse((String) created));
            } catch (DateTimeParseException e) {
                throw malformed(where, "createdAt", "an ISO-8601 instant (2026-11-30T09:00:00Z)", created);
            }
        }
        Object seed = m.get("seed");
        if (seed != null) {
            if (!isIntegral(seed)) {
                throw malformed(where, "seed", "an integer", seed);
            }
            b.seed(((Number) seed).longValue());
        }
        for (Map.Entry<?, ?> e : map(m, where, "settings").entrySet()) {
            b.setting(e.getKey().toString(), scalar(where, "settings." + e.getKey(), e.getValue()));
        }
        List<?> inputs = list(m, where, "inputs");
        for (int i = 0; i < inputs.size(); i++) {
            String at = "inputs[" + i + "]";
            if (!(inputs.get(i) instanceof Map)) {
                throw malformed(where, at, "an object with name, sha256 and sizeBytes", inputs.get(i));
            }
            Map<?, ?> im = (Map<?, ?>) inputs.get(i);
            String name = str(im, where, at + ".name");
            String sha = str(im, where, at + ".sha256");
            Object size = im.get("sizeBytes");
            if (size != null && !isIntegral(size)) {
                throw malformed(where, at + ".sizeBytes", "an integer (-1 when unknown)", size);
            }
            try {
                b.input(new Input(name, sha, size == null ? -1 : ((Number) size).longValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + " '" + at + "' is malformed: " + e.getMessage(), e);
            }
        }
        for (Map.Entry<?, ?> e : map(m, where, "environment").entrySet()) {
            b.environment.put(e.getKey().toString(), scalar(where, "environment." + e.getKey(), e.getValue()));
        }
        List<?> parents = list(m, where, "parents");
        for (int i = 0; i < parents.size(); i++) {
            String at = where + " 'parents[" + i + "]'";
            if (!(parents.get(i) instanceof Map)) {
                throw new IllegalArgumentException(at + " must be a provenance object, got " + describe(parents.get(i)));
            }
            b.parent(fromMap((Map<?, ?>) parents.get(i), at));
        }
        return b.build();
    }

    /** Integers of any width, and floating-point numbers with an integral value (1.0 from some JSON writers). */
    private static boolean isIntegral(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return true;
        }
        if (v instanceof java.math.BigInteger bi) {
            return bi.bitLength() < 64;
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 0x1p63;
        }
        return false;
    }

    private static IllegalArgumentException malformed(String where, String key, String expected, Object got) {
        return new IllegalArgumentException(where + " '" + key + "' must be " + expected + ", got " + describe(got));
    }

    private static String describe(Object v) {
        if (v instanceof String) {
            return "'" + v + "'";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        return String.valueOf(v);
    }

    private static String scalar(String where, String key, Object v) {
        if (v == null || v instanceof Map || v instanceof List) {
            throw malformed(where, key, "a string, number or boolean", v);
        }
        return v.toString();
    }

    private static String str(Map<?, ?> m, String where, String key) {
        Object v = m.get(key.substring(key.lastIndexOf('.') + 1));
        if (v == null) {
            throw new IllegalArgumentException(where + " is missing '" + key + "'");
        }
        if (!(v instanceof String)) {
            throw malformed(where, key, "a string", v);
        }
        return (String) v;
    }

    private static Map<?, ?> map(Map<?, ?> m, String where, String k) {
        Object v = m.get(k);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map)) {
            throw malformed(where, k, "an object", v);
        }
        return (Map<?, ?>) v;
    }

    private static List<?> list(Map<?, ?> m, String where, String k) {
        Object v = m.get(k);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List)) {
            throw malformed(where, k, "an array", v);
        }
        return (List<?>) v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Provenance && ((Provenance) o).toMap().equals(toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }

    @Override
    public String toString() {
        return "Provenance" + toMap();
    }

    /** Builder for {@link Provenance}. Not thread-safe. */
    public static final class Builder {
        private String producer;
        private String kind;
        private final Map<String, String> settings = new TreeMap<>();
        private final List<Input> inputs = new ArrayList<>();
        private final List<Provenance> parents = new ArrayList<>();
        private Instant createdAt;
        private String sdkVersion = EdgeloopVersion.get();
        private final Map<String, String> environment = new TreeMap<>();
        private Long seed;

        private Builder() {
        }

        /**
         * @param producer the producing class name
         * @return this builder
         */
        public Builder producer(String producer) {
            this.producer = Objects.requireNonNull(producer, "producer");
            return this;
        }

        /**
         * @param kind what the artifact is
         * @return this builder
         */
        public Builder kind(String kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
            return this;
        }

        /**
         * @param key   a setting name
         * @param value its value
         * @return this builder
         */
        public Builder setting(String key, Object value) {
            settings.put(Objects.requireNonNull(key, "key"), String.valueOf(Objects.requireNonNull(value, "value")));
            return this;
        }

        /**
         * @param input an input with its digest
         * @return this builder
         */
        public Builder input(Input input) {
            inputs.add(Objects.requireNonNull(input, "input"));
            return this;
        }

        /**
         * @param name   the input's name
         * @param sha256 its digest
         * @param size   its size in bytes
         * @return this builder
         */
        public Builder input(String name, String sha256, long size) {
            return input(new Input(name, sha256, size));
        }

        /**
         * @param parent the provenance of an artifact this one was made from
         * @return this builder
         */
        public Builder parent(Provenance parent) {
            parents.add(Objects.requireNonNull(parent, "parent"));
            return this;
        }

        /**
         * @param createdAt the creation time, or null for none
         * @return this builder
         */
        public Builder createdAt(Instant createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        /**
         * @param sdkVersion the SDK version
         * @return this builder
         */
        public Builder sdkVersion(String sdkVersion) {
            this.sdkVersion = Objects.requireNonNull(sdkVersion, "sdkVersion");
            return this;
        }

        /**
         * @param seed the random seed used
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @return the provenance
         * @throws IllegalArgumentException when kind or producer is missing
         */
        public Provenance build() {
            if (kind == null || producer == null) {
                throw new IllegalArgumentException("Provenance needs a kind and a producer");
            }
            return new Provenance(this);
        }
    }
}
