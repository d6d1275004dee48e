package io.edgeloop.buffer.transport.mqtt;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.Compression;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A minimal synchronous MQTT 3.1.1 QoS 1 subscriber for the broker-kill test: persistent session (clean session
 * off, fixed client id), and every PUBLISH it reads is decoded and recorded <em>before</em> its PUBACK is sent
 * and before the next read, so a message that reached its socket is never dropped when the connection dies
 * (unlike clients that queue messages for a callback thread). Reconnects every 50 ms while the broker is down.
 */
final class SyncSubscriber implements AutoCloseable {
    private final int port;
    private final String topic;
    private final String clientId;
    private final Object lock = new Object();
    private final List<Envelope> envelopes = new ArrayList<>();
    /** The distinct keys of {@link #envelopes}. */
    private final Set<IdempotencyKey> keys = new HashSet<>();
    /** The envelopes of PUBLISH packets the broker flagged DUP: its own redeliveries (after a restart). */
    private final List<Envelope> redelivered = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean subscribed;
    private volatile Socket socket;
    private int connections;

    SyncSubscriber(int port, String topic) {
        this.port = port;
        this.topic = topic;
        this.clientId = "sync-subscriber-" + topic.replace('/', '-');
        this.thread = new Thread(this::run, "sync-subscriber");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!closed) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket = s;
                DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
                OutputStream out = s.getOutputStream();
                out.write(MqttPackets.connect(clientId, false, 60, null, null));
                out.flush();
                MqttPackets.Packet ack = MqttPackets.read(in);
                if (ack.type() != MqttPackets.CONNACK || ack.body()[1] != 0) {
                    throw new IOException("CONNACK refused");
                }
                out.write(subscribe(1, topic));
                out.flush();
                synchronized (lock) {
                    connections++;
                }
                while (!closed) {
                    MqttPackets.Packet p = MqttPackets.read(in, MqttPackets.MAX_REMAINING);
                    if (p.type() == 9) {
                        subscribed = true;
                    } else if (p.type() == MqttPackets.PUBLISH) {
                        int qos = p.flags() >> 1 & 3;
                        ByteBuffer b = ByteBuffer.wrap(p.body());
                        int topicLength = b.getShort() & 0xFFFF;
                        b.position(b.position() + topicLength);
                        int id = qos > 0 ? b.getShort() & 0xFFFF : 0;
                        byte[] payload = new byte[b.remaining()];
                        b.get(payload);
                        record(payload, (p.flags() & 8) != 0);
                        if (qos > 0) {
                            out.write(new byte[] {(byte) (MqttPackets.PUBACK << 4), 2, (byte) (id >> 8), (byte) id});
                            out.flush();
                        }
                    }
                }
            } catch (IOException e) {
                subscribed = false;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void record(byte[] payload, boolean dup) {
        try {
            List<Envelope> es = BatchCodec.of(Compression.NONE).decode(payload).envelopes();
            synchronized (lock) {
                envelopes.addAll(es);
                for (Envelope e : es) {
                    keys.add(e.key());
                }
                if (dup) {
                    redelivered.addAll(es);
                }
            }
        } catch (Exception e) {
            synchronized (lock) {
                problems.add(e.toString());
            }
        }
    }

    private static byte[] subscribe(int packetId, String filter) {
        byte[] f = filter.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.write(packetId >> 8);
        v.write(packetId);
        v.write(f.length >> 8);
        v.write(f.length);
        v.writeBytes(f);
        v.write(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x82);
        out.write(v.size());
        out.writeBytes(v.toByteArray());
        return out.toByteArray();
    }

    /** Waits until the subscriber is connected and its subscription acknowledged. */
    void awaitSubscribed(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!subscribed) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("subscriber not connected within " + timeoutMillis + " ms");
            }
            Thread.sleep(5);
        }
    }

    /**
     * Waits until the connection the subscriber had has ended (it read everything the broker wrote to it up to
     * the end of the stream): after a kill, what it received by then is what reached its socket.
     */
    void awaitDisconnected(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (subscribed) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("subscriber still connected after " + timeoutMillis + " ms");
            }
            Thread.sleep(5);
        }
    }

    /** @return whether the subscriber is connected and its subscription acknowledged */
    boolean isSubscribed() {
        return subscribed;
    }

    /** @return the distinct keys received so far */
    Set<IdempotencyKey> keys() {
        synchronized (lock) {
            return Set.copyOf(keys);
        }
    }

    /**
     * Waits until every one of {@code keys} was received.
     *
     * @throws AssertionError naming some of the keys still missing after {@code timeoutMillis}
     */
    void awaitKeys(Set<IdempotencyKey> keys, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            synchronized (lock) {
                if (this.keys.containsAll(keys)) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                Set<IdempotencyKey> missing = new HashSet<>(keys);
                missing.removeAll(keys());
                throw new AssertionError(missing.size() + " records never reached the subscriber within "
                        + timeoutMillis + " ms, e.g. " + missing.stream().limit(5).toList());
            }
            Thread.sleep(5);
        }
    }

    /** Waits until at least {@code count} envelopes arrived or the timeout passed. */
    void awaitAtLeast(int count, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            synchronized (lock) {
                if (envelopes.size() >= count) {
                    return;
                }
            }
            Thread.sleep(10);
        }
    }

    List<Envelope> envelopes() {
        synchronized (lock) {
            return List.copyOf(envelopes);
        }
    }

    /** @return the envelopes of messages the broker redelivered (DUP flag set), also counted in envelopes() */
    List<Envelope> redelivered() {
        synchronized (lock) {
            return List.copyOf(redelivered);
        }
    }

    List<String> problems() {
        synchronized (lock) {
            return List.copyOf(problems);
        }
    }

    int connections() {
        synchronized (lock) {
            return connections;
        }
    }

    @Override
    public void close() {
        closed = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
