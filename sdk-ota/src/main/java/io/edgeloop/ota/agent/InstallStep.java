package io.edgeloop.ota.agent;

/**
 * The points of an install where a crash can happen, in order. A {@link CrashInjector} may throw at any of
 * them; after a restart the agent always serves a verified model.
 *
 * <p>Thread-safe: immutable.
 */
public enum InstallStep {
    /** The bundle passed verification (in memory). */
    VERIFIED,
    /** The attempted sequence was recorded (no replay of this bundle). */
    ATTEMPT_RECORDED,
    /**
     * The inactive slot's record ({@code slot.json}) was deleted, its manifest and signatures with it: the slot is
     * invalid.
     */
    SLOT_INVALIDATED,
    /** Half of the artifact was written into the inactive slot. */
    ARTIFACT_PARTIAL,
    /** The artifact was written. */
    ARTIFACT_WRITTEN,
    /** The slot's manifest, signatures and metadata were written: the slot is valid. */
    SLOT_WRITTEN,
    /**
     * The staged artifact read back as verified: the very bytes whose golden vectors passed, or golden vectors
     * passed on what storage returned.
     */
    GOLDEN_PASSED,
    /** The boot record points at the new slot, on trial. */
    SWITCHED,
    /** The health check passed. */
    HEALTHY,
    /** The boot record marks the new slot confirmed. */
    CONFIRMED,
    /** The slot's own record marks it confirmed (a slot that never got here is never a fallback). */
    SLOT_CONFIRMED,
    /** The sequence and security epoch were committed to the counters. */
    COMMITTED
}
