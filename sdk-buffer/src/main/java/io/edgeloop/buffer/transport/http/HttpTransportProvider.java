package io.edgeloop.buffer.transport.http;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.transport.TransportSettings;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Provider of the {@code http} transport. Configuration: {@code uri} = {@code http://host:port/path} or
 * {@code https://...} (required), {@code compression} ({@code none}, {@code gzip}, {@code lz4}),
 * {@code max-batch-bytes}, {@code connect-timeout} (default 10s), {@code request-timeout} (default 30s),
 * {@code header.<Name>} = value for extra request headers (for example {@code header.Authorization}). Any other
 * key is refused, naming the closest known key.
 *
 * <p>Thread-safe: stateless; {@link #create} does no I/O.
 */
public final class HttpTransportProvider implements TransportProvider {
    /** Creates the provider (no I/O). */
    public HttpTransportProvider() {
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public Transport create(ComponentConfig config) {
        TransportSettings.requireKnownKeys(config, name(), Set.of("connect-timeout", "request-timeout"), "header");
        URI uri = TransportSettings.uri(config, "http", "https");
        TransportSettings.port(uri, "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
        Duration connect = TransportSettings.positiveDuration(config, "connect-timeout", Duration.ofSeconds(10));
        Duration request = TransportSettings.positiveDuration(config, "request-timeout", Duration.ofSeconds(30));
        Map<String, String> headers = new LinkedHashMap<>(config.subset("header").asMap());
        // Let the JDK reject restricted or malformed headers now, as a configuration error, not at the first send.
        HttpRequest.Builder probe = HttpRequest.newBuilder(uri);
        headers.forEach((name, value) -> {
            try {
                probe.header(name, value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("header." + name, "Invalid configuration key 'header." + name + "': "
                        + e.getMessage() + " (Host, Content-Length and similar headers are set by the client)");
            }
        });
        return new HttpTransport(uri, TransportSettings.codec(config), connect, request, headers, Clock.systemUTC());
    }
}
