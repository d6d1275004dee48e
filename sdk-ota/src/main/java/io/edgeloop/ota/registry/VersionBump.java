package io.edgeloop.ota.registry;

/**
 * Which part of the semantic version a publish increments.
 *
 * <p>Thread-safe: immutable.
 */
public enum VersionBump {
    /** Incompatible change: {@code 2.0.0}. */
    MAJOR,
    /** New behaviour, same inputs and outputs: {@code 1.3.0}. */
    MINOR,
    /** Retrained on the same recipe: {@code 1.2.4}. */
    PATCH
}
