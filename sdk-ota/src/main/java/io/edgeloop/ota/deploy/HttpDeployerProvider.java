package io.edgeloop.ota.deploy;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeployerProvider;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * {@code http}: publishes to and polls an Edgeloop update server
 * ({@link io.edgeloop.ota.server.UpdateServer}). Config: {@code url} (required, e.g. {@code http://host:8080}),
 * {@code timeout} (default 30s: bounds connecting, the wait for response headers, and each wait for more of a
 * response body, so a server that stops sending fails the call after this long without data; a fetch keeps its
 * partial file for resuming), {@code minBytesPerSecond} (default 1024: with {@code timeout}, the total deadline
 * of a response body is {@code timeout + bytes / minBytesPerSecond}, so a server trickling a byte now and then
 * fails a download after that long instead of holding the poll for hours; the partial file is kept for resuming;
 * accepts sizes such as {@code 4k}), {@code maxBundleBytes} (default: the largest archive the default
 * {@link io.edgeloop.ota.bundle.BundleLimits} accept; larger publications are not fetched), {@code publishToken}
 * (optional: the update server's publish token, sent as {@code Authorization: Bearer <token>} on {@code publish}
 * only; a server with a token refuses publications without it, one without a token accepts them from loopback
 * only. Use https when the server is not on loopback, or the token crosses the network in the clear). Any other
 * key is refused, naming the closest known key. Thread-safe;
 * {@link #create} does no network I/O.
 */
public final class HttpDeployerProvider implements DeployerProvider {
    /** Creates the provider. */
    public HttpDeployerProvider() {
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public Deployer create(ComponentConfig config) {
        config.requireKnownKeys("http deployer", Set.of("url", "timeout", "minBytesPerSecond", "maxBundleBytes",
                "publishToken"));
        String url = config.requireString("url");
        URI u = URI.create(url);
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
            throw new IllegalArgumentException("deployer url must be http(s)://..., got '" + url + "'");
        }
        Optional<String> token = config.get("publishToken");
        if (token.isPresent() && (token.get().isBlank() || token.get().chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
            throw new IllegalArgumentException("deployer publishToken must be printable ASCII without spaces");
        }
        long minRate = config.getSizeBytes("minBytesPerSecond", HttpDeployer.DEFAULT_MIN_BYTES_PER_SECOND);
        if (minRate < 1) {
            throw new IllegalArgumentException("deployer minBytesPerSecond must be positive, got " + minRate);
        }
        return new HttpDeployer(u, config.getDuration("timeout", Duration.ofSeconds(30)),
                maxBytes(config), token, minRate);
    }

    static long maxBytes(ComponentConfig config) {
        long max = config.getSizeBytes("maxBundleBytes", Downloads.DEFAULT_MAX_BYTES);
        if (max < 1) {
            throw new IllegalArgumentException("maxBundleBytes must be positive, got " + max);
        }
        return max;
    }
}
