package io.edgeloop.buffer.transport.relay;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.transport.TransportSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * Provider of the {@code relay} transport, the device end of the gateway relay. Configuration: {@code uri} =
 * {@code relay://host:port} (required), {@code compression} ({@code none}, {@code gzip}, {@code lz4}),
 * {@code max-batch-bytes}, {@code connect-timeout} (default 10s), {@code ack-timeout} (default 30s: how long the
 * gateway may take to make a batch durable), {@code idle-timeout} (default 30s: a connection unused for this long
 * is closed, freeing its slot at the gateway, and reopened by the next send; keep it below the gateway's idle
 * timeout, 60 s by default). Any other key is refused, naming the closest known key.
 *
 * <p>Thread-safe: stateless; {@link #create} does no I/O.
 */
public final class RelayTransportProvider implements TransportProvider {
    /** Creates the provider (no I/O). */
    public RelayTransportProvider() {
    }

    @Override
    public String name() {
        return "relay";
    }

    @Override
    public Transport create(ComponentConfig config) {
        TransportSettings.requireKnownKeys(config, name(), Set.of("connect-timeout", "ack-timeout", "idle-timeout"));
        URI uri = TransportSettings.uri(config, "relay");
        if (uri.getPort() < 0) {
            throw new ConfigException(TransportSettings.URI_KEY, "Invalid value '" + uri
                    + "' for configuration key 'uri': expected relay://host:port with a port");
        }
        int port = TransportSettings.port(uri, -1);
        Duration connect = TransportSettings.positiveDuration(config, "connect-timeout", Duration.ofSeconds(10));
        Duration ack = TransportSettings.positiveDuration(config, "ack-timeout", Duration.ofSeconds(30));
        Duration idle = TransportSettings.positiveDuration(config, "idle-timeout", Duration.ofSeconds(30));
        return new RelayTransport(uri.getHost(), port, TransportSettings.codec(config), connect, ack, idle);
    }
}
