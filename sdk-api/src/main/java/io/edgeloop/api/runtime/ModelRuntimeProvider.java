package io.edgeloop.api.runtime;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.NamedProvider;
import io.edgeloop.api.spi.Spi;

/**
 * Creates model runtimes by name ({@code edgeloop-int}). Chosen by configured name, or the single one present,
 * through {@link io.edgeloop.api.spi.ProviderLoader}.
 *
 * <p>Implementations must be thread-safe and cheap to construct.
 */
@Spi(artifacts = "io.edgeloop:sdk-quantize (edgeloop-int)")
public interface ModelRuntimeProvider extends NamedProvider {
    /**
     * @param config runtime settings
     * @return the runtime
     */
    ModelRuntime create(ComponentConfig config);
}
