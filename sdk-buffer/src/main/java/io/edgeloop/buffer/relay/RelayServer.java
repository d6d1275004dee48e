package io.edgeloop.buffer.relay;

import io.edgeloop.api.transport.Batch;
import io.edgeloop.buffer.logging.WarningLimiter;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.BatchFormatException;
import io.edgeloop.buffer.wire.UnsupportedBatchFormatException;
import io.edgeloop.buffer.wire.Compression;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway end of the relay: accepts device connections on a TCP port, and for every BATCH frame decodes the
 * batch, hands its envelopes to a {@link RelaySink} (typically the gateway's own durable buffer) and answers ACK
 * only after the sink returned, that is once the envelopes are durable at the gateway. A sink failure is
 * answered with a retryable ERROR, a malformed batch with a non-retryable one; the device keeps the batch in
 * either case. The protocol is in {@link RelayFrames} and {@code docs/formats/relay.md}.
 *
 * <p>A connection that sends nothing for {@code idleTimeout} (default 60 s) after its handshake is closed, and TCP
 * keep-alive is on: a device that lost power or an idle forwarder must not hold one of the {@code maxConnections}
 * slots for good. Devices reconnect on their next batch; the relay transport also closes its own idle connection
 * sooner (its {@code idle-timeout}, default 30 s).
 *
 * <p>Thread-safe: one thread per connection (up to {@code maxConnections}); counters may be read from any
 * thread; {@link #close()} may be called from any thread and is idempotent.
 */
public final class RelayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

    private final ServerSocket server;
    private final RelaySink sink;
    private final BatchCodec codec;
    private final int maxConnections;
    private final Duration handshakeTimeout;
    private final Duration idleTimeout;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong envelopes = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Thread acceptor;
    /** A sink failing for a reason that lasts (a full disk) refuses every batch: one WARN line per 30 s. */
    private final WarningLimiter refusalWarnings = new WarningLimiter(WarningLimiter.EVERY_30_SECONDS);

    private RelayServer(Builder b) throws IOException {
        this.sink = b.sink;
        this.codec = BatchCodec.of(Compression.NONE, b.maxBatchBytes);
        this.maxConnections = b.maxConnections;
        this.handshakeTimeout = b.handshakeTimeout;
        this.idleTimeout = b.idleTimeout;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        try {
            server.bind(new InetSocketAddress(InetAddress.getByName(b.host), b.port), 16);
        } catch (IOException e) {
            server.close();
            if (e instanceof BindException) {
                // the JDK's says only "Address already in use": name the address (same type, so callers still
                // catch it)
                BindException named = new BindException("Cannot listen on " + b.host + ":" + b.port + ": "
                        + e.getMessage());
                named.initCause(e);
                throw named;
            }
            throw e;
        }
        this.acceptor = new Thread(this::acceptLoop, "edgeloop-relay-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Returns a builder.
     *
     * @return a builder with defaults: host 127.0.0.1, a free port, 64 MiB batches, 16 connections
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the port the server listens on */
    public int port() {
        return server.getLocalPort();
    }

    /** @return the {@code relay://host:port} URI devices configure */
    public String uri() {
        return "relay://" + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    /** @return the number of batches acknowledged */
    public long batchesAcknowledged() {
        return batches.get();
    }

    /** @return the number of envelopes stored and acknowledged */
    public long envelopesStored() {
        return envelopes.get();
    }

    /** @return the number of batches refused (malformed or sink failure) */
    public long batchesRefused() {
        return refused.get();
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    LOG.warn("Relay server on port {} stopped accepting", server.getLocalPort(), e);
                }
                return;
            }
            if (connections.size() >= maxConnections) {
                refuseQuietly(s, "too many relay connections (limit " + maxConnections + ")");
                continue;
            }
            connections.add(s);
            if (closed.get()) {
                // close() may have run between accept and add: it did not see this socket, so close it here
                connections.remove(s);
                refuseQuietly(s, "relay gateway is shutting down");
                return;
            }
            Thread t = new Thread(() -> serve(s), "edgeloop-relay-" + s.getRemoteSocketAddress());
            t.setDaemon(true);
            t.start();
        }
    }

    private void refuseQuietly(Socket s, String why) {
        try (s) {
            RelayFrames.write(s.getOutputStream(), RelayFrames.error(new RelayFrames.Error(0, true, 1000, why)));
        } catch (IOException ignored) {
            // the device sees a dropped connection and retries
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.setSoTimeout((int) Math.max(1, handshakeTimeout.toMillis()));
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            int maxBody = codec.maxBatchBytes() + BatchCodec.HEADER_BYTES + 8;
            try {
                RelayFrames.checkHello(RelayFrames.read(in, 64));
            } catch (RelayProtocolException e) {
                RelayFrames.write(out, RelayFrames.error(new RelayFrames.Error(0, false, 0, e.getMessage())));
                return;
            }
            RelayFrames.write(out, RelayFrames.hello());
            s.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, idleTimeout.toMillis())));
            while (!closed.get()) {
                RelayFrames.Frame f = RelayFrames.read(in, maxBody);
                if (f.type() != RelayFrames.BATCH || f.body().length < 8) {
                    RelayFrames.write(out, RelayFrames.error(new RelayFrames.Error(0, false, 0,
                            "expected a BATCH frame, got type " + f.type())));
                    return;
                }
                long id = ByteBuffer.wrap(f.body()).getLong();
                Batch batch;
                try {
                    batch = codec.decode(Arrays.copyOfRange(f.body(), 8, f.body().length));
                } catch (UnsupportedBatchFormatException e) {
                    // a newer device, not a bad record: retryable, so it keeps the batch until this gateway is
                    // upgraded
                    refused.incrementAndGet();
                    RelayFrames.write(out, RelayFrames.error(new RelayFrames.Error(id, true, 60_000,
                            "unsupported batch: " + e.getMessage())));
                    continue;
                } catch (BatchFormatException e) {
                    refused.incrementAndGet();
                    RelayFrames.write(out, RelayFrames.error(new RelayFrames.Error(id, false, 0,
                            "malformed batch: " + e.getMessage())));
                    continue;
                }
                try {
                    sink.store(batch.envelopes());
                } catch (IOException | RuntimeException e) {
                    refused.incrementAndGet();
                    logRefusal(batch, e);
                    RelayFrames.write(out, RelayFrames.error(new RelayFrames.Error(id, true, 1000,
                            "gateway could not store the batch: " + e.getMessage())));
                    continue;
                }
                batches.incrementAndGet();
                envelopes.addAndGet(batch.size());
                RelayFrames.write(out, RelayFrames.ack(id, batch.size()));
            }
        } catch (SocketTimeoutException e) {
            LOG.info("Relay connection {} sent nothing for {}; closed to free its slot (the device reconnects with"
                    + " its next batch)", s.getRemoteSocketAddress(), idleTimeout);
        } catch (EOFException | SocketException e) {
            LOG.debug("Relay connection {} ended: {}", s.getRemoteSocketAddress(), e.toString());
        } catch (IOException e) {
            LOG.warn("Relay connection {} failed", s.getRemoteSocketAddress(), e);
        } finally {
            connections.remove(s);
        }
    }

    /**
     * Logs a batch the sink could not store. A refusal is an expected condition (a full disk at the gateway; the
     * device keeps the batch and retries), not a bug: one WARN line with the reason, at most once per 30 s
     * ({@link WarningLimiter}) with the count of refusals since, and the stack trace only at DEBUG. It used to log a
     * full stack trace for every refused batch (461 lines in 20 s on a full disk).
     */
    private void logRefusal(Batch batch, Exception e) {
        long since = refusalWarnings.tryWarn();
        if (since < 0) {
            LOG.debug("Relay sink failed to store {}; refused, the device keeps it", batch, e);
            return;
        }
        LOG.warn("Relay sink failed to store {}; refused, the device keeps it and retries: {}{}", batch, e.toString(),
                refusalWarnings.suffix(since));
        LOG.debug("Relay sink failure", e);
    }

    /** Stops accepting and drops every connection; batches not yet acknowledged stay with their devices. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing relay server socket failed", e);
        }
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.debug("closing relay connection failed", e);
            }
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Builder for {@link RelayServer}. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private RelaySink sink;
        private int maxBatchBytes = BatchCodec.DEFAULT_MAX_BATCH_BYTES;
        private int maxConnections = 16;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /**
         * @param idleTimeout how long a connection may send nothing after its handshake before it is closed, which
         *                    frees its slot (default 60 s; keep it above the devices' relay {@code idle-timeout})
         * @return this builder
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
            return this;
        }

        /**
         * @param host the address to bind (default 127.0.0.1; use the gateway's LAN address for real devices)
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
         * @param sink where relayed envelopes go; must return only once they are durable (required)
         * @return this builder
         */
        public Builder sink(RelaySink sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * @param maxBatchBytes the largest batch accepted (default 64 MiB)
         * @return this builder
         */
        public Builder maxBatchBytes(int maxBatchBytes) {
            this.maxBatchBytes = maxBatchBytes;
            return this;
        }

        /**
         * @param maxConnections the most devices connected at once (default 16)
         * @return this builder
         */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * @param handshakeTimeout how long a new connection may take to say HELLO (default 10 s)
         * @return this builder
         */
        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
            return this;
        }

        /**
         * Binds and starts the server.
         *
         * @return the running server
         * @throws IOException when the address cannot be bound
         */
        public RelayServer start() throws IOException {
            if (sink == null) {
                throw new IllegalArgumentException("A relay server needs a sink: call sink(...) with the gateway's"
                        + " durable store");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
            }
            if (maxBatchBytes < 1024) {
                throw new IllegalArgumentException("maxBatchBytes must be at least 1024, got " + maxBatchBytes);
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
            }
            if (idleTimeout.toMillis() < 1 || handshakeTimeout.toMillis() < 1) {
                throw new IllegalArgumentException("idleTimeout and handshakeTimeout must be positive, got "
                        + idleTimeout + " and " + handshakeTimeout);
            }
            return new RelayServer(this);
        }
    }
}
