package io.edgeloop.ota.registry;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.NamedProvider;
import io.edgeloop.api.spi.Spi;

/**
 * Creates model registries by name ({@code filesystem}); chosen by configured name through
 * {@link io.edgeloop.api.spi.ProviderLoader}.
 *
 * <p>Implementations must be thread-safe; {@link #create} does no I/O.
 */
@Spi(artifacts = "io.edgeloop:sdk-ota (filesystem)")
public interface ModelRegistryProvider extends NamedProvider {
    /**
     * @param config registry settings ({@code root} for {@code filesystem})
     * @return the registry
     */
    ModelRegistry create(ComponentConfig config);
}
