package io.edgeloop.buffer.transport.http;

import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.wire.BatchCodec;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * POSTs each encoded batch ({@code Content-Type: application/vnd.edgeloop.batch}) and treats a 2xx answer as
 * the acknowledgement. Only 400, 413 and 422 refuse the content (a batch the server will never take) and are not
 * retryable: a forwarder splits such a batch down to the single record and skips only that one. Every other
 * answer says the endpoint cannot take anything now (401/403 credentials, 404/405 a wrong URL, 3xx, 5xx, ...):
 * it is retryable, so the cursor stays put until the endpoint is fixed, and nothing is skipped. 429 and 503
 * carry the {@code Retry-After} the server gave (delta seconds or an HTTP date). Connection failures and
 * timeouts are retryable.
 *
 * <p>Thread-safe: the JDK client is thread-safe and the transport keeps no per-send state, so sends may run
 * concurrently; {@link #close()} may be called from any thread and ends sends still waiting for an answer with a
 * retryable {@link TransportException}.
 */
final class HttpTransport implements Transport {
    private final URI uri;
    private final BatchCodec codec;
    private final Duration requestTimeout;
    private final Map<String, String> headers;
    private final Clock clock;
    /**
     * One JDK client per connect timeout, shared by every HTTP transport in this JVM. JDK 17's {@code HttpClient}
     * cannot be closed: its selector thread, its epoll and wake-up descriptors and its pooled connections go only
     * when it is garbage-collected, so a client per transport left about six descriptors open after each
     * {@code close()} (the kit's release check counted 18 after three transports). A shared client is what the JDK
     * intends (it is thread-safe, and reuses a pooled connection to the same endpoint across transports).
     */
    private static final ConcurrentMap<Duration, HttpClient> CLIENTS = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final Duration connectTimeout;
    private boolean closed;
    /** Requests whose answer a send is waiting for; close() cancels them. Guarded by {@link #lock}. */
    private final Set<CompletableFuture<?>> inFlight = new HashSet<>();

    HttpTransport(URI uri, BatchCodec codec, Duration connectTimeout, Duration requestTimeout,
            Map<String, String> headers, Clock clock) {
        this.uri = uri;
        this.codec = codec;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
        this.headers = Map.copyOf(headers);
        this.clock = clock;
    }

    private HttpClient client() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("http transport to " + uri + " is closed");
            }
        }
        return CLIENTS.computeIfAbsent(connectTimeout, t -> HttpClient.newBuilder().connectTimeout(t)
                .followRedirects(HttpClient.Redirect.NEVER).build());
    }

    @Override
    public void send(Batch batch) throws TransportException {
        HttpClient c = client();
        byte[] body;
        try {
            body = codec.encode(batch);
        } catch (IllegalArgumentException e) {
            throw new TransportException("Cannot encode " + batch + ": " + e.getMessage(), false, e);
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(requestTimeout)
                .header("Content-Type", "application/vnd.edgeloop.batch")
                .header("Edgeloop-Batch-Version", BatchCodec.MAJOR_VERSION + "." + BatchCodec.MINOR_VERSION)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(rb::header);
        HttpResponse<byte[]> response;
        CompletableFuture<HttpResponse<byte[]>> call = c.sendAsync(rb.build(),
                HttpResponse.BodyHandlers.ofByteArray());
        synchronized (lock) {
            if (closed) {
                call.cancel(true);
                throw new IllegalStateException("http transport to " + uri + " is closed");
            }
            inFlight.add(call);
        }
        try {
            response = call.get();
        } catch (CancellationException e) {
            throw new TransportException("Sending " + batch + " to " + uri + " was cut short by close()", true, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw new TransportException("No answer from " + uri + " within the timeout: " + cause.getMessage(),
                        true, cause);
            }
            if (cause instanceof ConnectException) {
                throw new TransportException("Cannot connect to " + uri + ": " + connectFailure(cause), true, cause);
            }
            throw new TransportException("Sending " + batch + " to " + uri + " failed: " + cause, true, cause);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new TransportException("Interrupted while sending " + batch + " to " + uri, true, e);
        } finally {
            synchronized (lock) {
                inFlight.remove(call);
            }
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return;
        }
        String detail = abbreviate(new String(response.body(), StandardCharsets.UTF_8));
        String message = "Receiver " + uri + " answered " + status + (detail.isEmpty() ? "" : ": " + detail);
        if (refusesContent(status)) {
            throw new TransportException(message, false);
        }
        Duration wait = status == 429 || status == 503
                ? retryAfter(response.headers().firstValue("Retry-After"), clock).orElse(null) : null;
        throw new TransportException(message + (status == 401 || status == 403 || status == 404 || status == 405
                ? " (the endpoint refuses every batch: check the uri and credentials; the records are kept)" : ""),
                true, wait, null);
    }

    /**
     * Names why a connection failed. The HTTP client's {@link ConnectException} carries no message (its cause is a
     * bare {@code ClosedChannelException}), so the error read {@code Cannot connect to URI:
     * java.net.ConnectException}; the reason is learnt from one plain connection attempt to the same address,
     * bounded by the connect timeout, which reports what the system said ({@code Connection refused},
     * {@code No route to host}), as the MQTT transport's error does.
     */
    private String connectFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException) {
                return "unknown host '" + uri.getHost() + "'";
            }
            if (t.getMessage() != null) {
                return t.getMessage();
            }
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        try (java.net.Socket probe = new java.net.Socket()) {
            probe.connect(new java.net.InetSocketAddress(uri.getHost(), port),
                    (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis())));
            return "the connection failed, and a second attempt connected (" + cause + ")";
        } catch (java.net.UnknownHostException e) {
            return "unknown host '" + uri.getHost() + "'";
        } catch (IOException e) {
            return e.getMessage() != null ? e.getMessage() : e.toString();
        }
    }

    /**
     * Says whether a status refuses the request's content rather than the endpoint being unavailable.
     *
     * @param status the HTTP status, not 2xx
     * @return true for 400, 413 and 422 only
     */
    static boolean refusesContent(int status) {
        return status == 400 || status == 413 || status == 422;
    }

    /**
     * Parses a {@code Retry-After} value: delta seconds or an HTTP date (RFC 9110), relative to {@code clock}.
     *
     * @param header the header value, if present
     * @param clock  the clock giving "now" for dates
     * @return the wait, zero for a date in the past, empty when absent or unparsable
     */
    static Optional<Duration> retryAfter(Optional<String> header, Clock clock) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String v = header.get().trim();
        if (v.matches("\\d{1,10}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(clock.instant(), at);
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String abbreviate(String s) {
        String t = s.strip().replaceAll("\\s+", " ");
        return t.length() <= 200 ? t : t.substring(0, 200) + "...";
    }

    @Override
    public void close() {
        List<CompletableFuture<?>> cut;
        synchronized (lock) {
            closed = true;
            cut = new ArrayList<>(inFlight);
            inFlight.clear();
        }
        // Ends sends blocked on a silent receiver now, instead of after their request timeout.
        for (CompletableFuture<?> f : cut) {
            f.cancel(true);
        }
    }

    @Override
    public String toString() {
        return "http[" + uri + "]";
    }
}
