/**
 * The {@code relay} transport: the device end of the gateway relay ({@code relay://host:port}).
 */
package io.edgeloop.buffer.transport.relay;
