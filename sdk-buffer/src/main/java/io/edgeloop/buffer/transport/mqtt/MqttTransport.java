package io.edgeloop.buffer.transport.mqtt;

import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.wire.BatchCodec;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each batch as one MQTT 3.1.1 message at QoS 1 (payload: the {@link BatchCodec} encoding) and
 * returns once the broker's PUBACK arrived. Connects lazily on the first send and again after any failure.
 * Paho keeps in-flight messages only in memory ({@link MemoryPersistence}) and uses a clean session: the
 * Edgeloop buffer is the persistence, and a batch without PUBACK is simply sent again by the forwarder
 * (receivers drop the duplicate by idempotency key).
 *
 * <p>Thread-safe: sends are serialised on an internal lock; {@link #close()} may be called from any thread and
 * makes a blocked send fail.
 */
final class MqttTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(MqttTransport.class);

    private final MqttSettings settings;
    private final BatchCodec codec;
    private final Object sendLock = new Object();
    private final Object stateLock = new Object();
    private MqttAsyncClient client;
    private volatile boolean closed;

    MqttTransport(MqttSettings settings, BatchCodec codec) {
        this.settings = settings;
        this.codec = codec;
    }

    @Override
    public void send(Batch batch) throws TransportException {
        if (closed) {
            throw new IllegalStateException("mqtt transport to " + settings.serverUri() + " is closed");
        }
        byte[] payload;
        try {
            payload = codec.encode(batch);
        } catch (IllegalArgumentException e) {
            throw new TransportException("Cannot encode " + batch + ": " + e.getMessage(), false, e);
        }
        synchronized (sendLock) {
            MqttAsyncClient c = connected();
            MqttMessage msg = new MqttMessage(payload);
            msg.setQos(1);
            msg.setRetained(false);
            try {
                IMqttDeliveryToken token = c.publish(settings.topic(), msg);
                token.waitForCompletion(settings.publishTimeout().toMillis());
                if (!token.isComplete() || token.getException() != null) {
                    throw new MqttException(MqttException.REASON_CODE_CLIENT_TIMEOUT);
                }
            } catch (MqttException e) {
                // Without a PUBACK we do not know the message's fate: drop the connection and its in-flight state,
                // the caller sends the batch again.
                disconnect();
                if (closed) {
                    throw new TransportException("mqtt transport closed while sending " + batch, true, e);
                }
                throw new TransportException("No PUBACK from " + settings.serverUri() + " for " + batch + " on topic '"
                        + settings.topic() + "': " + e.getMessage() + " (reason " + e.getReasonCode() + ")", true, e);
            }
        }
    }

    private MqttAsyncClient connected() throws TransportException {
        synchronized (stateLock) {
            if (closed) {
                throw new IllegalStateException("mqtt transport to " + settings.serverUri() + " is closed");
            }
            if (client != null && client.isConnected()) {
                return client;
            }
            disconnectLocked();
            MqttAsyncClient c;
            try {
                c = new MqttAsyncClient(settings.serverUri(), settings.clientId(), new MemoryPersistence());
            } catch (MqttException e) {
                throw new TransportException("Cannot create MQTT client for " + settings.serverUri() + ": "
                        + e.getMessage(), false, e);
            }
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setCleanSession(true);
            o.setAutomaticReconnect(false);
            o.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
            o.setKeepAliveInterval((int) Math.max(1, settings.keepAlive().toSeconds()));
            o.setMaxInflight(10);
            if (settings.username() != null) {
                o.setUserName(settings.username());
            }
            if (settings.password() != null) {
                o.setPassword(settings.password().toCharArray());
            }
            try {
                c.connect(o).waitForCompletion(settings.connectTimeout().toMillis() + 1000);
                if (!c.isConnected()) {
                    throw new MqttException(MqttException.REASON_CODE_CLIENT_TIMEOUT);
                }
            } catch (MqttException e) {
                closeQuietly(c);
                throw new TransportException("Cannot connect to MQTT broker " + settings.serverUri() + ": "
                        + e.getMessage() + " (reason " + e.getReasonCode() + ")", retryableConnectFailure(e), e);
            }
            client = c;
            return c;
        }
    }

    private static boolean retryableConnectFailure(MqttException e) {
        int r = e.getReasonCode();
        // Bad credentials, client id or protocol will not fix themselves by waiting.
        return r != MqttException.REASON_CODE_FAILED_AUTHENTICATION && r != MqttException.REASON_CODE_NOT_AUTHORIZED
                && r != MqttException.REASON_CODE_INVALID_CLIENT_ID
                && r != MqttException.REASON_CODE_INVALID_PROTOCOL_VERSION;
    }

    private void disconnect() {
        synchronized (stateLock) {
            disconnectLocked();
        }
    }

    private void disconnectLocked() {
        if (client != null) {
            closeQuietly(client);
            client = null;
        }
    }

    private static void closeQuietly(MqttAsyncClient c) {
        try {
            if (c.isConnected()) {
                c.disconnectForcibly(0, 1000, false);
            }
        } catch (MqttException e) {
            LOG.debug("MQTT disconnect failed", e);
        }
        try {
            c.close(true);
        } catch (MqttException e) {
            LOG.debug("MQTT client close failed", e);
        }
    }

    @Override
    public boolean isReachable() {
        synchronized (stateLock) {
            return !closed;
        }
    }

    @Override
    public void close() {
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
            disconnectLocked();
        }
    }

    @Override
    public String toString() {
        return "mqtt[" + settings.serverUri() + "/" + settings.topic() + "]";
    }
}
