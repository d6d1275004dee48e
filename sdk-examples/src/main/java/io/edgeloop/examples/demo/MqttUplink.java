package io.edgeloop.examples.demo;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.receiver.Deduplicator;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.Compression;
import io.edgeloop.examples.demo.data.BufferedDataPath;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The cloud side of {@code edgeloop demo --mqtt HOST:PORT}: forwarders publish batches with the {@code mqtt}
 * transport (QoS 1, the broker's PUBACK is the acknowledgement) to a topic unique to the run, and this
 * subscriber (Eclipse Paho, QoS 1) decodes each batch and drops duplicate envelopes by idempotency key.
 *
 * <p>Subscribing before the first publish, with QoS 1, means the broker delivers every acknowledged batch at
 * least once to this subscriber. After the forwarders finish, {@link #accepted()} waits until the broker has
 * delivered as many envelopes as were acknowledged, or 30 s.
 *
 * <p>Thread-safe: Paho's callback thread adds envelopes under a lock; readers take the same lock.
 */
final class MqttUplink implements BufferedDataPath.Uplink {
    private final String broker;
    private final String topic;
    private final MqttClient client;
    private final Deduplicator dedup = new Deduplicator();
    private final BatchCodec codec = BatchCodec.of(Compression.NONE);
    private final Object lock = new Object();
    private final List<Envelope> accepted = new ArrayList<>();
    private final AtomicLong badMessages = new AtomicLong();

    MqttUplink(String hostPort, DemoConsole console) throws IOException {
        this.broker = hostPort;
        this.topic = "edgeloop/demo/" + Long.toHexString(System.nanoTime());
        try {
            client = new MqttClient("tcp://" + hostPort, "edgeloop-demo-ingest-" + Long.toHexString(System.nanoTime()),
                    new MemoryPersistence());
            client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    console.line("MQTT subscriber lost its connection: %s", cause.getMessage());
                }

                @Override
                public void messageArrived(String t, MqttMessage message) {
                    receive(message.getPayload());
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                    // The subscriber publishes nothing.
                }
            });
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            o.setConnectionTimeout(10);
            client.connect(o);
            client.subscribe(topic, 1);
        } catch (MqttException e) {
            closeQuietly();
            throw new IOException("Cannot subscribe at the MQTT broker " + hostPort + ": " + e.getMessage()
                    + " (is a broker such as mosquitto listening there?)", e);
        }
    }

    private void receive(byte[] payload) {
        Batch b;
        try {
            b = codec.decode(payload);
        } catch (IOException e) {
            badMessages.incrementAndGet();
            return;
        }
        synchronized (lock) {
            accepted.addAll(dedup.accept(b.envelopes()));
            lock.notifyAll();
        }
    }

    @Override
    public String transport() {
        return "mqtt";
    }

    @Override
    public ComponentConfig config() {
        return ComponentConfig.builder().put("uri", "mqtt://" + broker + "/" + topic).build();
    }

    @Override
    public List<Envelope> accepted() throws IOException {
        // Deliveries may trail the publishers' PUBACKs a little; wait until they stop growing.
        long deadline = System.nanoTime() + 30_000_000_000L;
        synchronized (lock) {
            int last = -1;
            while (accepted.size() != last && System.nanoTime() < deadline) {
                last = accepted.size();
                try {
                    lock.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("Interrupted while waiting for MQTT deliveries", e);
                }
            }
            return List.copyOf(accepted);
        }
    }

    @Override
    public long duplicatesDropped() {
        return dedup.duplicatesDropped();
    }

    @Override
    public Optional<String> injectFailures(int count) {
        return Optional.empty();
    }

    @Override
    public String describe() {
        return "the MQTT broker " + broker + " (mqtt transport, QoS 1) and a deduplicating subscriber";
    }

    /** Releases a client whose connect or subscribe failed in the constructor. */
    private void closeQuietly() {
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(1000);
            }
            client.close();
        } catch (MqttException ignored) {
            // the constructor reports the original failure
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        } catch (MqttException e) {
            throw new IOException("Cannot close the MQTT subscriber: " + e.getMessage(), e);
        }
    }
}
