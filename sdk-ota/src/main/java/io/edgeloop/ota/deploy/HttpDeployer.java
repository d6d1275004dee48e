package io.edgeloop.ota.deploy;

import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.server.ChannelStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

/**
 * Talks to an {@link io.edgeloop.ota.server.UpdateServer}: publish is a PUT, poll is a GET of the channel's
 * latest publication, fetch is a GET that resumes a partial download with {@code Range: bytes=N-}. A fetch
 * refuses publications above the size limit and never writes more than the announced size.
 * Thread-safe; {@link #close()} is idempotent.
 */
final class HttpDeployer implements Deployer {
    private final URI base;
    private final Duration timeout;
    private final HttpClient client;
    private final long maxBytes;
    private volatile boolean closed;

    HttpDeployer(URI base, Duration timeout, long maxBytes) {
        this.base = base;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("deployer is closed");
        }
    }

    private URI uri(String path) {
        return base.resolve(base.getPath().endsWith("/") ? path.substring(1) : path);
    }

    @Override
    public Publication publish(Path bundle, String channel) throws DeploymentException {
        open();
        try {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/channels/" + channel)).timeout(timeout)
                    .PUT(HttpRequest.BodyPublishers.ofFile(bundle)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new DeploymentException("update server refused the publication (HTTP " + r.statusCode() + "): "
                        + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            return ChannelStore.fromJson(CanonicalJson.parse(r.body()));
        } catch (DeploymentException e) {
            throw e;
        } catch (IOException e) {
            throw new DeploymentException("cannot publish to " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeploymentException("interrupted while publishing", e);
        }
    }

    @Override
    public Optional<Publication> latest(String channel) throws DeploymentException {
        open();
        try {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/channels/" + channel + "/latest"))
                    .timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 404) {
                return Optional.empty();
            }
            if (r.statusCode() != 200) {
                throw new DeploymentException("update server answered HTTP " + r.statusCode() + " for channel " + channel);
            }
            return Optional.of(ChannelStore.fromJson(CanonicalJson.parse(r.body())));
        } catch (DeploymentException e) {
            throw e;
        } catch (IOException e) {
            throw new DeploymentException("cannot poll " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeploymentException("interrupted while polling", e);
        }
    }

    @Override
    public void fetch(Publication publication, Path destination) throws DeploymentException {
        open();
        Downloads.checkAnnounced(publication, maxBytes);
        try {
            long from = Downloads.resumeFrom(destination, publication);
            HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(publication.location())).timeout(timeout).GET();
            if (from > 0) {
                rb.header("Range", "bytes=" + from + "-");
            }
            HttpResponse<InputStream> r = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                long start = from;
                if (r.statusCode() == 200 && from > 0) {
                    Files.deleteIfExists(destination); // server ignored the range: start over
                    start = 0;
                } else if (r.statusCode() != 200 && r.statusCode() != 206) {
                    throw new DeploymentException("update server answered HTTP " + r.statusCode() + " for "
                            + publication.location());
                }
                try (OutputStream out = Files.newOutputStream(destination, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    Downloads.copyAtMost(in, out, publication.sizeBytes() - start, destination, publication);
                }
            }
            Downloads.check(destination, publication);
        } catch (DeploymentException e) {
            throw e;
        } catch (IOException e) {
            throw new DeploymentException("download of " + publication.location() + " interrupted ("
                    + e.getMessage() + "); fetch again to resume", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeploymentException("interrupted while downloading", e);
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
