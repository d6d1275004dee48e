package io.edgeloop.examples.demo.label;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.api.source.SourceException;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.window.Window;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The recorded occupancy of the UCI data (from time-stamped photographs, per the paper), looked up by timestamp:
 * what the simulated expert answers and what accuracies are measured against. The devices never send it.
 *
 * <p>Thread-safe: immutable after loading.
 */
public final class OccupancyGold {
    /** Class-path directory of the shipped data. */
    public static final String DATA = "io/edgeloop/examples/data/occupancy/";

    private final Map<Long, Integer> byTimestamp;

    private OccupancyGold(Map<Long, Integer> byTimestamp) {
        this.byTimestamp = byTimestamp;
    }

    /**
     * Loads the occupancy column of shipped data files.
     *
     * @param files file names under {@link #DATA}
     * @return the lookup
     * @throws SourceException when a file cannot be read
     */
    public static OccupancyGold load(String... files) throws SourceException {
        Map<Long, Integer> m = new HashMap<>();
        SensorSourceProvider csv = ProviderLoader.of(SensorSourceProvider.class).select("csv-replay");
        for (String f : files) {
            try (SensorSource s = csv.create(ComponentConfig.builder()
                    .put("resource", DATA + f).put("channels", "Occupancy").build())) {
                while (!s.isExhausted()) {
                    for (SensorRecord r : s.poll(4096, Duration.ZERO)) {
                        m.put(r.timestampMillis(), (int) r.value("Occupancy"));
                    }
                }
            }
        }
        return new OccupancyGold(m);
    }

    /**
     * The recorded occupancy of a window: the majority over its samples.
     *
     * @param w the window
     * @return 1 occupied, 0 empty
     * @throws IllegalArgumentException when a sample's timestamp is not in the data
     */
    public int label(Window w) {
        int occupied = 0;
        for (int i = 0; i < w.size(); i++) {
            Integer v = byTimestamp.get(w.timestamp(i));
            if (v == null) {
                throw new IllegalArgumentException("No recorded occupancy at " + w.timestamp(i) + " for " + w);
            }
            occupied += v;
        }
        return 2 * occupied > w.size() ? 1 : 0;
    }
}
