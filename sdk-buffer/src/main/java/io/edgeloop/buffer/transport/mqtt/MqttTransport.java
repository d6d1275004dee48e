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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Publishes each batch as one MQTT message at QoS 1 (payload: the {@link BatchCodec} encoding) and returns once the
 * broker's PUBACK for it arrived with a success reason code. Speaks MQTT 5 by default, because only MQTT 5 lets a
 * broker refuse a publish: a PUBACK reason code of 0x80 or above (0x87 not authorised by the ACL, 0x95 larger
 * than {@code message_size_limit}, 0x97 quota exceeded) fails the send, so the records stay unacknowledged. Only
 * 0x95 and 0x99 refuse the message itself and are not retryable (a forwarder then splits the batch); every other
 * refusal is retryable, because it refuses every record alike. The failure names the reason code and quotes the
 * broker's Reason String property when it sends one (with a DISCONNECT as well). With {@code protocol-version=3.1.1} a broker has no
 * way to refuse a publish: mosquitto answers a publish it drops (ACL, size limit) with a normal PUBACK, and the
 * records count as delivered. A small built-in publisher, not a general MQTT client: it
 * connects lazily with a clean session, sends one PUBLISH at a time and waits for its PUBACK. Any failure (no
 * CONNACK, no PUBACK within {@code publish-timeout}, a closed socket) drops the connection, and the batch is
 * reported as not acknowledged; the forwarder sends it again on a new connection, and receivers drop the
 * possible duplicate by idempotency key. No in-flight state is kept anywhere but in the Edgeloop buffer.
 * A connection idle for longer than the keep-alive interval is replaced before the next publish instead of
 * being kept alive by a background thread.
 *
 * <p>The limits an MQTT 5 broker announces in its CONNACK (OASIS MQTT 5.0, section 3.2.2.3) are obeyed for that
 * connection: its Server Keep Alive replaces the configured {@code keep-alive}; a PUBLISH larger than its Maximum
 * Packet Size is never sent, and the send fails, not retryable, with the packet size and the limit in the message
 * (a forwarder splits the batch; a single record that cannot fit is skipped and counted as rejected once a later
 * record is accepted, as for a PUBACK of 0x95 or an HTTP 413); a broker announcing Maximum QoS 0 is refused at
 * connect, retryably, because it would acknowledge nothing. Receive Maximum is met by sending one PUBLISH at a
 * time; retained messages and topic aliases are never used. Under 3.1.1 a broker announces no limits: one that
 * drops a connection for an oversized packet makes the send fail retryably, every time.
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
    /** The keep-alive of the current connection: the broker's Server Keep Alive when it sent one, else ours. */
    private long keepAliveNanos;
    /** The largest packet the broker of the current connection accepts (its Maximum Packet Size), in bytes. */
    private long maxPacketBytes;
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
            header = MqttPackets.publishHeader(settings.protocolLevel(), settings.topic(), 1, payload.length);
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
            header = MqttPackets.publishHeader(settings.protocolLevel(), settings.topic(), id, payload.length);
            long packetBytes = (long) header.length + payload.length;
            if (packetBytes > maxPacketBytes) {
                // MQTT 5.0, 3.2.2.3.6: the client MUST NOT send it. Sent anyway, mosquitto drops the connection,
                // and a large packet's reset often beat its DISCONNECT, which made the refusal look retryable.
                throw new TransportException("Not publishing " + batch + " to " + settings.serverUri() + " topic '"
                        + settings.topic() + "': its PUBLISH would be a " + packetBytes + "-byte packet, over the"
                        + " broker's Maximum Packet Size of " + maxPacketBytes + " bytes (from its CONNACK; mosquitto:"
                        + " max_packet_size). The records stay unacknowledged: a forwarder sends smaller batches, and"
                        + " skips and counts as rejected a single record that cannot fit", false);
            }
            nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
            Puback ack;
            try {
                socket.setSoTimeout(timeoutMillis(settings.publishTimeout().toMillis()));
                out.write(header);
                out.write(payload);
                out.flush();
                lastActivityNanos = System.nanoTime();
                ack = awaitPuback(id);
            } catch (IOException e) {
                dropConnection();
                if (closed) {
                    throw new TransportException("mqtt transport closed while sending " + batch, true, e);
                }
                String why = e instanceof SocketTimeoutException ? "no PUBACK within " + settings.publishTimeout()
                        : e instanceof BrokerDisconnect ? e.getMessage() : e.toString();
                boolean retryable = !(e instanceof BrokerDisconnect
                        && MqttPackets.refusesContent(((BrokerDisconnect) e).reason));
                throw new TransportException("Publishing " + batch + " to " + settings.serverUri() + " topic '"
                        + settings.topic() + "' was not acknowledged: " + why, retryable, e);
            }
            if (ack.reason() >= 0x80) {
                // The broker refused the message (MQTT 5): not delivered, so not acknowledged. The connection stays.
                boolean content = MqttPackets.refusesContent(ack.reason());
                throw new TransportException("MQTT broker " + settings.serverUri() + " refused the publish of "
                        + batch + " to topic '" + settings.topic() + "': "
                        + MqttPackets.reason5(ack.reason(), ack.reasonString())
                        + (content ? " (the message itself is refused: a forwarder splits the batch)"
                                : " (check the broker's ACL, limits and quotas for client '" + settings.clientId()
                                        + "'; the records are kept and sent again)"), !content);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The broker ended the connection with an MQTT 5 DISCONNECT and a reason code (and perhaps a Reason String).
     */
    private static final class BrokerDisconnect extends IOException {
        private static final long serialVersionUID = 1L;
        private final int reason;

        BrokerDisconnect(int reason, String reasonString) {
            super("the broker disconnected: " + MqttPackets.reason5(reason, reasonString));
            this.reason = reason;
        }
    }

    /** A PUBACK's reason code (0 for success, always 0 in 3.1.1) and its Reason String (null when absent). */
    private record Puback(int reason, String reasonString) {
    }

    /** Waits for the PUBACK of packet {@code id}. */
    private Puback awaitPuback(int id) throws IOException {
        boolean v5 = settings.protocolLevel() == MqttPackets.V5;
        while (true) {
            MqttPackets.Packet p = MqttPackets.read(in);
            if (p.type() == MqttPackets.PUBACK && (p.body().length == 2 || v5 && p.body().length > 2)) {
                int got = (p.body()[0] & 0xFF) << 8 | (p.body()[1] & 0xFF);
                if (got == id) {
                    // MQTT 5: a PUBACK of two bytes means success; otherwise the third byte is the reason code,
                    // and properties (a Reason String) may follow from the fourth
                    return p.body().length > 2 ? new Puback(p.body()[2] & 0xFF, MqttPackets.reasonString(p.body(), 3))
                            : new Puback(0, null);
                }
                // A PUBACK for an earlier packet id cannot happen with one message in flight: protocol error.
                throw new IOException("PUBACK for packet " + got + " while waiting for " + id);
            }
            if (v5 && p.type() == MqttPackets.DISCONNECT) {
                // No body means reason 0x00 (normal disconnection); properties may follow the reason code
                throw new BrokerDisconnect(p.body().length > 0 ? p.body()[0] & 0xFF : 0,
                        MqttPackets.reasonString(p.body(), 1));
            }
            if (p.type() != MqttPackets.PINGRESP) {
                throw new IOException("unexpected MQTT packet type " + p.type() + " while waiting for PUBACK");
            }
        }
    }

    private void connectIfNeeded() throws TransportException {
        if (socket != null && System.nanoTime() - lastActivityNanos < keepAliveNanos) {
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
            boolean v5 = settings.protocolLevel() == MqttPackets.V5;
            o.write(MqttPackets.connect(settings.protocolLevel(), settings.clientId(), true, keepAlive,
                    settings.username(), settings.password()));
            o.flush();
            MqttPackets.Packet ack = MqttPackets.read(i);
            if (ack.type() != MqttPackets.CONNACK) {
                throw new IOException("expected CONNACK, got packet type " + ack.type());
            }
            // MQTT 5 adds properties after the two bytes; a 3.1.1 broker answers a level-5 CONNECT with two bytes
            Connack connack = Connack.parse(ack.body(), v5);
            int code = connack.reason();
            if (code != 0) {
                socket = null;
                closeQuietly(s);
                // A refused connection refuses no record: bad credentials, an unauthorised client or an
                // unavailable server are fixed at the broker, and the records must wait for that, not be skipped.
                String reason;
                if (!v5) {
                    reason = MqttPackets.connackReason(code);
                } else if (code == 1 || code == 0x84) {
                    reason = "the broker does not speak MQTT 5 (" + (code == 1 ? "it answered as an MQTT 3.1.1 "
                            + "broker" : MqttPackets.reason5(code)) + "); upgrade it, or set protocol-version=3.1.1"
                            + " knowing that an MQTT 3.1.1 broker cannot refuse a publish: one it drops (ACL, size"
                            + " limit) is acknowledged all the same and its records count as delivered";
                } else {
                    reason = MqttPackets.reason5(code, connack.reasonString());
                }
                boolean unavailable = v5 ? code == 0x88 || code == 0x89 : code == 3;
                throw new TransportException("MQTT broker " + settings.serverUri() + " refused the connection: "
                        + reason + (unavailable ? "" : " (check the broker settings and "
                        + "credentials; the records are kept and sent once it accepts)"), true);
            }
            if (connack.maximumQos() == 0) {
                socket = null;
                try {
                    o.write(MqttPackets.disconnect());
                    o.flush();
                } catch (IOException ignored) {
                    // closing the socket ends the session just as well
                }
                closeQuietly(s);
                // Nothing published at QoS 0 is acknowledged, so no record could ever be confirmed: refuse, and
                // keep every record (the broker's setting refuses them all alike, so retryable).
                throw new TransportException("MQTT broker " + settings.serverUri() + " announced Maximum QoS 0 in its"
                        + " CONNACK: it acknowledges no publish, so no record could be confirmed delivered. Allow QoS"
                        + " 1 for this listener (mosquitto: max_qos 1 or 2); the records are kept and sent once it"
                        + " does", true);
            }
            in = i;
            out = o;
            // MQTT 5.0, 3.2.2.3.14: the client MUST use the broker's Server Keep Alive instead of its own. Zero
            // means the broker never drops an idle client; our own interval then only bounds how long an idle
            // connection is trusted (replacing it costs one reconnect).
            keepAliveNanos = connack.serverKeepAlive() > 0
                    ? TimeUnit.SECONDS.toNanos(connack.serverKeepAlive()) : settings.keepAlive().toNanos();
            maxPacketBytes = connack.maximumPacketSize() > 0 ? connack.maximumPacketSize()
                    : MqttPackets.MAX_REMAINING + 5L;
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
