/**
 * The {@code mqtt} transport: one QoS 1 message per batch through a small built-in publisher speaking MQTT 5 by
 * default ({@code protocol-version=3.1.1} for brokers without it). A PUBACK with a reason code below 0x80 is the
 * acknowledgement; one at or above 0x80 (not authorized, quota exceeded, packet too large, ...) fails the send and
 * the records stay unacknowledged. Under 3.1.1 a broker cannot refuse a QoS 1 publish, so any PUBACK counts.
 * An MQTT 5 broker's CONNACK limits are obeyed: Server Keep Alive, Maximum Packet Size (a larger PUBLISH is never
 * sent: the send fails as refused content), Maximum QoS (0 refuses the connection) and Receive Maximum.
 */
package io.edgeloop.buffer.transport.mqtt;
