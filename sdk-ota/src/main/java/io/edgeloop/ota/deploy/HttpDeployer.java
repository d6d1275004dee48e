package io.edgeloop.ota.deploy;

import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.ota.bundle.PrintableText;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.server.ChannelStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Flow;

/**
 * Talks to an {@link io.edgeloop.ota.server.UpdateServer}: publish is a PUT, poll is a GET of the channel's
 * latest publication, fetch is a GET that resumes a partial download with {@code Range: bytes=N-}. A fetch
 * refuses publications above the size limit, never writes more than the announced size, and never writes
 * through a symbolic link at the destination. The {@code timeout} bounds the connection, the wait for the
 * response headers, and every wait for the next piece of a response body (an idle timeout: a server that stops
 * sending mid-body fails the call after {@code timeout} without data, and a fetch keeps the partial file for the
 * next fetch to resume; a resumed download whose result does not match was resumed from other bytes, so it is
 * dropped and downloaded once more from the start). Besides the idle timeout, every response body has a total
 * deadline: {@code timeout} plus its expected size at {@code min-bytes-per-second} (a download: the bytes still to
 * fetch; an answer: {@link #ANSWER_BUDGET_BYTES}), so a server that trickles bytes cannot hold a poll for hours;
 * a download that misses it keeps its partial file for the next fetch to resume. Fetches into one destination run one at a time in the JVM,
 * and one that finds the publication's bytes already there downloads nothing. A {@code latest} answer is at most {@link #MAX_ANSWER_BYTES} bytes. A publication's
 * {@code location} is an absolute http(s) URL with a host, or a relative reference (RFC 3986 section 5), which
 * {@code latest} and {@code publish} resolve against the URL they requested (a fetch of a publication still holding
 * one, against its channel's poll URL, {@code <url>/channels/<channel>/latest}); anything else is a
 * {@link DeploymentException}, as is an {@code http} location when the deployer's URL is {@code https} (a
 * downgrade off TLS). The update server sends absolute URLs (deployers before 2026-12-03 accept nothing
 * else); relative ones are for servers that do not know the address devices reach them at.
 * Thread-safe; {@link #close()} is idempotent. Every deployer with the same {@code timeout} shares one JDK HTTP
 * client, so {@code close()} holds nothing back (no thread, no descriptor per instance) and only refuses further
 * calls: a call already running is not cut short, it ends by itself within its timeout and total deadline.
 */
final class HttpDeployer implements Deployer {
    /** Largest answer read for {@code latest} or {@code publish}: a publication record is a few hundred bytes. */
    static final int MAX_ANSWER_BYTES = 1 << 20;
    /** Default {@code min-bytes-per-second}: 1 KiB/s, below the slowest links devices poll over (NB-IoT, GPRS). */
    static final long DEFAULT_MIN_BYTES_PER_SECOND = 1024;
    /** The bytes an answer's total deadline allows for at the minimum rate (a publication record is far smaller). */
    static final long ANSWER_BUDGET_BYTES = 16 * 1024;

    /**
     * One JDK client per connect timeout, shared by every HTTP deployer in this JVM (as the buffer's HTTP transport
     * does). JDK 17's {@code HttpClient} cannot be closed: its selector thread, worker threads and epoll/wake-up
     * descriptors go only when it is garbage-collected, so a client per deployer left about three descriptors and a
     * selector thread behind each {@code close()} (200 create/poll/close cycles: 17 to 694 descriptors, 199
     * selector threads, until a GC). A shared client is what the JDK intends: it is thread-safe and reuses a pooled
     * connection to the same server across deployers.
     */
    private static final ConcurrentMap<Duration, HttpClient> CLIENTS = new ConcurrentHashMap<>();

    private final URI base;
    private final Duration timeout;
    private final HttpClient client;
    private final long maxBytes;
    private final Optional<String> publishToken;
    private final long minBytesPerSecond;
    private volatile boolean closed;

    HttpDeployer(URI base, Duration timeout, long maxBytes) {
        this(base, timeout, maxBytes, Optional.empty());
    }

    HttpDeployer(URI base, Duration timeout, long maxBytes, Optional<String> publishToken) {
        this(base, timeout, maxBytes, publishToken, DEFAULT_MIN_BYTES_PER_SECOND);
    }

    HttpDeployer(URI base, Duration timeout, long maxBytes, Optional<String> publishToken, long minBytesPerSecond) {
        if (minBytesPerSecond < 1) {
            throw new IllegalArgumentException("minBytesPerSecond must be positive, got " + minBytesPerSecond);
        }
        this.base = base;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.publishToken = publishToken;
        this.minBytesPerSecond = minBytesPerSecond;
        this.client = CLIENTS.computeIfAbsent(timeout, t -> HttpClient.newBuilder().connectTimeout(t).build());
    }

    /**
     * The total time a body of {@code bytes} may take: the idle timeout plus the bytes at the minimum rate.
     * Saturates instead of overflowing.
     */
    Duration totalFor(long bytes) {
        long seconds = bytes / minBytesPerSecond + 1;
        Duration rate = seconds > Duration.ofDays(365).toSeconds() ? Duration.ofDays(365) : Duration.ofSeconds(seconds);
        return timeout.plus(rate);
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("deployer is closed");
        }
    }

    /**
     * The server's {@code path} under the base URL, keeping the base path with or without its trailing slash:
     * resolving against {@code http://host/ota} replaced {@code ota}, so requests went to {@code /channels/...}.
     */
    private URI uri(String path) {
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        return base.resolve((basePath.endsWith("/") ? basePath : basePath + "/") + path.substring(1));
    }

    /**
     * Sends the request; the body is then read through a stream bounded by the idle timeout and by a total
     * deadline for {@code expectedBytes} at {@code minBytesPerSecond} (plus the idle timeout), which the caller
     * must close.
     */
    private Response send(HttpRequest request, String what, long expectedBytes)
            throws IOException, InterruptedException {
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> r = client.send(request,
                HttpResponse.BodyHandlers.ofPublisher());
        Duration total = totalFor(expectedBytes);
        IdleBoundedBody body = new IdleBoundedBody(timeout, total, "the deadline for " + expectedBytes + " bytes at "
                + "the minimum rate of " + minBytesPerSecond + " bytes/s plus the " + IdleBoundedBody.say(timeout)
                + " timeout (" + IdleBoundedBody.say(total) + ", config min-bytes-per-second) passed", what);
        r.body().subscribe(body);
        return new Response(r.statusCode(), body);
    }

    /** A response's status and its body stream. */
    private record Response(int status, IdleBoundedBody body) implements AutoCloseable {
        /** @return the whole body, at most {@link #MAX_ANSWER_BYTES} */
        byte[] answer(String what) throws IOException {
            byte[] b = body.readNBytes(MAX_ANSWER_BYTES + 1);
            if (b.length > MAX_ANSWER_BYTES) {
                throw new DeploymentException("the answer of " + what + " is longer than " + MAX_ANSWER_BYTES
                        + " bytes; a publication record is a few hundred");
            }
            return b;
        }

        /**
         * {@code ": <why>"} from an error answer's {@code {"error":"<why>"}} (the update server's form: "the update
         * server's channel store is damaged: ..."), printable and at most {@value #ERROR_CHARS} characters, since
         * the answer is untrusted; empty when the answer holds no such text.
         */
        String error(String what) {
            try {
                com.fasterxml.jackson.databind.JsonNode e = CanonicalJson.mapper().readTree(answer(what)).get("error");
                return e != null && e.isTextual() ? ": " + PrintableText.of(e.textValue(), ERROR_CHARS) : "";
            } catch (IOException | RuntimeException notAnError) {
                return "";
            }
        }

        /**
         * What a refusal answer says, for an exception message: the text of {@code {"error":...}} (printable, at
         * most {@value #REFUSAL_CHARS} characters) with its {@code "check"}, else the first {@value #ERROR_CHARS}
         * characters of the body made printable. The answer is untrusted: a server or a proxy in front of it may
         * send control characters, terminal escape sequences or megabytes, which the message used to quote as
         * they came (up to 1 MiB).
         */
        String refusal() {
            byte[] b;
            try {
                // at most the answer budget: more would only run into the answer's total deadline
                b = body.readNBytes((int) ANSWER_BUDGET_BYTES + 1);
            } catch (IOException e) {
                return " (its answer could not be read: " + PrintableText.of(reason(e), ERROR_CHARS) + ")";
            }
            boolean cut = b.length > ANSWER_BUDGET_BYTES;
            if (!cut) {
                try {
                    com.fasterxml.jackson.databind.JsonNode n = CanonicalJson.mapper().readTree(b);
                    com.fasterxml.jackson.databind.JsonNode e = n == null ? null : n.get("error");
                    if (e != null && e.isTextual()) {
                        com.fasterxml.jackson.databind.JsonNode c = n.get("check");
                        return (c != null && c.isTextual() ? " [" + PrintableText.of(c.textValue(), 40) + "]" : "")
                                + ": " + printable(e.textValue(), REFUSAL_CHARS);
                    }
                } catch (IOException | RuntimeException notJson) {
                    // quoted as text below
                }
            }
            String text = new String(b, 0, (int) Math.min(b.length, ANSWER_BUDGET_BYTES), StandardCharsets.UTF_8);
            return text.isBlank() ? "" : ": " + printable(text, ERROR_CHARS) + (cut ? " ..." : "");
        }

        @Override
        public void close() {
            body.close();
        }
    }

    /** The most characters of an update server's refusal text a failed publish quotes. */
    private static final int REFUSAL_CHARS = 1000;

    /** {@code text} made printable and cut to {@code max} characters, {@code ...} marking a cut. */
    private static String printable(String text, int max) {
        return PrintableText.of(text, max) + (text.length() > max ? " ..." : "");
    }

    /** The most characters of a server's error text a {@link DeploymentException} quotes. */
    private static final int ERROR_CHARS = 300;

    @Override
    public Publication publish(Path bundle, String channel) throws DeploymentException {
        open();
        URI u = uri("/channels/" + channel);
        HttpRequest.Builder put = HttpRequest.newBuilder(u).timeout(timeout);
        publishToken.ifPresent(t -> put.header("Authorization", "Bearer " + t));
        try (Response r = send(put.PUT(HttpRequest.BodyPublishers.ofFile(bundle)).build(), u.toString(),
                ANSWER_BUDGET_BYTES)) {
            if (r.status() != 200) {
                throw new DeploymentException("update server refused the publication (HTTP " + r.status() + ")"
                        + r.refusal());
            }
            return resolved(ChannelStore.fromJson(CanonicalJson.parse(r.answer(u.toString()))), u);
        } catch (DeploymentException e) {
            throw e;
        } catch (IOException e) {
            throw new DeploymentException("cannot publish to " + base + ": " + reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeploymentException("interrupted while publishing", e);
        }
    }

    @Override
    public Optional<Publication> latest(String channel) throws DeploymentException {
        open();
        URI u = uri("/channels/" + channel + "/latest");
        try (Response r = send(HttpRequest.newBuilder(u).timeout(timeout).GET().build(), u.toString(),
                ANSWER_BUDGET_BYTES)) {
            if (r.status() == 404) {
                return Optional.empty();
            }
            if (r.status() != 200) {
                throw new DeploymentException("update server answered HTTP " + r.status() + " for channel " + channel
                        + r.error(u.toString()));
            }
            return Optional.of(resolved(ChannelStore.fromJson(CanonicalJson.parse(r.answer(u.toString()))), u));
        } catch (DeploymentException e) {
            throw e;
        } catch (IOException e) {
            throw new DeploymentException("cannot poll " + base + ": " + reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeploymentException("interrupted while polling", e);
        }
    }

    /**
     * One line saying why a call failed. JDK 17's {@code HttpClient} throws a {@link java.net.ConnectException}
     * without a message (and only message-less causes) when the connection is refused or the host name does not
     * resolve, so the message alone read "cannot poll http://host:port: null".
     */
    static String reason(IOException e) {
        if (e.getMessage() != null && !e.getMessage().isBlank()) {
            return e.getMessage();
        }
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof java.nio.channels.UnresolvedAddressException) {
                return "the host name does not resolve";
            }
        }
        if (e instanceof java.net.ConnectException) {
            return "cannot connect (connection refused or the address is unreachable)";
        }
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                return e.getClass().getSimpleName() + ": " + c.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }

    /**
     * The publication with a relative location resolved against {@code requested}, the URL whose answer it was;
     * any other location unchanged (a bad one fails the fetch, naming it as the server sent it).
     */
    private static Publication resolved(Publication p, URI requested) {
        try {
            URI loc = new URI(p.location());
            if (loc.isAbsolute()) {
                return p;
            }
            return new Publication(p.channel(), p.name(), p.sequence(), p.sha256(), p.sizeBytes(),
                    requested.resolve(loc).toString());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return p;
        }
    }

    /**
     * The publication's location as a request target: an absolute http(s) URL with a host, or a relative reference
     * resolved against {@code pollUri}; anything else is refused, and so is an http location when {@code pollUri} is
     * https (a downgrade, accepted before 2026-12-03).
     */
    static URI location(Publication p, URI pollUri) throws DeploymentException {
        String loc = p.location();
        URI u;
        try {
            u = new URI(loc);
            if (!u.isAbsolute()) {
                u = pollUri.resolve(u);
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new DeploymentException("publication location '" + loc + "' is not an http(s) URL: " + e.getMessage());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new DeploymentException("publication location '" + loc + "' is not an http(s) URL (scheme '"
                    + scheme + "')");
        }
        if (u.getHost() == null) {
            throw new DeploymentException("publication location '" + loc + "' is not an http(s) URL with a host");
        }
        if (scheme.equals("http") && "https".equalsIgnoreCase(pollUri.getScheme())) {
            // a location announced over TLS must not move the download off it: the bundle's signatures still hold,
            // but a network attacker would then see (and could withhold) what each device downloads
            throw new DeploymentException("publication location '" + loc + "' is plain http, but the update server "
                    + "was polled over https at " + pollUri + ": refusing to download without TLS; the server's "
                    + "public URL should be https");
        }
        return u;
    }

    @Override
    public void fetch(Publication publication, Path destination) throws DeploymentException {
        open();
        Downloads.checkAnnounced(publication, maxBytes);
        URI u = location(publication, uri("/channels/" + publication.channel() + "/latest"));
        try {
            HttpRequest.newBuilder(u);
        } catch (IllegalArgumentException e) {
            throw new DeploymentException("publication location '" + publication.location() + "' is not an http(s) "
                    + "URL the client accepts: " + e.getMessage());
        }
        try {
            Downloads.fetch(destination, publication, from -> download(u, publication, destination, from));
        } catch (DeploymentException e) {
            throw e;
        } catch (IOException e) {
            throw new DeploymentException("download of " + publication.location() + " interrupted ("
                    + reason(e) + "); fetch again to resume", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeploymentException("interrupted while downloading", e);
        }
    }

    /** One GET of the publication from byte {@code from} (a Range request when above 0), appended to the file. */
    private void download(URI u, Publication publication, Path destination, long from)
            throws IOException, InterruptedException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(u).timeout(timeout).GET();
        if (from > 0) {
            rb.header("Range", "bytes=" + from + "-");
        }
        // the deadline allows for the whole publication: a server that ignores the Range sends all of it
        try (Response r = send(rb.build(), publication.location(), publication.sizeBytes())) {
            long start = from;
            if (r.status() == 200 && from > 0) {
                Files.deleteIfExists(destination); // server ignored the range: start over
                start = 0;
            } else if (r.status() != 200 && r.status() != 206) {
                throw new DeploymentException("update server answered HTTP " + r.status() + " for "
                        + publication.location() + r.error(publication.location()));
            }
            try (OutputStream out = Downloads.openForAppend(destination)) {
                Downloads.copyAtMost(r.body(), out, publication.sizeBytes() - start, destination, publication);
            }
        }
    }

    /** Refuses further calls; the shared client stays for other deployers (there is nothing per instance to free). */
    @Override
    public void close() {
        closed = true;
    }
}
