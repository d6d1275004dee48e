package io.edgeloop.examples.demo;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of one {@code edgeloop demo} run. Thread-safe: immutable.
 *
 * @param out     the output directory (report, summary, buffers, bundles)
 * @param devices simulated devices, at least 3 (one per hardware variant)
 * @param seed    the seed of every random choice (outages, power loss, expert queries, training)
 * @param mqtt    a broker {@code host:port} to forward through instead of HTTP, when given
 */
public record DemoOptions(Path out, int devices, long seed, Optional<String> mqtt) {
    /** The default output directory. */
    public static final String DEFAULT_OUT = "edgeloop-demo";
    /** The default fleet size. */
    public static final int DEFAULT_DEVICES = 12;
    /** The largest fleet the demo simulates. */
    public static final int MAX_DEVICES = 500;

    /**
     * Validates the settings.
     *
     * @param out     the output directory
     * @param devices the number of devices
     * @param seed    the seed
     * @param mqtt    the broker, if any
     */
    public DemoOptions {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(mqtt, "mqtt");
        if (devices < 3 || devices > MAX_DEVICES) {
            throw new IllegalArgumentException("--devices must be between 3 (one per hardware variant: avr8, "
                    + "cortex-m3, jvm) and " + MAX_DEVICES + ", got " + devices);
        }
        if (mqtt.isPresent() && !mqtt.get().matches("[^:\\s]+:\\d{1,5}")) {
            throw new IllegalArgumentException("--mqtt must be HOST:PORT, for example 127.0.0.1:1883, got '"
                    + mqtt.get() + "'");
        }
    }
}
