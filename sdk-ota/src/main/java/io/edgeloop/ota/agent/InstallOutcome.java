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
    /**
     * After the switch, the new model failed its health check, or a trust root rotated in during that check does
     * not accept it (the report's check says which, e.g. {@code revoked-key}); the device went back to its model.
     */
    ROLLED_BACK,
    /**
     * The device's storage failed before the switch (a full disk, an I/O error): the device kept its model, the
     * attempt is not counted (the same sequence may be installed once storage works), and the install threw the
     * {@link java.io.IOException} after reporting this outcome to the listener.
     */
    FAILED
}
