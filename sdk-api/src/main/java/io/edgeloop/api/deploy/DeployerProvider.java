package io.edgeloop.api.deploy;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.NamedProvider;
import io.edgeloop.api.spi.Spi;

/**
 * Creates deployers by name ({@code directory}, {@code http}). Chosen by configured name through
 * {@link io.edgeloop.api.spi.ProviderLoader}.
 *
 * <p>Implementations must be thread-safe; {@link #create} does no network I/O.
 */
@Spi(artifacts = "io.edgeloop:sdk-ota (directory, http)")
public interface DeployerProvider extends NamedProvider {
    /**
     * @param config the deployer's settings (root directory or server URL)
     * @return the deployer
     */
    Deployer create(ComponentConfig config);
}
