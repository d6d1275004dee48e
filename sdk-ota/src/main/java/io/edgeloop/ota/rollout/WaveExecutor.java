package io.edgeloop.ota.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Delivers an update to one wave of devices and collects their reports (a deployer and status channel in
 * production, the fleet simulator in tests).
 *
 * <p>Implementations need not be thread-safe: a campaign calls them from one thread.
 */
public interface WaveExecutor {
    /**
     * Updates the devices and returns the reports received within {@code timeout}. A device without a report
     * is silent and counts as failed.
     *
     * @param wave    the devices
     * @param timeout how long to wait for reports
     * @return reports by device id
     */
    Map<String, DeviceResult> update(List<FleetDevice> wave, Duration timeout);

    /**
     * Runs the candidate in shadow on the devices and returns each one's agreement with its current model
     * (0..1). Silent devices, and devices that compared no input (a {@link io.edgeloop.ota.agent.ShadowReport} of
     * 0 samples, whose {@code agreement()} reads 1 although nothing was checked), are left out: the campaign's gate
     * averages only devices that compared something, and halts when none did.
     *
     * @param devices the devices
     * @param timeout how long to wait
     * @return agreement by device id
     */
    Map<String, Double> shadow(List<FleetDevice> devices, Duration timeout);
}
