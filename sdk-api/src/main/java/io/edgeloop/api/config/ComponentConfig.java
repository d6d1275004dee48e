package io.edgeloop.api.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Immutable string-keyed configuration handed to providers' {@code create} methods.
 *
 * <p>Values are stored as strings (as they come from files, flags and environment) and read through typed
 * getters with defaults. Every getter validates and throws {@link ConfigException} with a message that names
 * the key, the value and what is allowed. Keys are case-sensitive; a component's own keys are dotted lower-kebab
 * ({@code group-commit.max-delay}), while a key group may carry names from elsewhere (an HTTP header in
 * {@code header.<Name>}, a Kafka setting in {@code kafka.<name>}). A key renamed to that spelling keeps its old
 * spelling as a deprecated alias through {@link KeyAliases}; a typed getter's value error for a key set under its old
 * spelling names that spelling too.
 *
 * <p>Durations accept {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}, a plain number of
 * milliseconds, or ISO-8601 ({@code PT5S}). Sizes accept {@code 512}, {@code 64KiB}, {@code 16MiB}, {@code 1GiB}
 * (also {@code KB/MB/GB} as powers of 1000).
 *
 * <p>A provider refuses keys it does not know with {@link #requireKnownKeys(String, Collection, Collection)}, so a
 * misspelt key ({@code fsycn}) is an error naming the closest known key instead of a setting silently ignored;
 * {@link #requireKnownKeys(String, Collection, Collection, KeyAliases)} also accepts deprecated spellings.
 *
 * <p>Thread-safe: instances are immutable.
 */
public final class ComponentConfig {
    private static final ComponentConfig EMPTY = new ComponentConfig(new TreeMap<>(), new TreeMap<>());
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kib|mib|gib|kb|mb|gb|k|m|g)?");

    private final Map<String, String> values;
    /** The deprecated key each key was set under ({@link KeyAliases#resolve}), for value errors; not a value. */
    private final Map<String, String> spelledAs;

    private ComponentConfig(TreeMap<String, String> values, TreeMap<String, String> spelledAs) {
        this.values = Collections.unmodifiableMap(values);
        this.spelledAs = Collections.unmodifiableMap(spelledAs);
    }

    /**
     * Returns the empty configuration.
     *
     * @return a configuration with no keys
     */
    public static ComponentConfig empty() {
        return EMPTY;
    }

    /**
     * Returns a configuration holding a copy of the given map. Values of any type are stored as their
     * {@code toString()}, as {@link Builder#put(String, Object)} does, so {@code Map.of("port", 8080)} works.
     *
     * @param values keys and values; neither may be null
     * @return the configuration
     */
    public static ComponentConfig of(Map<String, ?> values) {
        Objects.requireNonNull(values, "values");
        Builder b = builder();
        values.forEach(b::put);
        return b.build();
    }

    /**
     * Returns a new builder.
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder holding this configuration's entries, to derive a changed copy.
     *
     * @return a builder initialised from this configuration
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.values.putAll(values);
        b.spelledAs.putAll(spelledAs);
        return b;
    }

    /**
     * Returns all entries, sorted by key.
     *
     * @return an unmodifiable view of the entries
     */
    public Map<String, String> asMap() {
        return values;
    }

    /**
     * Returns the keys, sorted.
     *
     * @return the keys
     */
    public Set<String> keys() {
        return values.keySet();
    }

    /**
     * Returns whether the key is present.
     *
     * @param key the key
     * @return true when a value is set
     */
    public boolean has(String key) {
        return values.containsKey(Objects.requireNonNull(key, "key"));
    }

    /**
     * Returns the entries whose keys start with {@code prefix + "."}, with that prefix removed.
     *
     * @param prefix the prefix without the trailing dot
     * @return the sub-configuration
     */
    public ComponentConfig subset(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        String p = prefix + ".";
        Builder b = builder();
        values.forEach((k, v) -> {
            if (k.startsWith(p)) {
                b.put(k.substring(p.length()), v);
            }
        });
        return b.build();
    }

    /**
     * Returns the raw value when present.
     *
     * @param key the key
     * @return the value, or empty
     */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(Objects.requireNonNull(key, "key")));
    }

    /**
     * Returns the string value or a default.
     *
     * @param key          the key
     * @param defaultValue returned when the key is absent
     * @return the value
     */
    public String getString(String key, String defaultValue) {
        return get(key).orElse(defaultValue);
    }

    /**
     * Returns the string value of a key that must be present.
     *
     * @param key the key
     * @return the value
     * @throws ConfigException when the key is absent or blank
     */
    public String requireString(String key) {
        String v = values.get(Objects.requireNonNull(key, "key"));
        if (v == null || v.isBlank()) {
            throw new ConfigException(key, "Missing required configuration key '" + key + "'"
                    + (values.isEmpty() ? "" : "; keys present: " + values.keySet()));
        }
        return v;
    }

    /**
     * Returns an int value within {@code [min, max]}, or the default when absent.
     *
     * @param key          the key
     * @param defaultValue the default (not validated)
     * @param min          the smallest allowed value
     * @param max          the largest allowed value
     * @return the value
     */
    public int getInt(String key, int defaultValue, int min, int max) {
        long v = getLong(key, defaultValue, min, max);
        return (int) v;
    }

    /**
     * Returns an int value, or the default when absent.
     *
     * @param key          the key
     * @param defaultValue the default
     * @return the value
     */
    public int getInt(String key, int defaultValue) {
        return getInt(key, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /**
     * Returns a long value within {@code [min, max]}, or the default when absent.
     *
     * @param key          the key
     * @param defaultValue the default (not validated)
     * @param min          the smallest allowed value
     * @param max          the largest allowed value
     * @return the value
     */
    public long getLong(String key, long defaultValue, long min, long max) {
        String raw = values.get(Objects.requireNonNull(key, "key"));
        if (raw == null) {
            return defaultValue;
        }
        long v;
        try {
            v = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw invalid(key, raw, "an integer between " + min + " and " + max);
        }
        if (v < min || v > max) {
            throw invalid(key, raw, "an integer between " + min + " and " + max);
        }
        return v;
    }

    /**
     * Returns a long value, or the default when absent.
     *
     * @param key          the key
     * @param defaultValue the default
     * @return the value
     */
    public long getLong(String key, long defaultValue) {
        return getLong(key, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * Returns a finite double within {@code [min, max]}, or the default when absent.
     *
     * @param key          the key
     * @param defaultValue the default (not validated)
     * @param min          the smallest allowed value
     * @param max          the largest allowed value
     * @return the value
     */
    public double getDouble(String key, double defaultValue, double min, double max) {
        String raw = values.get(Objects.requireNonNull(key, "key"));
        if (raw == null) {
            return defaultValue;
        }
        double v;
        try {
            v = Double.parseDouble(raw.trim());
        } catch (NumberFormatException e) {
            throw invalid(key, raw, "a number between " + min + " and " + max);
        }
        if (!Double.isFinite(v) || v < min || v > max) {
            throw invalid(key, raw, "a finite number between " + min + " and " + max);
        }
        return v;
    }

    /**
     * Returns a boolean ({@code true/false/yes/no/on/off}), or the default when absent.
     *
     * @param key          the key
     * @param defaultValue the default
     * @return the value
     */
    public boolean getBoolean(String key, boolean defaultValue) {
        String raw = values.get(Objects.requireNonNull(key, "key"));
        if (raw == null) {
            return defaultValue;
        }
        switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true":
            case "yes":
            case "on":
                return true;
            case "false":
            case "no":
            case "off":
                return false;
            default:
                throw invalid(key, raw, "one of true, false, yes, no, on, off");
        }
    }

    /**
     * Returns a non-negative duration, or the default when absent.
     *
     * @param key          the key
     * @param defaultValue the default
     * @return the value
     */
    public Duration getDuration(String key, Duration defaultValue) {
        String raw = values.get(Objects.requireNonNull(key, "key"));
        if (raw == null) {
            return defaultValue;
        }
        String s = raw.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (s.startsWith("p")) {
                d = Duration.parse(raw.trim().toUpperCase(Locale.ROOT));
            } else {
                Matcher m = DURATION.matcher(s);
                if (!m.matches()) {
                    throw invalid(key, raw, "a duration such as 250ms, 5s, 2m, 1h, 1d or PT5S");
                }
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "ms" : m.group(2);
                switch (unit) {
                    case "ms": d = Duration.ofMillis(n); break;
                    case "s": d = Duration.ofSeconds(n); break;
                    case "m": d = Duration.ofMinutes(n); break;
                    case "h": d = Duration.ofHours(n); break;
                    default: d = Duration.ofDays(n); break;
                }
            }
            if (d.isNegative()) {
                throw invalid(key, raw, "a non-negative duration");
            }
            return d;
        } catch (ArithmeticException | java.time.format.DateTimeParseException | NumberFormatException e) {
            throw invalid(key, raw, "a duration such as 250ms, 5s, 2m, 1h, 1d or PT5S");
        }
    }

    /**
     * Returns a size in bytes, or the default when absent.
     *
     * @param key          the key
     * @param defaultValue the default
     * @return the number of bytes
     */
    public long getSizeBytes(String key, long defaultValue) {
        String raw = values.get(Objects.requireNonNull(key, "key"));
        if (raw == null) {
            return defaultValue;
        }
        Matcher m = SIZE.matcher(raw.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw invalid(key, raw, "a size such as 512, 64KiB, 16MiB or 1GiB");
        }
        try {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "b" : m.group(2);
            long mult;
            switch (unit) {
                case "b": mult = 1; break;
                case "kib": case "k": mult = 1L << 10; break;
                case "mib": case "m": mult = 1L << 20; break;
                case "gib": case "g": mult = 1L << 30; break;
                case "kb": mult = 1000L; break;
                case "mb": mult = 1000_000L; break;
                default: mult = 1000_000_000L; break;
            }
            return Math.multiplyExact(n, mult);
        } catch (ArithmeticException | NumberFormatException e) {
            throw invalid(key, raw, "a size that fits in 63 bits");
        }
    }

    /**
     * Returns an enum constant matched case-insensitively (with {@code -} read as {@code _}), or the default.
     *
     * @param key          the key
     * @param type         the enum type
     * @param defaultValue the default
     * @param <E>          the enum type
     * @return the constant
     */
    public <E extends Enum<E>> E getEnum(String key, Class<E> type, E defaultValue) {
        String raw = values.get(Objects.requireNonNull(key, "key"));
        if (raw == null) {
            return defaultValue;
        }
        String norm = raw.trim().replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(norm)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            if (allowed.length() > 0) {
                allowed.append(", ");
            }
            allowed.append(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw invalid(key, raw, "one of " + allowed);
    }

    /**
     * Refuses keys the component does not know: every key must be one of {@code known} or start with one of
     * {@code knownPrefixes} followed by a dot (a nested group such as {@code header.<Name>}). A provider calls it at
     * the start of {@code create}, so a misspelt key fails there instead of being ignored.
     *
     * @param component     what is configured, for the message (for example {@code "file-drop transport"})
     * @param known         the keys the component reads
     * @param knownPrefixes the prefixes, without the trailing dot, of key groups the component reads
     * @throws ConfigException naming every unknown key (its {@link ConfigException#key()} is the first, in key
     *                         order), for each the closest known key when one is close (by edit distance, ignoring
     *                         case), and the known keys
     */
    public void requireKnownKeys(String component, Collection<String> known, Collection<String> knownPrefixes) {
        requireKnownKeys(component, known, knownPrefixes, KeyAliases.none());
    }

    /**
     * {@link #requireKnownKeys(String, Collection, Collection)} for a component that still accepts deprecated
     * spellings of some keys: a deprecated key whose current key is known (or in a known group) is accepted too,
     * and a misspelt key is offered the current spelling even when it is closest to a deprecated one
     * ({@code maxBundleByte}: "did you mean 'max-bundle-bytes'?"). The message lists the current keys only. Follow it
     * with {@link KeyAliases#resolve(String, ComponentConfig)} to read the current keys.
     *
     * @param component     what is configured, for the message (for example {@code "http deployer"})
     * @param known         the keys the component reads, in their current spelling
     * @param knownPrefixes the prefixes, without the trailing dot, of key groups the component reads
     * @param aliases       the deprecated spellings the component still accepts
     * @throws ConfigException naming every unknown key (its {@link ConfigException#key()} is the first, in key
     *                         order), for each the closest current key when one is close, and the known keys
     */
    public void requireKnownKeys(String component, Collection<String> known, Collection<String> knownPrefixes,
            KeyAliases aliases) {
        Objects.requireNonNull(component, "component");
        Set<String> names = new TreeSet<>(Objects.requireNonNull(known, "known"));
        Set<String> prefixes = new TreeSet<>(Objects.requireNonNull(knownPrefixes, "knownPrefixes"));
        Objects.requireNonNull(aliases, "aliases");
        Map<String, String> accepted = new TreeMap<>();
        aliases.asMap().forEach((alias, current) -> {
            if (names.contains(current) || inGroup(current, prefixes)) {
                accepted.put(alias, current);
            }
        });
        List<String> unknown = new ArrayList<>();
        for (String key : values.keySet()) {
            if (!names.contains(key) && !inGroup(key, prefixes) && !accepted.containsKey(key)) {
                unknown.add(key);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        // candidate -> the key to suggest for it; current keys first, so a tie goes to a current key
        Map<String, String> candidates = new LinkedHashMap<>();
        Set<String> current = new TreeSet<>(names);
        prefixes.forEach(p -> current.add(p + "."));
        current.forEach(c -> candidates.put(c, c.endsWith(".") ? c + "<name>" : c));
        accepted.forEach(candidates::putIfAbsent);
        StringBuilder m = new StringBuilder("Unknown configuration key");
        m.append(unknown.size() == 1 ? " " : "s ");
        for (int i = 0; i < unknown.size(); i++) {
            String key = unknown.get(i);
            m.append(i == 0 ? "" : ", ").append('\'').append(key).append('\'');
            String near = closestKey(key, candidates.keySet());
            if (near != null) {
                m.append(" (did you mean '").append(candidates.get(near)).append("'?)");
            }
        }
        m.append(" for the ").append(component).append("; known keys: ");
        List<String> shown = new ArrayList<>(names);
        for (String p : prefixes) {
            shown.add(p + ".<name>");
        }
        m.append(shown.isEmpty() ? "none" : String.join(", ", shown));
        throw new ConfigException(unknown.get(0), m.toString());
    }

    /**
     * Refuses keys the component does not know; {@link #requireKnownKeys(String, Collection, Collection)} without
     * key groups.
     *
     * @param component what is configured, for the message
     * @param known     the keys the component reads
     * @throws ConfigException naming every unknown key, the closest known key for each, and the known keys
     */
    public void requireKnownKeys(String component, Collection<String> known) {
        requireKnownKeys(component, known, Set.of());
    }

    private static boolean inGroup(String key, Set<String> prefixes) {
        for (String p : prefixes) {
            if (key.length() > p.length() + 1 && key.startsWith(p) && key.charAt(p.length()) == '.') {
                return true;
            }
        }
        return false;
    }

    /**
     * The name a misspelt one most likely meant, for error messages: the candidate nearest to {@code name} by edit
     * distance, ignoring case (so {@code co2.mean} finds {@code CO2.mean}), when it is at most 2 edits away, or a
     * quarter of the name's length for longer names; ties go to the first in the collection's order. The rule
     * {@link #requireKnownKeys} suggests keys by, offered for the same kind of message elsewhere (sdk-labeling
     * names window features and channels by it).
     *
     * @param name       the name given
     * @param candidates the names there are
     * @return the nearest candidate, empty when none is near
     */
    public static Optional<String> closestName(String name, Collection<String> candidates) {
        return Optional.ofNullable(closestKey(Objects.requireNonNull(name, "name"),
                Objects.requireNonNull(candidates, "candidates")));
    }

    /**
     * The known key nearest to {@code key} by edit distance, ignoring case, or null when none is near: at most 2
     * edits, or a quarter of the key's length for longer keys. A candidate ending in a dot (a group prefix) is
     * compared with the key's part before its first dot.
     */
    static String closestKey(String key, Collection<String> candidates) {
        String best = null;
        int bestDistance = Math.max(2, key.length() / 4) + 1;
        String lower = key.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            String target = c.toLowerCase(Locale.ROOT);
            String probe = lower;
            if (target.endsWith(".")) {
                int dot = lower.indexOf('.');
                probe = (dot < 0 ? lower : lower.substring(0, dot)) + ".";
            }
            int d = distance(probe, target);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private ConfigException invalid(String key, String raw, String allowed) {
        String as = spelledAs.get(key);
        return new ConfigException(key, "Invalid value '" + raw + "' for configuration key '" + key + "'"
                + (as == null ? "" : " (set as '" + as + "')") + ": expected " + allowed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComponentConfig && ((ComponentConfig) o).values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "ComponentConfig" + values;
    }

    /**
     * Builder for {@link ComponentConfig}. Not thread-safe.
     */
    public static final class Builder {
        private final TreeMap<String, String> values = new TreeMap<>();
        private final TreeMap<String, String> spelledAs = new TreeMap<>();

        private Builder() {
        }

        /**
         * Sets a key.
         *
         * @param key   the key, not blank
         * @param value the value; its {@code toString()} is stored
         * @return this builder
         */
        public Builder put(String key, Object value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (key.isBlank()) {
                throw new IllegalArgumentException("Configuration keys must not be blank");
            }
            values.put(key, value.toString());
            spelledAs.remove(key);
            return this;
        }

        /** Records that {@code key}, just put, was set under the deprecated spelling {@code alias}. */
        Builder spelledAs(String key, String alias) {
            spelledAs.put(key, alias);
            return this;
        }

        /**
         * Removes a key if present.
         *
         * @param key the key
         * @return this builder
         */
        public Builder remove(String key) {
            values.remove(Objects.requireNonNull(key, "key"));
            spelledAs.remove(key);
            return this;
        }

        /**
         * Builds the immutable configuration.
         *
         * @return the configuration
         */
        public ComponentConfig build() {
            return values.isEmpty() ? EMPTY : new ComponentConfig(new TreeMap<>(values), new TreeMap<>(spelledAs));
        }
    }
}
