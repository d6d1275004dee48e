/**
 * The durable on-device buffer: {@link io.edgeloop.buffer.DurableBuffer} appends records to a segmented,
 * checksummed log, reports them durable according to its {@link io.edgeloop.buffer.policy.Durability}, and hands
 * them to named cursors that advance only when a transport acknowledged them.
 */
package io.edgeloop.buffer;
