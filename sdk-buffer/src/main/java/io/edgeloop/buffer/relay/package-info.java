/**
 * Gateway relay: a device without internet hands its records to a nearby gateway over a framed byte stream
 * (local TCP, or any serial-like stream); the gateway acknowledges a batch only once it is durable in its own
 * buffer, and its own forwarder sends the records upstream under their original idempotency keys.
 * The protocol is specified in {@code docs/formats/relay.md}.
 */
package io.edgeloop.buffer.relay;
