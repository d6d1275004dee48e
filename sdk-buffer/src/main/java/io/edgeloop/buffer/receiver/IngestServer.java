package io.edgeloop.buffer.receiver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.BatchFormatException;
import io.edgeloop.buffer.wire.UnsupportedBatchFormatException;
import io.edgeloop.buffer.wire.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP ingest endpoint for the {@code http} transport: accepts {@code POST <path>} with an encoded batch
 * ({@link BatchCodec}), drops envelopes whose idempotency key it has seen, hands the fresh ones to an
 * {@link EnvelopeListener} (and keeps them in memory when {@link Builder#retain(boolean) retain} is on), and
 * answers {@code 200} only after that (no body; the counts in the {@value #ACCEPTED_HEADER} and
 * {@value #DUPLICATES_HEADER} headers, so the answer leaves in one write, see {@code respond}). Bad batches get {@code 400} with the reason, oversize ones {@code 413},
 * batches of an unsupported format version, compression or flags {@code 415} (retryable for senders),
 * a failing listener {@code 500}. For tests and demos it can be told to answer the next batches with a status
 * such as 503 or 429 and a {@code Retry-After} header ({@link #failNext}).
 *
 * <p>Binds to loopback by default. Deduplication state is in memory, so it lasts as long as the server.
 *
 * <p>Latency: a program that runs it should start the JVM with {@code -Dsun.net.httpserver.nodelay=true} (or set that
 * property before the JVM's first JDK {@code HttpServer} starts; the edgeloop CLI and the example apps do). Without
 * it the JDK server leaves Nagle's algorithm on, and an answer with a body (every refusal) waits about 40 ms for the
 * sender's delayed ACK on a kept connection. The library does not set it: it changes every JDK server in the JVM.
 * Acknowledgements have no body, so they leave at once either way.
 *
 * <p>Availability ({@link Builder#limits}): requests are served by a bounded pool of worker threads (default
 * {@value #DEFAULT_MAX_THREADS}); a watchdog closes any connection whose request line and headers have not arrived
 * within the request timeout (default 10 s) from its hand-over to a worker, and any body that falls below
 * {@code minBytesPerSecond} on average after that much slack (default 1024), so clients that send half a request
 * or trickle bytes free their worker instead of blocking every other sender. Nothing is interrupted while a batch
 * is processed (the listener may be writing to disk).
 *
 * <p>Thread-safe: batches are processed one at a time under an internal lock; counters and
 * {@link #accepted()} may be read from any thread.
 */
public final class IngestServer implements AutoCloseable {
    /** The content type the {@code http} transport sends. */
    public static final String CONTENT_TYPE = "application/vnd.edgeloop.batch";
    /** Response header of an acknowledgement: how many of the batch's envelopes were new. */
    public static final String ACCEPTED_HEADER = "Edgeloop-Accepted";
    /** Response header of an acknowledgement: how many of the batch's envelopes were dropped as duplicates. */
    public static final String DUPLICATES_HEADER = "Edgeloop-Duplicates";

    private static final Logger LOG = LoggerFactory.getLogger(IngestServer.class);

    /** Default worker threads: batches are processed one at a time, the workers mostly wait for slow links. */
    public static final int DEFAULT_MAX_THREADS = 8;
    /** Default deadline for a request's line and headers, and the slack before a body must keep up the rate. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Default slowest average body rate: 1 KiB/s, below the slowest links devices send over. */
    public static final long DEFAULT_MIN_BYTES_PER_SECOND = 1024;

    private final Object lock = new Object();
    private final HttpServer server;
    private final RequestWatchdog workers;
    private final String path;
    private final BatchCodec codec;
    private final EnvelopeListener listener;
    private final boolean retain;
    private final long acceptLimit;
    private final Deduplicator dedup = new Deduplicator();
    private final List<Envelope> accepted = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger inProgress = new java.util.concurrent.atomic.AtomicInteger();
    private long received;
    private long batches;
    private long rejected;
    private int failRemaining;
    private int failStatus;
    private String failRetryAfter;

    private IngestServer(Builder b) throws IOException {
        this.path = b.path;
        this.codec = BatchCodec.of(Compression.NONE, b.maxBatchBytes);
        this.listener = b.listener;
        this.retain = b.retain;
        this.acceptLimit = b.acceptLimit;
        try {
            this.server = HttpServer.create(new InetSocketAddress(b.host, b.port), 16);
        } catch (BindException e) {
            // the JDK's says only "Address already in use": name the address (same type, so callers still catch it)
            BindException named = new BindException("Cannot listen on " + b.host + ":" + b.port + ": "
                    + e.getMessage());
            named.initCause(e);
            throw named;
        }
        // two fixed workers and no deadline let two stalled clients block every sender (review s7 threads item 5)
        this.workers = new RequestWatchdog("edgeloop-ingest", b.maxThreads, b.requestTimeout, b.minBytesPerSecond);
        server.setExecutor(workers.executor());
        server.createContext(path, this::handle);
        server.start();
    }

    /**
     * Returns a builder.
     *
     * @return a builder with defaults: host 127.0.0.1, a free port, path {@code /ingest}, retain on
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the URI to configure the {@code http} transport with */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        return URI.create("http://" + a.getHostString() + ":" + a.getPort() + path);
    }

    /** @return the port the server listens on */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Answers the next {@code count} batches with {@code status} (for example 503 or 429) and, when not null,
     * a {@code Retry-After} header with the given value (seconds or an HTTP date), without accepting them.
     *
     * @param count      how many batches to refuse
     * @param status     the HTTP status to answer with
     * @param retryAfter the Retry-After header value, or null for none
     */
    public void failNext(int count, int status, String retryAfter) {
        synchronized (lock) {
            failRemaining = count;
            failStatus = status;
            failRetryAfter = retryAfter;
        }
    }

    /** @return the envelopes accepted so far (duplicates dropped), in arrival order; empty unless retaining */
    public List<Envelope> accepted() {
        synchronized (lock) {
            return List.copyOf(accepted);
        }
    }

    /**
     * Returns the requests being handled right now. A batch is counted by {@link #received()} before its answer
     * is sent, so a caller that stops the server once a count is reached waits for this to be 0 first, or the
     * sender of the last batch may never get its answer (and sends it again to a server that is gone).
     *
     * @return requests accepted for handling whose answer is not sent yet
     */
    public int requestsInProgress() {
        return inProgress.get();
    }

    /** @return the number of envelopes received in valid batches, duplicates included */
    public long received() {
        synchronized (lock) {
            return received;
        }
    }

    /** @return the number of distinct envelopes accepted */
    public long distinct() {
        return dedup.distinct();
    }

    /** @return the number of envelopes dropped because their key was seen before */
    public long duplicatesDropped() {
        return dedup.duplicatesDropped();
    }

    /** @return how many stalled requests the watchdog has closed */
    public long abandonedRequests() {
        return workers.abandoned();
    }

    /** @return the number of batches acknowledged with 200 */
    public long batches() {
        synchronized (lock) {
            return batches;
        }
    }

    /** @return the number of requests refused (bad batch, failure injected, listener failure) */
    public long rejected() {
        synchronized (lock) {
            return rejected;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        inProgress.incrementAndGet();
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "POST");
                respond(ex, 405, "only POST is accepted");
                return;
            }
            long declared = parseLength(ex.getRequestHeaders().getFirst("Content-Length"));
            if (declared > codec.maxBatchBytes() + (long) BatchCodec.HEADER_BYTES) {
                countRejected();
                refuseUnread(ex, 413, "batch of " + declared + " bytes exceeds the limit of " + codec.maxBatchBytes());
                return;
            }
            byte[] body;
            try (InputStream in = workers.watch(ex.getRequestBody())) {
                body = in.readNBytes(codec.maxBatchBytes() + BatchCodec.HEADER_BYTES + 1);
            }
            workers.processing();
            Batch batch;
            try {
                batch = codec.decode(body);
            } catch (UnsupportedBatchFormatException e) {
                // a newer sender, not a bad record: 415 is retryable, so the records wait for an upgrade
                countRejected();
                respond(ex, 415, e.getMessage());
                return;
            } catch (BatchFormatException e) {
                countRejected();
                respond(ex, 400, e.getMessage());
                return;
            }
            int status;
            String message;
            synchronized (lock) {
                if (received >= acceptLimit) {
                    // a receiver that stops after a count acknowledges nothing more: the sender keeps the records
                    rejected++;
                    ex.getResponseHeaders().set("Retry-After", "1");
                    status = 503;
                    message = "this receiver took the " + acceptLimit + " records it was started for; send them again"
                            + " later";
                } else if (failRemaining > 0) {
                    failRemaining--;
                    rejected++;
                    if (failRetryAfter != null) {
                        ex.getResponseHeaders().set("Retry-After", failRetryAfter);
                    }
                    status = failStatus;
                    message = "refused on request (" + failStatus + ")";
                } else {
                    List<Envelope> fresh = dedup.fresh(batch.envelopes());
                    try {
                        if (listener != null) {
                            listener.accepted(fresh);
                        }
                        dedup.commit(batch.envelopes(), fresh);
                        received += batch.size();
                        batches++;
                        if (retain) {
                            accepted.addAll(fresh);
                        }
                        status = 200;
                        message = null;
                        ex.getResponseHeaders().set(ACCEPTED_HEADER, Integer.toString(fresh.size()));
                        ex.getResponseHeaders().set(DUPLICATES_HEADER, Integer.toString(batch.size() - fresh.size()));
                    } catch (Exception e) {
                        rejected++;
                        LOG.warn("Ingest listener failed; batch {} not acknowledged", batch, e);
                        status = 500;
                        message = "listener failed: " + e.getMessage();
                    }
                }
            }
            respond(ex, status, message);
        } finally {
            inProgress.decrementAndGet();
        }
    }

    private void countRejected() {
        synchronized (lock) {
            rejected++;
        }
    }

    private static long parseLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Answers a batch refused by its Content-Length once its body is read and dropped, within the request timeout
     * (the watchdog ends a longer one). The JDK server drains only 64 KiB of a body a handler left unread, then
     * closes the connection with the rest unread, which resets it: the sender, still sending, lost the answer's body
     * (16 MiB batches: the first of 10 already failed with "fixed content-length: 49, bytes received: 0"), and the
     * http transport took that I/O error for a retryable failure instead of the 413 that makes a forwarder split.
     */
    private void refuseUnread(HttpExchange ex, int status, String message) throws IOException {
        workers.responding();
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        respond(ex, status, message);
    }

    /**
     * Sends the answer. An acknowledgement ({@code message} null) has no body: the JDK server writes the status line
     * and headers in one write and a body in a second, and its sockets keep Nagle's algorithm on (it sets
     * TCP_NODELAY only under the JVM-wide {@code sun.net.httpserver.nodelay}, read once by whichever server starts
     * first), so a small body waited for the client's delayed ACK of the headers: about 40 ms per batch on Linux,
     * which held a drain to ~6,000 records/s. A body-less answer is one write and leaves at once, whatever the JVM's
     * setting. Refusals keep their text body (the sender shows it): they pay that wait unless the program set the
     * property before its first server started (the edgeloop CLI and the example apps do, see the class comment).
     * The JDK flushes the headers itself before any body can be written, so buffering the body does not help.
     */
    private void respond(HttpExchange ex, int status, String message) throws IOException {
        workers.responding();
        if (message == null) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops the server at once. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            workers.close();
        }
    }

    /** Builder for {@link IngestServer}. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private String path = "/ingest";
        private int maxBatchBytes = BatchCodec.DEFAULT_MAX_BATCH_BYTES;
        private EnvelopeListener listener;
        private boolean retain = true;
        private long acceptLimit = Long.MAX_VALUE;
        private int maxThreads = DEFAULT_MAX_THREADS;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private long minBytesPerSecond = DEFAULT_MIN_BYTES_PER_SECOND;

        private Builder() {
        }

        /**
         * Sets the worker threads and the watchdog's deadlines.
         *
         * @param maxThreads        worker threads, 1-1024 (default {@value IngestServer#DEFAULT_MAX_THREADS}); each
         *                          serves one request at a time, more requests queue
         * @param requestTimeout    how long a request's line and headers may take to arrive once a worker takes it,
         *                          and the slack before its body must keep up the rate (default 10 s)
         * @param minBytesPerSecond the slowest average rate a body may arrive at after the slack (default 1024)
         * @return this builder
         * @throws IllegalArgumentException when a value is out of range
         */
        public Builder limits(int maxThreads, Duration requestTimeout, long minBytesPerSecond) {
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            if (maxThreads < 1 || maxThreads > 1024) {
                throw new IllegalArgumentException("maxThreads must be 1-1024, got " + maxThreads);
            }
            if (requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
            }
            if (minBytesPerSecond < 1) {
                throw new IllegalArgumentException("minBytesPerSecond must be positive, got " + minBytesPerSecond);
            }
            this.maxThreads = maxThreads;
            this.requestTimeout = requestTimeout;
            this.minBytesPerSecond = minBytesPerSecond;
            return this;
        }

        /**
         * @param host the address to bind (default 127.0.0.1)
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * @param port the port, 0 for a free one (default)
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * @param path the request path, starting with {@code /} (default {@code /ingest})
         * @return this builder
         */
        public Builder path(String path) {
            this.path = Objects.requireNonNull(path, "path");
            return this;
        }

        /**
         * @param maxBatchBytes the largest batch body accepted (default 64 MiB)
         * @return this builder
         */
        public Builder maxBatchBytes(int maxBatchBytes) {
            this.maxBatchBytes = maxBatchBytes;
            return this;
        }

        /**
         * @param listener receives fresh envelopes before each acknowledgement
         * @return this builder
         */
        public Builder listener(EnvelopeListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param retain whether to keep accepted envelopes in memory for {@link IngestServer#accepted()}
         * @return this builder
         */
        public Builder retain(boolean retain) {
            this.retain = retain;
            return this;
        }

        /**
         * Stops acknowledging once {@code records} envelopes were received (duplicates included): later batches are
         * answered 503 with {@code Retry-After: 1} (a retryable refusal, counted by {@link IngestServer#rejected()}),
         * so nothing is acknowledged that a caller stopping at that count would not count. The batch that reaches the
         * limit is acknowledged whole.
         *
         * @param records the count, at least 1 (default: no limit)
         * @return this builder
         */
        public Builder acceptLimit(long records) {
            if (records < 1) {
                throw new IllegalArgumentException("acceptLimit must be at least 1, got " + records);
            }
            this.acceptLimit = records;
            return this;
        }

        /**
         * Binds and starts the server.
         *
         * @return the running server
         * @throws IOException when the address cannot be bound
         */
        public IngestServer start() throws IOException {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
            }
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path must start with '/', got '" + path + "'");
            }
            if (maxBatchBytes < 1024) {
                throw new IllegalArgumentException("maxBatchBytes must be at least 1024, got " + maxBatchBytes);
            }
            return new IngestServer(this);
        }
    }
}
