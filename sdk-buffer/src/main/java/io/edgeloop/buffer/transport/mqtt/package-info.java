/**
 * The {@code mqtt} transport: one QoS 1 MQTT 3.1.1 message per batch through a small built-in publisher; the broker's
 * PUBACK is the acknowledgement.
 */
package io.edgeloop.buffer.transport.mqtt;
