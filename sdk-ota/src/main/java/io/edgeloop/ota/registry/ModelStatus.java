package io.edgeloop.ota.registry;

/**
 * The life-cycle status of a published version.
 *
 * <p>Thread-safe: immutable.
 */
public enum ModelStatus {
    /** Usable. */
    ACTIVE,
    /** Still usable, but should be replaced. */
    DEPRECATED,
    /** Withdrawn: never promoted or served again. */
    YANKED
}
