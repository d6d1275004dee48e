package io.edgeloop.buffer.source.csv;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.tck.SensorSourceContractTest;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sdk-tck source contract, against the UCI occupancy test file (2665 rows). Each configuration has its own position file, so
 * a restarted source resumes after what was committed (without one, csv-replay starts at the beginning by design).
 */
class CsvReplaySourceContractTest extends SensorSourceContractTest {
    private static final AtomicInteger POSITIONS = new AtomicInteger();
    @TempDir
    Path dir;

    @Override
    protected SensorSourceProvider provider() {
        return new CsvReplaySourceProvider();
    }

    @Override
    protected ComponentConfig config() {
        return ComponentConfig.of(Map.of("path", OccupancyData.file("datatest.txt").toString(),
                "device", "office-1", "position-file",
                dir.resolve("position-" + POSITIONS.incrementAndGet() + ".properties").toString()));
    }

    @Override
    protected ComponentConfig brokenPositionConfig() {
        // a directory where the position file should be: it can be neither read nor written
        return ComponentConfig.of(Map.of("path", OccupancyData.file("datatest.txt").toString(),
                "device", "office-1", "position-file", dir.toString()));
    }

    @Override
    protected int minimumRecords() {
        return 2665;
    }
}
