package io.edgeloop.ota.deploy;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.config.KeyAliases;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeployerProvider;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code http}: publishes to and polls an Edgeloop update server
 * ({@link io.edgeloop.ota.server.UpdateServer}). Config: {@code url} (required, e.g. {@code http://host:8080}),
 * {@code timeout} (default 30s: bounds connecting, the wait for response headers, and each wait for more of a
 * response body, so a server that stops sending fails the call after this long without data; a fetch keeps its
 * partial file for resuming), {@code min-bytes-per-second} (default 1024: with {@code timeout}, the total
 * deadline of a response body is {@code timeout + bytes / min-bytes-per-second}, so a server trickling a byte now
 * and then fails a download after that long instead of holding the poll for hours; the partial file is kept for
 * resuming; accepts sizes such as {@code 4k}), {@code max-bundle-bytes} (default: the largest archive the default
 * {@link io.edgeloop.ota.bundle.BundleLimits} accept; larger publications are not fetched), {@code publish-token}
 * (optional: the update server's publish token, sent as {@code Authorization: Bearer <token>} on {@code publish}
 * only; a server with a token refuses publications without it, one without a token accepts them from loopback
 * only. Use https when the server is not on loopback, or the token crosses the network in the clear). Any other
 * key is refused, naming the closest known key. The camelCase spellings of before 2026-12-03
 * ({@code minBytesPerSecond}, {@code maxBundleBytes}, {@code publishToken}) still work as deprecated aliases
 * (a WARN, once per deployer created, names the new spelling). Thread-safe;
 * {@link #create} does no network I/O.
 */
public final class HttpDeployerProvider implements DeployerProvider {
    /** The key of the download size limit, shared with the {@code directory} deployer. */
    static final String MAX_BUNDLE_BYTES = "max-bundle-bytes";
    /** The deprecated camelCase spellings of the http deployer's keys, each mapped to its current key. */
    static final KeyAliases ALIASES = KeyAliases.of(Map.of("minBytesPerSecond", "min-bytes-per-second",
            "maxBundleBytes", MAX_BUNDLE_BYTES, "publishToken", "publish-token"));
    private static final Set<String> KEYS = Set.of("url", "timeout", "min-bytes-per-second", MAX_BUNDLE_BYTES,
            "publish-token");

    /** Creates the provider. */
    public HttpDeployerProvider() {
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public Deployer create(ComponentConfig config) {
        config.requireKnownKeys("http deployer", KEYS, Set.of(), ALIASES);
        ComponentConfig c = ALIASES.resolve("http deployer", config);
        String url = c.requireString("url");
        URI u = URI.create(url);
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
            throw new IllegalArgumentException("deployer url must be http(s)://..., got '" + url + "'");
        }
        Optional<String> token = c.get("publish-token");
        if (token.isPresent()
                && (token.get().isBlank() || token.get().chars().anyMatch(ch -> ch < 0x21 || ch > 0x7e))) {
            throw new IllegalArgumentException("deployer publish-token must be printable ASCII without spaces");
        }
        long minRate = c.getSizeBytes("min-bytes-per-second", HttpDeployer.DEFAULT_MIN_BYTES_PER_SECOND);
        if (minRate < 1) {
            throw new IllegalArgumentException("deployer min-bytes-per-second must be positive, got " + minRate);
        }
        Duration timeout = c.getDuration("timeout", Duration.ofSeconds(30));
        if (timeout.isZero() || timeout.isNegative()) {
            // the JDK client refuses it too, but as "Invalid duration: PT0S", naming no key
            throw new ConfigException("timeout", "deployer timeout must be a positive duration, got '"
                    + c.get("timeout").orElse("") + "'");
        }
        return new HttpDeployer(u, timeout, maxBytes(c), token, minRate);
    }

    /** Reads {@value #MAX_BUNDLE_BYTES} from a configuration whose aliases are resolved. */
    static long maxBytes(ComponentConfig config) {
        long max = config.getSizeBytes(MAX_BUNDLE_BYTES, Downloads.DEFAULT_MAX_BYTES);
        if (max < 1) {
            throw new IllegalArgumentException(MAX_BUNDLE_BYTES + " must be positive, got " + max);
        }
        return max;
    }
}
