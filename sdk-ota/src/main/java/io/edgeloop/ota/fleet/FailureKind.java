package io.edgeloop.ota.fleet;

/**
 * Failures the simulator injects, each into an equal share of the failing devices.
 *
 * <p>Thread-safe: immutable.
 */
public enum FailureKind {
    /** Power cut at a random install step, then a reboot. */
    CRASH_MID_INSTALL,
    /** One byte of the downloaded bundle flipped. */
    CORRUPT_DOWNLOAD,
    /** The device's runtime has a 16-bit accumulator bug: the new model fails its golden vectors there. */
    GOLDEN_MISMATCH,
    /** The device never answers. */
    SILENT
}
