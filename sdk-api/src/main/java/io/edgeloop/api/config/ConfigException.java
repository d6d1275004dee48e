package io.edgeloop.api.config;

/**
 * A configuration value is missing or invalid. The message names the key, the value given and what is allowed.
 *
 * <p>Unchecked: a bad configuration is a programming or deployment error, not an environmental condition.
 * Instances are immutable and therefore thread-safe.
 */
public class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * Creates an exception for the given key.
     *
     * @param key     the configuration key at fault
     * @param message a message naming the key, the value and what is allowed
     */
    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /**
     * Returns the configuration key at fault.
     *
     * @return the key
     */
    public String key() {
        return key;
    }
}
