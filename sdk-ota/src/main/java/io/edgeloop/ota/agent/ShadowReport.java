package io.edgeloop.ota.agent;

/**
 * How often a candidate model, run in shadow, agreed with the active model: both decided the same class
 * ({@link io.edgeloop.api.runtime.IntegerModel#predictClass}; by sign for one-output models).
 *
 * <p>Thread-safe: immutable.
 *
 * @param samples   inputs compared
 * @param agreeing  inputs on which both models decided the same class
 */
public record ShadowReport(int samples, int agreeing) {
    /** @return agreeing / samples, 1 when there were no samples */
    public double agreement() {
        return samples == 0 ? 1.0 : (double) agreeing / samples;
    }
}
