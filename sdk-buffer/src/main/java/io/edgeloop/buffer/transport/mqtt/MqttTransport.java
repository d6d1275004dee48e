package io.edgeloop.buffer.transport.mqtt;

import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
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
import java.util.concurrent.locks.ReentrantLock;

/**
 * Publishes each batch as one MQTT 3.1.1 message at QoS 1 (payload: the {@link BatchCodec} encoding) and
 * returns once the broker's PUBACK for it arrived. A small built-in publisher, not a general MQTT client: it
 * connects lazily with a clean session, sends one PUBLISH at a time and waits for its PUBACK. Any failure (no
 * CONNACK, no PUBACK within {@code publish-timeout}, a closed socket) drops the connection, and the batch is
 * reported as not acknowledged; the forwarder sends it again on a new connection, and receivers drop the
 * possible duplicate by idempotency key. No in-flight state is kept anywhere but in the Edgeloop buffer.
 * A connection idle for longer than the keep-alive interval is replaced before the next publish instead of
 * being kept alive by a background thread.
 *
 * <p>Thread-safe: sends are serialised on an internal lock; {@link #close()} may be called from any thread and
 * makes a blocked send fail at once, whether it waits for a connection, a CONNACK or a PUBACK.
 */
final class MqttTransport implements Transport {
    private final MqttSettings settings;
    private final BatchCodec codec;
    private final ReentrantLock lock = new ReentrantLock();
    private final String host;
    private final int port;
    private volatile Socket socket;
    private DataInputStream in;
    private OutputStream out;
    private long lastActivityNanos;
    private int nextPacketId = 1;
    private volatile boolean closed;

    MqttTransport(MqttSettings settings, BatchCodec codec, String host, int port) {
        this.settings = settings;
        this.codec = codec;
        this.host = host;
        this.port = port;
    }

    @Override
    public void send(Batch batch) throws TransportException {
        if (closed) {
            throw new IllegalStateException("mqtt transport to " + settings.serverUri() + " is closed");
        }
        byte[] payload;
        byte[] header;
        try {
            payload = codec.encode(batch);
            header = MqttPackets.publishHeader(settings.topic(), 1, payload.length);
        } catch (IllegalArgumentException e) {
            throw new TransportException("Cannot encode " + batch + ": " + e.getMessage(), false, e);
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("mqtt transport to " + settings.serverUri() + " is closed");
            }
            connectIfNeeded();
            int id = nextPacketId;
            nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
            header = MqttPackets.publishHeader(settings.topic(), id, payload.length);
            try {
                socket.setSoTimeout(timeoutMillis(settings.publishTimeout().toMillis()));
                out.write(header);
                out.write(payload);
                out.flush();
                lastActivityNanos = System.nanoTime();
                awaitPuback(id);
            } catch (IOException e) {
                dropConnection();
                if (closed) {
                    throw new TransportException("mqtt transport closed while sending " + batch, true, e);
                }
                String why = e instanceof SocketTimeoutException ? "no PUBACK within " + settings.publishTimeout()
                        : e.toString();
                throw new TransportException("Publishing " + batch + " to " + settings.serverUri() + " topic '"
                        + settings.topic() + "' was not acknowledged: " + why, true, e);
            }
        } finally {
            lock.unlock();
        }
    }

    private void awaitPuback(int id) throws IOException {
        while (true) {
            MqttPackets.Packet p = MqttPackets.read(in);
            if (p.type() == MqttPackets.PUBACK && p.body().length == 2) {
                int got = (p.body()[0] & 0xFF) << 8 | (p.body()[1] & 0xFF);
                if (got == id) {
                    return;
                }
                // A PUBACK for an earlier packet id cannot happen with one message in flight: protocol error.
                throw new IOException("PUBACK for packet " + got + " while waiting for " + id);
            }
            if (p.type() != MqttPackets.PINGRESP) {
                throw new IOException("unexpected MQTT packet type " + p.type() + " while waiting for PUBACK");
            }
        }
    }

    private void connectIfNeeded() throws TransportException {
        if (socket != null && System.nanoTime() - lastActivityNanos < settings.keepAlive().toNanos()) {
            return;
        }
        // Idle past keep-alive: the broker may have dropped us, so start afresh rather than find out by a failure.
        dropConnection();
        Socket s = new Socket();
        // Published before connecting, so that close() from another thread closes it and ends a connect or a wait
        // for CONNACK at once rather than after connect-timeout. close() sets closed before it reads socket, and
        // this thread reads closed after writing socket: one of the two always sees the other.
        socket = s;
        try {
            if (closed) {
                throw new SocketException("transport closed");
            }
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), timeoutMillis(settings.connectTimeout().toMillis()));
            s.setSoTimeout(timeoutMillis(settings.connectTimeout().toMillis()));
            DataInputStream i = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            OutputStream o = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            int keepAlive = (int) Math.min(0xFFFF, settings.keepAlive().toSeconds());
            o.write(MqttPackets.connect(settings.clientId(), true, keepAlive, settings.username(),
                    settings.password()));
            o.flush();
            MqttPackets.Packet ack = MqttPackets.read(i);
            if (ack.type() != MqttPackets.CONNACK || ack.body().length != 2) {
                throw new IOException("expected CONNACK, got packet type " + ack.type());
            }
            int code = ack.body()[1] & 0xFF;
            if (code != 0) {
                socket = null;
                closeQuietly(s);
                // A refused connection refuses no record: bad credentials, an unauthorised client or an
                // unavailable server are fixed at the broker, and the records must wait for that, not be skipped.
                throw new TransportException("MQTT broker " + settings.serverUri() + " refused the connection: "
                        + MqttPackets.connackReason(code) + (code == 3 ? "" : " (check the broker settings and "
                        + "credentials; the records are kept and sent once it accepts)"), true);
            }
            in = i;
            out = o;
            lastActivityNanos = System.nanoTime();
        } catch (TransportException e) {
            throw e;
        } catch (IOException e) {
            socket = null;
            closeQuietly(s);
            if (closed) {
                throw new TransportException("mqtt transport to " + settings.serverUri() + " closed while connecting",
                        true, e);
            }
            throw new TransportException("Cannot connect to MQTT broker " + settings.serverUri() + ": " + e, true, e);
        }
    }

    private static int timeoutMillis(long millis) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, millis));
    }

    private void dropConnection() {
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
        if (lock.tryLock()) {
            try {
                if (socket != null) {
                    try {
                        out.write(MqttPackets.disconnect());
                        out.flush();
                    } catch (IOException ignored) {
                        // the broker treats a dropped connection like a DISCONNECT for a clean session
                    }
                }
                dropConnection();
            } finally {
                lock.unlock();
            }
        } else {
            // A send is blocked on the socket: closing it makes that send fail at once.
            Socket s = socket;
            if (s != null) {
                closeQuietly(s);
            }
        }
    }

    @Override
    public String toString() {
        return "mqtt[" + settings.serverUri() + "/" + settings.topic() + "]";
    }
}
