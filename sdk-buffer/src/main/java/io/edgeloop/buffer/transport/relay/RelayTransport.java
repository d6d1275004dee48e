package io.edgeloop.buffer.transport.relay;

import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.relay.RelayFrames;
import io.edgeloop.buffer.relay.RelayProtocolException;
import io.edgeloop.buffer.relay.RelayRefusedException;
import io.edgeloop.buffer.wire.BatchCodec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends each batch as one BATCH frame to a {@code RelayServer} and returns when the gateway's ACK for it arrives,
 * which the gateway sends only once the envelopes are durable in its own buffer. Connects lazily; any failure
 * (refused connection, no ACK within {@code ack-timeout}, a dropped link) discards the connection and is a
 * retryable {@link TransportException}. So is every refusal of the connection rather than of the batch: an ERROR
 * in place of the gateway's HELLO (its connection limit, another protocol version) or an ERROR for the connection
 * (batch id 0), because no record is at fault and skipping records would lose them; the ERROR's wait is passed
 * on. Only an ERROR naming the batch carries its own retryable flag: a non-retryable one (the gateway could not
 * decode the batch) is the one refusal a forwarder may narrow down to a single record and skip.
 *
 * <p>A connection unused for {@code idle-timeout} is closed (by a shared daemon timer, or before the next send
 * at the latest) and reopened by the next send, so an idle device does not hold one of the gateway's limited
 * connection slots.
 *
 * <p>Thread-safe: sends are serialised on an internal lock; {@link #close()} may be called from any thread and
 * makes a blocked send fail at once, whether it waits for a connection, the gateway's HELLO or an ACK.
 */
final class RelayTransport implements Transport {
    private final String host;
    private final int port;
    private final BatchCodec codec;
    private final Duration connectTimeout;
    private final Duration ackTimeout;
    private final Duration idleTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    /** Closes idle connections of every relay transport; its one daemon thread ends when nothing is scheduled. */
    private static final ScheduledThreadPoolExecutor IDLE_CLOSER = idleCloser();
    private ScheduledFuture<?> idleClose;
    private long lastUsedNanos;
    private volatile Socket socket;
    private DataInputStream in;
    private OutputStream out;
    private long nextBatchId = 1;
    private volatile boolean closed;

    RelayTransport(String host, int port, BatchCodec codec, Duration connectTimeout, Duration ackTimeout,
            Duration idleTimeout) {
        this.host = host;
        this.port = port;
        this.codec = codec;
        this.connectTimeout = connectTimeout;
        this.ackTimeout = ackTimeout;
        this.idleTimeout = idleTimeout;
    }

    private static ScheduledThreadPoolExecutor idleCloser() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "edgeloop-relay-idle-close");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        e.setKeepAliveTime(5, TimeUnit.SECONDS);
        e.allowCoreThreadTimeOut(true);
        return e;
    }

    /** Marks the connection used and (re)arms its idle close. Caller holds the lock. */
    private void used() {
        lastUsedNanos = System.nanoTime();
        if (idleClose != null) {
            idleClose.cancel(false);
        }
        idleClose = IDLE_CLOSER.schedule(this::closeIfIdle, idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void closeIfIdle() {
        // a send in progress holds the lock and re-arms the timer when it is done
        if (lock.tryLock()) {
            try {
                if (socket != null && System.nanoTime() - lastUsedNanos >= idleTimeout.toNanos()) {
                    drop();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void send(Batch batch) throws TransportException {
        if (closed) {
            throw new IllegalStateException("relay transport to " + this + " is closed");
        }
        byte[] encoded;
        try {
            encoded = codec.encode(batch);
        } catch (IllegalArgumentException e) {
            throw new TransportException("Cannot encode " + batch + ": " + e.getMessage(), false, e);
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("relay transport to " + this + " is closed");
            }
            if (socket != null && System.nanoTime() - lastUsedNanos >= idleTimeout.toNanos()) {
                drop(); // the gateway may have closed it meanwhile; a fresh one costs less than a failed send
            }
            connectIfNeeded();
            long id = nextBatchId++;
            try {
                socket.setSoTimeout(millis(ackTimeout));
                RelayFrames.write(out, RelayFrames.batch(id, encoded));
                RelayFrames.Frame reply = RelayFrames.read(in, 64 * 1024);
                if (reply.type() == RelayFrames.ACK && reply.body().length >= 8
                        && ByteBuffer.wrap(reply.body()).getLong() == id) {
                    used();
                    return;
                }
                if (reply.type() == RelayFrames.ERROR) {
                    used();
                    RelayFrames.Error e = RelayFrames.error(reply);
                    boolean forThisBatch = e.batchId() == id;
                    if (!forThisBatch) {
                        drop();
                    }
                    // a refusal of the connection (batch id 0) says nothing about the records: retry them
                    throw new TransportException("Gateway " + this + " refused "
                            + (forThisBatch ? batch.toString() : "the connection while sending " + batch) + ": "
                            + e.message(), e.retryable() || !forThisBatch,
                            e.retryAfterMillis() > 0 ? Duration.ofMillis(e.retryAfterMillis()) : null, null);
                }
                throw new RelayProtocolException("unexpected relay frame type " + reply.type() + " for batch " + id);
            } catch (TransportException e) {
                throw e;
            } catch (IOException e) {
                drop();
                if (closed) {
                    throw new TransportException("relay transport closed while sending " + batch, true, e);
                }
                String why = e instanceof SocketTimeoutException ? "no ACK within " + ackTimeout : e.toString();
                throw new TransportException("Gateway " + this + " did not acknowledge " + batch + ": " + why, true, e);
            }
        } finally {
            lock.unlock();
        }
    }

    private void connectIfNeeded() throws TransportException {
        if (socket != null) {
            return;
        }
        Socket s = new Socket();
        // Published before connecting, so that close() from another thread closes it and ends a connect or a wait
        // for the gateway's HELLO at once rather than after connect-timeout. close() sets closed before it reads
        // socket, and this thread reads closed after writing socket: one of the two always sees the other.
        socket = s;
        try {
            if (closed) {
                throw new SocketException("transport closed");
            }
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), millis(connectTimeout));
            s.setSoTimeout(millis(connectTimeout));
            DataInputStream i = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            OutputStream o = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            RelayFrames.write(o, RelayFrames.hello());
            RelayFrames.checkHello(RelayFrames.read(i, 64 * 1024));
            in = i;
            out = o;
            used();
        } catch (RelayRefusedException e) {
            socket = null;
            closeQuietly(s);
            // The gateway refused the connection (busy, or it speaks another version): the endpoint is
            // unavailable, no record is at fault, so the cursor must stay put and the batch be sent again later.
            throw new TransportException("Relay gateway " + this + ": " + e.getMessage()
                    + "; the records are kept and sent again later", true, e.retryAfter().orElse(null), e);
        } catch (RelayProtocolException e) {
            socket = null;
            closeQuietly(s);
            throw new TransportException("Relay handshake with " + this + " failed (is this an Edgeloop relay "
                    + "gateway?): " + e.getMessage(), true, null, e);
        } catch (IOException e) {
            socket = null;
            closeQuietly(s);
            if (closed) {
                throw new TransportException("relay transport to " + this + " closed while connecting", true, e);
            }
            throw new TransportException("Cannot connect to relay gateway " + this + ": " + e, true, e);
        }
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    private void drop() {
        Socket s = socket;
        socket = null;
        in = null;
        out = null;
        if (s != null) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    @Override
    public boolean isReachable() {
        return !closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Socket s = socket;
        if (s != null) {
            closeQuietly(s);
        }
        if (lock.tryLock()) {
            try {
                if (idleClose != null) {
                    idleClose.cancel(false);
                }
                drop();
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public String toString() {
        return "relay://" + host + ":" + port;
    }
}
