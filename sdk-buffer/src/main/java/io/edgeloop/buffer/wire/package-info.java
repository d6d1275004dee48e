/**
 * The binary wire format of a {@link io.edgeloop.api.transport.Batch}, shared by every transport and receiver:
 * {@link io.edgeloop.buffer.wire.BatchCodec}. Specified in {@code docs/formats/batch-wire.md}.
 */
package io.edgeloop.buffer.wire;
