package io.edgeloop.buffer.transport;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.Compression;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses the configuration keys every Edgeloop transport shares: {@code uri} (required),
 * {@code compression} ({@code none}, {@code gzip}, {@code lz4}; default {@code none}) and
 * {@code max-batch-bytes} (default 64 MiB). A transport refuses any other key it does not read
 * ({@link #requireKnownKeys}).
 *
 * <p>Thread-safe: stateless.
 */
public final class TransportSettings {
    /** The key of the endpoint URI. */
    public static final String URI_KEY = "uri";
    /** The key of the batch compression. */
    public static final String COMPRESSION_KEY = "compression";
    /** The key of the batch size limit. */
    public static final String MAX_BATCH_BYTES_KEY = "max-batch-bytes";

    /** The keys every transport reads: {@link #URI_KEY}, {@link #COMPRESSION_KEY}, {@link #MAX_BATCH_BYTES_KEY}. */
    public static final Set<String> SHARED_KEYS = Set.of(URI_KEY, COMPRESSION_KEY, MAX_BATCH_BYTES_KEY);

    private TransportSettings() {
    }

    /**
     * Refuses keys the transport does not read, so a misspelt key ({@code fsycn}) is an error naming the closest
     * known key instead of a setting silently left at its default.
     *
     * @param config    the configuration
     * @param transport the transport's provider name, for the message
     * @param ownKeys   the transport's keys besides {@link #SHARED_KEYS}
     * @param prefixes  the prefixes (without the dot) of key groups the transport reads, such as {@code header}
     * @throws ConfigException naming every unknown key and the closest known key for each
     */
    public static void requireKnownKeys(ComponentConfig config, String transport, Collection<String> ownKeys,
            String... prefixes) {
        Set<String> known = new TreeSet<>(SHARED_KEYS);
        known.addAll(ownKeys);
        config.requireKnownKeys(transport + " transport", known, List.of(prefixes));
    }

    /**
     * Reads {@code uri} and checks its scheme.
     *
     * @param config  the configuration
     * @param schemes the accepted schemes, lower case
     * @return the URI
     * @throws ConfigException when absent, malformed or of another scheme
     */
    public static URI uri(ComponentConfig config, String... schemes) {
        String raw = config.requireString(URI_KEY);
        URI uri;
        try {
            uri = new URI(raw.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(URI_KEY, "Invalid value '" + raw + "' for configuration key 'uri': "
                    + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        for (String s : schemes) {
            if (s.equals(scheme)) {
                return uri;
            }
        }
        throw new ConfigException(URI_KEY, "Invalid value '" + raw + "' for configuration key 'uri': expected a "
                + String.join(" or ", schemes) + " URI");
    }

    /**
     * Reads {@code host:port} from a URI that must name both.
     *
     * @param uri         the URI
     * @param defaultPort the port when the URI names none, or -1 when one is required
     * @return the port
     */
    public static int port(URI uri, int defaultPort) {
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new ConfigException(URI_KEY, "Invalid value '" + uri + "' for configuration key 'uri': no host");
        }
        int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new ConfigException(URI_KEY, "Invalid value '" + uri + "' for configuration key 'uri': expected a"
                    + " port between 1 and 65535");
        }
        return port;
    }

    /**
     * Reads a timeout that must be positive, so a zero or negative value is a configuration error naming the key
     * rather than a failure at the first send.
     *
     * @param config       the configuration
     * @param key          the key
     * @param defaultValue the value when the key is absent
     * @return the duration, at least one millisecond
     * @throws ConfigException when the value is not a duration of at least 1ms
     */
    public static Duration positiveDuration(ComponentConfig config, String key, Duration defaultValue) {
        Duration d = config.getDuration(key, defaultValue);
        if (d.toMillis() < 1) {
            throw new ConfigException(key, "Invalid value '" + config.getString(key, "") + "' for configuration key '"
                    + key + "': expected a positive duration such as 500ms, 10s or 2m");
        }
        return d;
    }

    /**
     * Builds the batch codec from {@code compression} and {@code max-batch-bytes}.
     *
     * @param config the configuration
     * @return the codec
     */
    public static BatchCodec codec(ComponentConfig config) {
        Compression c;
        try {
            c = Compression.parse(config.getString(COMPRESSION_KEY, "none"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(COMPRESSION_KEY, "Invalid value '" + config.getString(COMPRESSION_KEY, "")
                    + "' for configuration key 'compression': expected one of none, gzip, lz4");
        }
        long max = config.getSizeBytes(MAX_BATCH_BYTES_KEY, BatchCodec.DEFAULT_MAX_BATCH_BYTES);
        if (max < 1024 || max > Integer.MAX_VALUE - 64) {
            throw new ConfigException(MAX_BATCH_BYTES_KEY, "Invalid value '" + max
                    + "' for configuration key 'max-batch-bytes': expected 1KiB to 2GiB");
        }
        return BatchCodec.of(c, (int) max);
    }
}
