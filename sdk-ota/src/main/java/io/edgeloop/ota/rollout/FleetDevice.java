package io.edgeloop.ota.rollout;

import java.util.Objects;

/**
 * A device as a rollout sees it.
 *
 * @param id      the device id
 * @param variant its target profile id ({@code avr8}, {@code cortex-m3}, {@code jvm}); the device agent picks
 *                the bundle's artifact for it
 */
public record FleetDevice(String id, String variant) {
    /**
     * @param id      the id
     * @param variant the variant
     */
    public FleetDevice {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(variant, "variant");
    }
}
