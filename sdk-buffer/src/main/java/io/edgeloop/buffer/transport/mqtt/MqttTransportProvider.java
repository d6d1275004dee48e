package io.edgeloop.buffer.transport.mqtt;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.transport.TransportSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;

/**
 * Provider of the {@code mqtt} transport. Configuration: {@code uri} = {@code mqtt://host:port/topic/levels}
 * (required; port defaults to 1883; the path without its leading {@code /} is the topic),
 * {@code compression} ({@code none}, {@code gzip}, {@code lz4}), {@code max-batch-bytes},
 * {@code client-id} (default {@code edgeloop-} plus a random UUID), {@code username}, {@code password},
 * {@code connect-timeout} (default 10s), {@code publish-timeout} (default 30s), {@code keep-alive}
 * (default 60s; a connection idle longer than this is replaced before the next publish; an MQTT 5 broker's Server
 * Keep Alive takes its place), {@code protocol-version}
 * ({@code 5}, the default, or {@code 3.1.1}; only MQTT 5 lets the broker refuse a publish, see the transport's
 * notes: with 3.1.1 a publish the broker drops for its ACL or size limit is acknowledged all the same). Any other
 * key is refused, naming the closest known key.
 *
 * <p>Thread-safe: stateless; {@link #create} does no I/O.
 */
public final class MqttTransportProvider implements TransportProvider {
    /** Creates the provider (no I/O). */
    public MqttTransportProvider() {
    }

    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public Transport create(ComponentConfig config) {
        TransportSettings.requireKnownKeys(config, name(), Set.of("client-id", "username", "password",
                "connect-timeout", "publish-timeout", "keep-alive", "protocol-version"));
        URI uri = TransportSettings.uri(config, "mqtt", "tcp");
        int port = TransportSettings.port(uri, 1883);
        String path = uri.getPath() == null ? "" : uri.getPath();
        String topic = path.startsWith("/") ? path.substring(1) : path;
        if (topic.isEmpty() || topic.contains("+") || topic.contains("#") || uri.getRawFragment() != null
                || uri.getRawQuery() != null) {
            throw new ConfigException(TransportSettings.URI_KEY, "Invalid value '" + uri + "' for configuration key"
                    + " 'uri': expected mqtt://host:port/topic with a topic name without wildcards");
        }
        String clientId = config.getString("client-id", "edgeloop-" + UUID.randomUUID());
        if (clientId.isBlank() || clientId.length() > 65535) {
            throw new ConfigException("client-id", "Invalid value '" + clientId + "' for configuration key"
                    + " 'client-id': expected a non-blank id");
        }
        Duration keepAlive = config.getDuration("keep-alive", Duration.ofSeconds(60));
        if (keepAlive.toSeconds() < 1 || keepAlive.toSeconds() > 65535) {
            throw new ConfigException("keep-alive", "Invalid value '" + config.getString("keep-alive", "")
                    + "' for configuration key 'keep-alive': expected 1s to 65535s");
        }
        String version = config.getString("protocol-version", "5");
        int level;
        if (version.equals("5") || version.equals("5.0")) {
            level = MqttPackets.V5;
        } else if (version.equals("3.1.1")) {
            level = MqttPackets.V311;
        } else {
            throw new ConfigException("protocol-version", "Invalid value '" + version + "' for configuration key"
                    + " 'protocol-version': expected 5 or 3.1.1");
        }
        Duration connectTimeout = TransportSettings.positiveDuration(config, "connect-timeout", Duration.ofSeconds(10));
        Duration publishTimeout = TransportSettings.positiveDuration(config, "publish-timeout", Duration.ofSeconds(30));
        MqttSettings s = new MqttSettings("mqtt://" + uri.getHost() + ":" + port, topic, clientId,
                config.get("username").orElse(null), config.get("password").orElse(null),
                connectTimeout, publishTimeout, keepAlive, level);
        return new MqttTransport(s, TransportSettings.codec(config), uri.getHost(), port);
    }
}
