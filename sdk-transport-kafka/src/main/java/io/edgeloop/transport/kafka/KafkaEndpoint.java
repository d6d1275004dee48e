package io.edgeloop.transport.kafka;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where records go or come from: bootstrap servers and topic, parsed from a {@code kafka://} URI, plus the raw
 * Kafka client settings a user passes through.
 *
 * <p>URI form: {@code kafka://host:port[,host:port...]/topic}. Configuration keys starting with {@code kafka.}
 * are handed to the Kafka client unchanged with that prefix removed (for example
 * {@code kafka.security.protocol=SSL}); they are applied last, so they override the settings Edgeloop derives.
 *
 * <p>Thread-safe: immutable.
 */
public final class KafkaEndpoint {
    /** The configuration key holding the URI. */
    public static final String URI_KEY = "uri";
    /** The prefix of configuration keys passed to the Kafka client unchanged. */
    public static final String CLIENT_PREFIX = "kafka";

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[a-zA-Z0-9._-]+):(\\d{1,5})");

    private final List<String> servers;
    private final String topic;
    private final Map<String, String> clientOverrides;

    private KafkaEndpoint(List<String> servers, String topic, Map<String, String> clientOverrides) {
        this.servers = List.copyOf(servers);
        this.topic = topic;
        this.clientOverrides = Map.copyOf(clientOverrides);
    }

    /**
     * Reads the endpoint from a component configuration: the required {@code uri} key and any {@code kafka.*}
     * pass-through keys.
     *
     * @param config the configuration
     * @return the endpoint
     * @throws ConfigException when {@code uri} is missing or malformed
     */
    public static KafkaEndpoint from(ComponentConfig config) {
        Objects.requireNonNull(config, "config");
        KafkaEndpoint e = parse(config.requireString(URI_KEY));
        Map<String, String> overrides = new LinkedHashMap<>(config.subset(CLIENT_PREFIX).asMap());
        return new KafkaEndpoint(e.servers, e.topic, overrides);
    }

    /**
     * Parses a {@code kafka://host:port[,host:port...]/topic} URI.
     *
     * @param uri the URI
     * @return the endpoint, without client overrides
     * @throws ConfigException when the URI is malformed
     */
    public static KafkaEndpoint parse(String uri) {
        Objects.requireNonNull(uri, "uri");
        String expected = "expected kafka://host:port[,host:port...]/topic, for example kafka://127.0.0.1:9092/telemetry";
        String u = uri.trim();
        if (!u.startsWith("kafka://")) {
            throw new ConfigException(URI_KEY, "Invalid value '" + uri + "' for configuration key 'uri': " + expected);
        }
        String rest = u.substring("kafka://".length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw new ConfigException(URI_KEY, "Invalid value '" + uri + "' for configuration key 'uri': no topic; "
                    + expected);
        }
        String topic = rest.substring(slash + 1);
        if (!TOPIC.matcher(topic).matches()) {
            throw new ConfigException(URI_KEY, "Invalid topic '" + topic + "' in configuration key 'uri': Kafka topics"
                    + " are 1 to 249 characters from [a-zA-Z0-9._-]");
        }
        List<String> servers = new ArrayList<>();
        for (String hp : rest.substring(0, slash).split(",", -1)) {
            var m = HOST_PORT.matcher(hp.trim());
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
                throw new ConfigException(URI_KEY, "Invalid server '" + hp + "' in configuration key 'uri': " + expected);
            }
            servers.add(hp.trim());
        }
        return new KafkaEndpoint(servers, topic, Map.of());
    }

    /** @return the bootstrap servers as the Kafka client expects them ({@code host:port,host:port}) */
    public String bootstrapServers() {
        return String.join(",", servers);
    }

    /** @return the topic */
    public String topic() {
        return topic;
    }

    /** @return the Kafka client settings passed through from {@code kafka.*} keys, prefix removed */
    public Map<String, String> clientOverrides() {
        return clientOverrides;
    }

    /** @return the URI form of this endpoint */
    public String uri() {
        return "kafka://" + bootstrapServers() + "/" + topic;
    }

    @Override
    public String toString() {
        return uri();
    }
}
