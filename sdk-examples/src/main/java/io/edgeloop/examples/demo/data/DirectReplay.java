package io.edgeloop.examples.demo.data;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.examples.demo.DemoConsole;
import io.edgeloop.examples.demo.fleet.FleetPlan;
import io.edgeloop.examples.demo.label.OccupancyGold;
import io.edgeloop.examples.demo.label.OccupancyWindows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays each device's slice of the occupancy data through the {@code csv-replay} {@link SensorSourceProvider}:
 * the device side of step 1, shared by every data path.
 *
 * <p>Thread-safe: stateless.
 */
public final class DirectReplay {
    private DirectReplay() {
    }

    /**
     * Opens the source of one device.
     *
     * @param d the device
     * @return the source (the caller closes it)
     */
    public static SensorSource open(FleetPlan.Device d) {
        return open(d, 0);
    }

    /**
     * Opens the source of one device, resuming after the rows it already buffered.
     *
     * @param d    the device
     * @param done rows of its slice already replayed, less than the slice
     * @return the source (the caller closes it)
     */
    public static SensorSource open(FleetPlan.Device d, long done) {
        SensorSourceProvider csv = ProviderLoader.of(SensorSourceProvider.class).select("csv-replay");
        return csv.create(ComponentConfig.builder().put("resource", OccupancyGold.DATA + "datatraining.txt")
                .put("device", d.id()).put("stream", "env").put("channels", String.join(",",
                        OccupancyWindows.CHANNELS)).put("skip", d.skip() + done).put("limit", d.rows() - done)
                .put("first-sequence", done + 1).build());
    }

    /**
     * Reads every device's slice completely.
     *
     * @param plan    the fleet
     * @param console progress
     * @return the records, device by device
     * @throws Exception when a source fails
     */
    public static List<SensorRecord> readAll(FleetPlan plan, DemoConsole console) throws Exception {
        List<SensorRecord> out = new ArrayList<>();
        int done = 0;
        for (FleetPlan.Device d : plan.devices()) {
            try (SensorSource s = open(d)) {
                while (!s.isExhausted()) {
                    out.addAll(s.poll(1024, Duration.ZERO));
                }
            }
            console.progress("replaying devices", ++done, plan.devices().size());
        }
        return out;
    }
}
