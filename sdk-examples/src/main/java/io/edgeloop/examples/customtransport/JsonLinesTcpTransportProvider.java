package io.edgeloop.examples.customtransport;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;
import java.time.Duration;
import java.util.Set;

/**
 * Example of a custom transport a team would write: the {@code json-lines-tcp} transport sends envelopes as JSON
 * lines over a plain TCP connection and counts a batch as delivered when the receiver answers with an
 * {@code ack} line (after it stored the batch). Registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/io.edgeloop.api.transport.TransportProvider}, so
 * {@code ProviderLoader.of(TransportProvider.class).select("json-lines-tcp")} finds it.
 *
 * <p>Settings: {@code host} (default {@code 127.0.0.1}), {@code port} (required), {@code timeout} (connect and
 * acknowledgement timeout, default {@code 10s}). Any other key is refused, naming the closest known key
 * ({@link ComponentConfig#requireKnownKeys}), as the built-in transports do.
 *
 * <p>Thread-safe and cheap: {@link #create} validates settings and opens no connection.
 */
public final class JsonLinesTcpTransportProvider implements TransportProvider {
    /** The provider's name. */
    public static final String NAME = "json-lines-tcp";

    /** Creates the provider; does nothing else. */
    public JsonLinesTcpTransportProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Transport create(ComponentConfig config) {
        config.requireKnownKeys(NAME + " transport", Set.of("host", "port", "timeout"));
        String host = config.getString("host", "127.0.0.1");
        int port = config.getInt("port", -1, 1, 65535);
        if (port < 0) {
            config.requireString("port");
        }
        Duration timeout = config.getDuration("timeout", Duration.ofSeconds(10));
        return new JsonLinesTcpTransport(host, port, timeout);
    }
}
