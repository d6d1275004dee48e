package io.edgeloop.api.record;

/**
 * Data-quality conditions a sensor source attaches to a record. Windows carrying any of them are marked,
 * never silently averaged. A flag's ordinal is its bit in {@link SensorRecordCodec}'s format, so flags are only
 * ever appended; a reader that meets a bit it does not know refuses the record.
 *
 * <p>Thread-safe: an enum of constants.
 */
public enum QualityFlag {
    /** One or more channel values are missing (stored as NaN). */
    MISSING,
    /** A channel reached its measurement limit. */
    SATURATED,
    /** The sensor or channel reported itself offline. */
    OFFLINE,
    /** A value is outside the sensor's physical range. */
    OUT_OF_RANGE,
    /** A value was interpolated by the source rather than measured. */
    INTERPOLATED
}
