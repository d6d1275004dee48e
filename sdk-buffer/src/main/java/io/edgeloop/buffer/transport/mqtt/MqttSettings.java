package io.edgeloop.buffer.transport.mqtt;

import java.time.Duration;

/**
 * Parsed settings of one MQTT transport. Immutable, so thread-safe.
 *
 * @param serverUri      the broker, {@code mqtt://host:port}, for messages
 * @param topic          the topic to publish to
 * @param clientId       the MQTT client id
 * @param username       the user name, or null
 * @param password       the password, or null
 * @param connectTimeout how long a connect may take
 * @param publishTimeout how long to wait for a PUBACK
 * @param keepAlive      the MQTT keep-alive interval
 * @param protocolLevel  {@link MqttPackets#V5} or {@link MqttPackets#V311}
 */
record MqttSettings(String serverUri, String topic, String clientId, String username, String password,
        Duration connectTimeout, Duration publishTimeout, Duration keepAlive, int protocolLevel) {
    @Override
    public String toString() {
        // Never print the password.
        return "MqttSettings[" + serverUri + ", topic " + topic + ", client " + clientId + "]";
    }
}
