package io.edgeloop.ota.rollout;

/**
 * How one hardware variant's devices fared in one wave. The campaign applies its thresholds to each variant as
 * well as to the whole wave, so that a variant too small to move the wave's rate (a broken per-variant artifact)
 * still halts the rollout.
 *
 * <p>Thread-safe: immutable.
 *
 * @param devices   the variant's devices in the wave
 * @param succeeded devices that report the new model
 * @param failed    devices that reported a failure
 * @param silent    devices that did not answer in time (counted as failures)
 */
public record VariantOutcome(int devices, int succeeded, int failed, int silent) {
    /**
     * Checks the counts.
     *
     * @param devices   devices
     * @param succeeded succeeded
     * @param failed    failed
     * @param silent    silent
     * @throws IllegalArgumentException when a count is negative or they do not add up to {@code devices}
     */
    public VariantOutcome {
        if (succeeded < 0 || failed < 0 || silent < 0 || succeeded + failed + silent != devices) {
            throw new IllegalArgumentException("variant counts must be non-negative and add up to devices: " + devices
                    + " devices, " + succeeded + " succeeded, " + failed + " failed, " + silent + " silent");
        }
    }

    /** @return (failed + silent) / devices; 0 for no devices */
    public double failureRate() {
        return devices == 0 ? 0 : (double) (failed + silent) / devices;
    }

    /** @return succeeded / devices; 1 for no devices */
    public double successRate() {
        return devices == 0 ? 1 : (double) succeeded / devices;
    }
}
