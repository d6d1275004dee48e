package io.edgeloop.ota.rollout;

import io.edgeloop.api.target.TargetProfile;
import java.util.Objects;

/**
 * A device as a rollout sees it: its id, its target profile id and its hardware variant. The device agent picks the
 * bundle's artifact by (target, hardware variant), so a rollout stratifies its waves, checks the bundle's artifacts
 * and applies per-variant thresholds by that pair (see {@link Campaign}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param id              the device id
 * @param variant         its target profile id ({@code avr8}, {@code cortex-m3}, {@code jvm})
 * @param hardwareVariant its target profile's hardware variant ({@code mps2-an385}, {@code stm32f103}); empty when
 *                        unknown (then the device is grouped by its target id alone, and any artifact for its
 *                        target counts as its artifact)
 */
public record FleetDevice(String id, String variant, String hardwareVariant) {
    /**
     * @param id              the id
     * @param variant         the target profile id
     * @param hardwareVariant the hardware variant, or empty when unknown
     */
    public FleetDevice {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(hardwareVariant, "hardwareVariant");
    }

    /**
     * A device whose hardware variant is not known: grouped by its target id alone.
     *
     * @param id      the id
     * @param variant the target profile id
     */
    public FleetDevice(String id, String variant) {
        this(id, variant, "");
    }

    /**
     * @param id      the device id
     * @param profile its target profile
     * @return the device with the profile's id and hardware variant
     */
    public static FleetDevice of(String id, TargetProfile profile) {
        return new FleetDevice(id, profile.id(), profile.hardwareVariant());
    }

    /** @return {@code target/hardwareVariant}, or the target id when the hardware variant is unknown */
    public String targetAndHardware() {
        return hardwareVariant.isEmpty() ? variant : variant + "/" + hardwareVariant;
    }
}
