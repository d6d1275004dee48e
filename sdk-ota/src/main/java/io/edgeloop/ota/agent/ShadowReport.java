package io.edgeloop.ota.agent;

/**
 * How often a candidate model, run in shadow, agreed with the active model (same arg-max output).
 *
 * @param samples   inputs compared
 * @param agreeing  inputs on which both models picked the same output
 */
public record ShadowReport(int samples, int agreeing) {
    /** @return agreeing / samples, 1 when there were no samples */
    public double agreement() {
        return samples == 0 ? 1.0 : (double) agreeing / samples;
    }
}
