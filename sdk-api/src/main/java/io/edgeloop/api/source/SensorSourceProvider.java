package io.edgeloop.api.source;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.NamedProvider;
import io.edgeloop.api.spi.Spi;

/**
 * Creates sensor sources by name ({@code csv-replay} in sdk-buffer, {@code kafka} in sdk-transport-kafka, ...).
 * Chosen by configured name through {@link io.edgeloop.api.spi.ProviderLoader}.
 *
 * <p>Implementations must be thread-safe; {@link #create} does no blocking I/O (sources open lazily or fail
 * fast on bad configuration with {@link io.edgeloop.api.config.ConfigException}).
 */
@Spi(artifacts = "io.edgeloop:sdk-buffer (csv-replay) or io.edgeloop:sdk-transport-kafka (kafka)")
public interface SensorSourceProvider extends NamedProvider {
    /**
     * Creates a source.
     *
     * @param config the source's settings
     * @return the source
     */
    SensorSource create(ComponentConfig config);
}
