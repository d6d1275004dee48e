package io.edgeloop.ota.rollout;

import java.util.Map;

/**
 * The outcome of one wave.
 *
 * @param index       0 for the canary
 * @param devices     devices in the wave
 * @param succeeded   devices that report the new model
 * @param failed      devices that reported a failure
 * @param timedOut    devices that stayed silent (counted as failures)
 * @param byVariant   devices per variant in the wave
 * @param failureRate (failed + timedOut) / devices
 * @param decision    {@code promote}, {@code complete} or {@code halt: <reason>}
 */
public record WaveReport(int index, int devices, int succeeded, int failed, int timedOut, Map<String, Integer> byVariant,
        double failureRate, String decision) {
    /**
     * Copies the map.
     *
     * @param index       index
     * @param devices     devices
     * @param succeeded   succeeded
     * @param failed      failed
     * @param timedOut    timed out
     * @param byVariant   per variant
     * @param failureRate rate
     * @param decision    decision
     */
    public WaveReport {
        byVariant = Map.copyOf(byVariant);
    }
}
