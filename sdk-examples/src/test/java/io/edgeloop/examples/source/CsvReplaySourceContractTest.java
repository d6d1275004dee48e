package io.edgeloop.examples.source;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.tck.SensorSourceContractTest;
import java.util.Map;

/** The sdk-tck source contract, against the shipped occupancy data. */
class CsvReplaySourceContractTest extends SensorSourceContractTest {
    @Override
    protected SensorSourceProvider provider() {
        return new CsvReplaySourceProvider();
    }

    @Override
    protected ComponentConfig config() {
        return ComponentConfig.of(Map.of("resource", "io/edgeloop/examples/data/occupancy/datatest.txt",
                "device", "office-1"));
    }

    @Override
    protected int minimumRecords() {
        return 2665;
    }
}
