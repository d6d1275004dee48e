package io.edgeloop.buffer.transport.mqtt;

import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.Compression;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A QoS 1 subscriber (Eclipse Paho) that decodes every batch arriving on a topic and keeps its envelopes,
 * duplicates included. With {@code persistentSession} it uses a fixed client id and clean-session=false, and
 * reconnects on its own (every 100 ms) after the broker dies, so the broker keeps queuing for it meanwhile.
 *
 * <p>{@link #sync()} publishes a marker and waits until it comes back: the broker delivers a subscriber's
 * messages in order, so everything the broker acknowledged before the marker has then arrived.
 */
final class MqttCollector implements AutoCloseable {
    private static final String MARKER = "edgeloop-test-marker:";

    private final Object lock = new Object();
    private final List<Envelope> envelopes = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final Set<String> markers = ConcurrentHashMap.newKeySet();
    private final MqttClient client;
    private final MqttConnectOptions options;
    private final String topic;
    private volatile boolean closed;
    private Thread reconnector;

    MqttCollector(String serverUri, String topic, boolean persistentSession) throws MqttException {
        this.topic = topic;
        String id = persistentSession ? "collector-" + topic.replace('/', '-') : "collector-" + UUID.randomUUID();
        client = new MqttClient(serverUri, id, new MemoryPersistence());
        options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(!persistentSession);
        options.setMaxInflight(1000);
        // Paho's default 30 s connection timeout let one reconnect attempt that met the broker mid-restart (TCP
        // accepted, no CONNACK yet) outlast sync()'s deadline on a loaded machine; retry quickly instead.
        options.setConnectionTimeout(2);
        // A persistent collector must notice a dead broker soon; a clean-session one loses what is published while
        // it reconnects, so it must not be dropped for one late PINGRESP on a loaded machine.
        options.setKeepAliveInterval(persistentSession ? 5 : 30);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                if (!closed) {
                    startReconnecting();
                }
            }

            @Override
            public void messageArrived(String t, MqttMessage m) {
                byte[] p = m.getPayload();
                String text = new String(p, 0, Math.min(p.length, 80), StandardCharsets.ISO_8859_1);
                if (text.startsWith(MARKER)) {
                    markers.add(text.substring(MARKER.length()));
                    return;
                }
                try {
                    List<Envelope> es = BatchCodec.of(Compression.NONE).decode(p).envelopes();
                    synchronized (lock) {
                        envelopes.addAll(es);
                    }
                } catch (Exception e) {
                    synchronized (lock) {
                        problems.add(e.toString());
                    }
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // only used for markers
            }
        });
        connectAndSubscribe();
    }

    /**
     * Connects and subscribes, retrying for up to 60 s: one attempt may meet a broker that has not answered within
     * the 2 s connection timeout on a loaded machine (as the first connect after a restart can).
     */
    private void connectAndSubscribe() throws MqttException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (!client.isConnected()) {
                    client.connect(options);
                }
                client.subscribe(topic, 1);
                return;
            } catch (MqttException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private synchronized void startReconnecting() {
        if (reconnector != null && reconnector.isAlive()) {
            return;
        }
        reconnector = new Thread(() -> {
            // Until connected AND subscribed: a subscribe that fails right after a successful connect must be
            // retried too, or the collector would sit connected without its subscription.
            boolean subscribed = false;
            while (!closed && !subscribed) {
                try {
                    if (!client.isConnected()) {
                        client.connect(options);
                    }
                    client.subscribe(topic, 1);
                    subscribed = true;
                } catch (MqttException e) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }, "collector-reconnect");
        reconnector.setDaemon(true);
        reconnector.start();
    }

    /** Waits until everything the broker acknowledged before this call has arrived. */
    void sync() throws Exception {
        String id = UUID.randomUUID().toString();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!markers.contains(id)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("marker did not come back within 60 s");
            }
            if (client.isConnected()) {
                try {
                    MqttMessage m = new MqttMessage((MARKER + id).getBytes(StandardCharsets.ISO_8859_1));
                    m.setQos(1);
                    client.publish(topic, m);
                    long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (!markers.contains(id) && System.nanoTime() < wait) {
                        Thread.sleep(5);
                    }
                    if (!markers.contains(id)) {
                        // A restarted broker may have restored the session without the subscription.
                        client.subscribe(topic, 1);
                    }
                } catch (MqttException e) {
                    Thread.sleep(100);
                }
            } else {
                Thread.sleep(50);
            }
        }
    }

    List<Envelope> envelopes() {
        synchronized (lock) {
            return List.copyOf(envelopes);
        }
    }

    List<String> problems() {
        synchronized (lock) {
            return List.copyOf(problems);
        }
    }

    @Override
    public void close() throws MqttException {
        closed = true;
        try {
            if (client.isConnected()) {
                client.disconnect(1000);
            }
        } finally {
            client.close(true);
        }
    }
}
