package io.edgeloop.api.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deprecated spellings of a component's configuration keys, each mapped to the one current spelling, so a key
 * can be renamed (to the dotted lower-kebab convention of {@link ComponentConfig}) without breaking the files and
 * code that still use the old one.
 *
 * <p>A provider declares its aliases once and uses them twice in {@code create}:
 * <pre>{@code
 * static final KeyAliases ALIASES = KeyAliases.of(Map.of("maxBundleBytes", "max-bundle-bytes"));
 *
 * config.requireKnownKeys("directory deployer", Set.of("root", "max-bundle-bytes"), Set.of(), ALIASES);
 * ComponentConfig c = ALIASES.resolve("directory deployer", config);   // reads only current keys from here on
 * }</pre>
 * {@link ComponentConfig#requireKnownKeys(String, java.util.Collection, java.util.Collection, KeyAliases)} accepts
 * an alias of a known key and suggests current keys only; {@link #resolve(String, ComponentConfig)} returns the
 * configuration with every alias renamed to its current key, refuses a configuration that sets two spellings of one
 * key to different values, and logs one WARN naming each deprecated key used and its current spelling.
 *
 * <p>Thread-safe: instances are immutable; {@code resolve} keeps no state of its own.
 */
public final class KeyAliases {
    private static final Logger LOG = LoggerFactory.getLogger(KeyAliases.class);
    /** Dotted lower-kebab: {@code group-commit.max-delay}. */
    private static final Pattern LOWER_KEBAB = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)*");
    private static final KeyAliases NONE = new KeyAliases(new TreeMap<>());

    private final Map<String, String> currentByAlias;

    private KeyAliases(TreeMap<String, String> currentByAlias) {
        this.currentByAlias = Collections.unmodifiableMap(currentByAlias);
    }

    /**
     * Returns the aliases of a component without deprecated keys.
     *
     * @return no aliases
     */
    public static KeyAliases none() {
        return NONE;
    }

    /**
     * Returns the given aliases.
     *
     * @param currentByAlias each deprecated key mapped to its current key; a current key must be dotted lower-kebab
     *                       ({@code max-bundle-bytes}) and must not itself be a deprecated key
     * @return the aliases
     * @throws IllegalArgumentException when a key is blank, a current key is not dotted lower-kebab, an alias
     *                                  equals its current key, or a current key is also an alias
     */
    public static KeyAliases of(Map<String, String> currentByAlias) {
        Objects.requireNonNull(currentByAlias, "currentByAlias");
        TreeMap<String, String> m = new TreeMap<>();
        currentByAlias.forEach((alias, current) -> {
            Objects.requireNonNull(alias, "alias");
            Objects.requireNonNull(current, "current key of '" + alias + "'");
            if (alias.isBlank()) {
                throw new IllegalArgumentException("A deprecated configuration key must not be blank");
            }
            if (!LOWER_KEBAB.matcher(current).matches()) {
                throw new IllegalArgumentException("The current spelling '" + current + "' of the deprecated"
                        + " configuration key '" + alias + "' is not dotted lower-kebab (such as max-bundle-bytes)");
            }
            if (alias.equals(current)) {
                throw new IllegalArgumentException("The configuration key '" + alias + "' cannot be an alias of"
                        + " itself");
            }
            m.put(alias, current);
        });
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (m.containsKey(e.getValue())) {
                throw new IllegalArgumentException("The deprecated configuration key '" + e.getKey() + "' names '"
                        + e.getValue() + "', itself deprecated; map it to the current key");
            }
        }
        return m.isEmpty() ? NONE : new KeyAliases(m);
    }

    /**
     * Returns the aliases, each deprecated key mapped to its current key, sorted by deprecated key.
     *
     * @return an unmodifiable map
     */
    public Map<String, String> asMap() {
        return currentByAlias;
    }

    /**
     * Returns the current spelling of a deprecated key.
     *
     * @param key a key
     * @return its current spelling, empty when the key is not a deprecated one
     */
    public Optional<String> currentKey(String key) {
        return Optional.ofNullable(currentByAlias.get(Objects.requireNonNull(key, "key")));
    }

    /**
     * Returns the configuration with every deprecated key renamed to its current key, and logs one WARN, naming each
     * deprecated key found and its current spelling, when there is one. Call it once per component created, so a
     * component logs one WARN.
     *
     * @param component what is configured, for the messages (for example {@code "http deployer"})
     * @param config    the configuration as given
     * @return the configuration with current keys only; {@code config} itself when it has no deprecated key. Its
     *         typed getters' value errors for a key set only under a deprecated spelling name that spelling too
     *         ({@code ... key 'max-bundle-bytes' (set as 'maxBundleBytes') ...})
     * @throws ConfigException when a deprecated key and its current key, or two deprecated keys of one current
     *                         key, are both set, to different text; its {@link ConfigException#key()} is the current
     *                         key and the message names both keys (not the values, which may be secrets)
     */
    public ComponentConfig resolve(String component, ComponentConfig config) {
        return resolve(component, config, new AtomicBoolean());
    }

    /**
     * {@link #resolve(String, ComponentConfig)} for a component that reads several configurations (a quantizer's
     * provider configuration and each request's options): the WARN is logged only when {@code warned} is false,
     * which it then becomes, so one flag per component instance gives one WARN per instance.
     *
     * @param component what is configured, for the messages
     * @param config    the configuration as given
     * @param warned    whether this component has already warned; set when this call warns
     * @return the configuration with current keys only; {@code config} itself when it has no deprecated key
     * @throws ConfigException when a deprecated key and its current key, or two deprecated keys of one current
     *                         key, are both set, to different text
     */
    public ComponentConfig resolve(String component, ComponentConfig config, AtomicBoolean warned) {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(warned, "warned");
        List<String> used = new ArrayList<>();
        // the deprecated key each current key was first set under: two old spellings of one key may disagree too
        Map<String, String> setAs = new TreeMap<>();
        ComponentConfig.Builder b = null;
        for (Map.Entry<String, String> e : config.asMap().entrySet()) {
            String current = currentByAlias.get(e.getKey());
            if (current == null) {
                continue;
            }
            Optional<String> both = config.get(current);
            if (both.isPresent() && !both.get().equals(e.getValue())) {
                throw new ConfigException(current, "Configuration keys '" + current + "' and '" + e.getKey()
                        + "' (its deprecated spelling) are both set, to different values, for the " + component
                        + "; set only '" + current + "'");
            }
            String earlier = setAs.putIfAbsent(current, e.getKey());
            if (earlier != null && !config.get(earlier).orElseThrow().equals(e.getValue())) {
                throw new ConfigException(current, "Configuration keys '" + earlier + "' and '" + e.getKey()
                        + "' (both deprecated spellings of '" + current + "') are both set, to different values, for "
                        + "the " + component + "; set only '" + current + "'");
            }
            b = b == null ? config.toBuilder() : b;
            b.remove(e.getKey()).put(current, e.getValue());
            if (both.isEmpty()) {
                b.spelledAs(current, setAs.get(current));
            }
            used.add("'" + e.getKey() + "' (now '" + current + "')");
        }
        if (b == null) {
            return config;
        }
        if (warned.compareAndSet(false, true)) {
            LOG.warn("The {} is configured with deprecated key{} {}: configuration keys are dotted lower-kebab;"
                    + " the old spelling still works for now", component, used.size() == 1 ? "" : "s",
                    String.join(", ", used));
        }
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyAliases && ((KeyAliases) o).currentByAlias.equals(currentByAlias);
    }

    @Override
    public int hashCode() {
        return currentByAlias.hashCode();
    }

    @Override
    public String toString() {
        return "KeyAliases" + currentByAlias;
    }
}
