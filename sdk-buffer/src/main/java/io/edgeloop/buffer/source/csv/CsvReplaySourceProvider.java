package io.edgeloop.buffer.source.csv;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;

/**
 * The {@code csv-replay} sensor source: replays a CSV file (a sensor log, a public dataset) as
 * {@link io.edgeloop.api.record.SensorRecord}s, so that pipelines can be developed and demonstrated on real data
 * without hardware. Chosen by name through {@link io.edgeloop.api.spi.ProviderLoader}.
 *
 * <p>Settings (see {@link CsvReplaySource} for their meaning): {@code path} or {@code resource} (exactly one),
 * {@code device}, {@code stream}, {@code timestamp-column}, {@code timestamp-format}, {@code zone},
 * {@code channels}, {@code skip}, {@code limit}, {@code first-sequence}, {@code speed}, {@code on-bad-row},
 * {@code position-file}. Any other key is refused, naming the closest known key (a misspelt {@code position-file}
 * would otherwise leave the source without a position, replaying from the start after every restart).
 *
 * <p>Thread-safe and cheap: {@link #create} validates the settings and does no I/O.
 */
public final class CsvReplaySourceProvider implements SensorSourceProvider {
    /** The provider's name. */
    public static final String NAME = "csv-replay";

    /** Creates the provider; does nothing else. */
    public CsvReplaySourceProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SensorSource create(ComponentConfig config) {
        return new CsvReplaySource(CsvReplaySettings.from(config));
    }
}
