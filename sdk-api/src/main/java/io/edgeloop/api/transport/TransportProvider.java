package io.edgeloop.api.transport;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.NamedProvider;
import io.edgeloop.api.spi.Spi;

/**
 * Creates transports by name ({@code file-drop}, {@code http}, {@code mqtt}, {@code kafka}, ...). Chosen by
 * configured name through {@link io.edgeloop.api.spi.ProviderLoader}; one forwarder uses one transport.
 *
 * <p>Implementations must be thread-safe; {@link #create} does no network I/O (transports connect lazily).
 */
@Spi(artifacts = "io.edgeloop:sdk-buffer (file-drop, http, mqtt, relay) or io.edgeloop:sdk-transport-kafka (kafka)")
public interface TransportProvider extends NamedProvider {
    /**
     * Creates a transport.
     *
     * @param config the transport's settings (endpoint, credentials, timeouts)
     * @return the transport
     * @throws io.edgeloop.api.config.ConfigException when the configuration is invalid
     */
    Transport create(ComponentConfig config);
}
