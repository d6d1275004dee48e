// Copied from the reviewer's third-party project (/tmp/rev-api/lora, review of 2026-11-30): a deliberately
// breakable implementation whose `fault` switch turns on one known defect, so the kit's own tests can prove that
// each contract test fails for it.
package io.edgeloop.tck.lora;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;

/** Factory for the counter source. Thread-safe: stateless. */
public final class CounterSourceProvider implements SensorSourceProvider {
    @Override public String name() { return "counter"; }
    @Override public SensorSource create(ComponentConfig config) {
        config.requireKnownKeys(name() + " source", java.util.Set.of("count", "position-file", "fault"));
        return new CounterSource(config);
    }

    /**
     * Stops the threads and closes the files the leak-thread and leak-file faults left behind.
     *
     * @throws java.io.IOException when a file cannot be closed
     */
    public static void releaseLeaks() throws java.io.IOException { CounterSource.releaseLeaks(); }
}
