package io.edgeloop.ota.agent;

/**
 * How an install attempt ended.
 *
 * <p>Thread-safe: immutable.
 */
public enum InstallOutcome {
    /** The new model is active and confirmed. */
    INSTALLED,
    /** Nothing newer was available. */
    NO_UPDATE,
    /** The bundle was refused before the switch; the device kept its model. */
    REFUSED,
    /** The new model failed its health check after the switch and the device went back to its model. */
    ROLLED_BACK
}
