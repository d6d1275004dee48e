package io.edgeloop.ota.rollout;

import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of one wave.
 *
 * <p>Thread-safe: immutable.
 *
 * @param index             0 for the canary (a 0-based index, as in JSON; texts for people, such as a halt reason or
 *                          the CLI's lines, number waves from 1: "wave 1" is the canary)
 * @param devices           devices in the wave
 * @param succeeded         devices that report the new model
 * @param failed            devices that reported a failure
 * @param timedOut          devices that stayed silent (counted as failures)
 * @param byVariant         devices per variant in the wave
 * @param failureRate       (failed + timedOut) / devices
 * @param decision          {@code promote}, {@code complete}, {@code aborted} (the campaign was aborted while the
 *                          wave ran) or {@code halt: <reason>} (the reason names the wave as "wave" and {@code index + 1})
 * @param outcomesByVariant succeeded, failed and silent devices per variant (empty when built with the
 *                          eight-argument constructor)
 */
public record WaveReport(int index, int devices, int succeeded, int failed, int timedOut, Map<String, Integer> byVariant,
        double failureRate, String decision, Map<String, VariantOutcome> outcomesByVariant) {
    /**
     * Copies the maps.
     *
     * @param index             index
     * @param devices           devices
     * @param succeeded         succeeded
     * @param failed            failed
     * @param timedOut          timed out
     * @param byVariant         per variant
     * @param failureRate       rate
     * @param decision          decision
     * @param outcomesByVariant per-variant outcomes
     */
    public WaveReport {
        byVariant = Map.copyOf(byVariant);
        outcomesByVariant = java.util.Collections.unmodifiableMap(new TreeMap<>(outcomesByVariant));
    }

    /**
     * A report without per-variant outcomes (the form before they were recorded).
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
    public WaveReport(int index, int devices, int succeeded, int failed, int timedOut, Map<String, Integer> byVariant,
            double failureRate, String decision) {
        this(index, devices, succeeded, failed, timedOut, byVariant, failureRate, decision, Map.of());
    }
}
