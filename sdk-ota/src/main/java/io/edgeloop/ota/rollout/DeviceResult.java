package io.edgeloop.ota.rollout;

import java.util.Objects;

/**
 * What a device reported for an update.
 *
 * <p>Thread-safe: immutable.
 *
 * @param success true when it runs the new model, confirmed
 * @param reason  the failed check or message when not
 */
public record DeviceResult(boolean success, String reason) {
    /** A success. */
    public static final DeviceResult OK = new DeviceResult(true, "");

    /**
     * @param success success
     * @param reason  reason
     */
    public DeviceResult {
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * @param reason why it failed
     * @return a failure
     */
    public static DeviceResult failed(String reason) {
        return new DeviceResult(false, reason);
    }
}
