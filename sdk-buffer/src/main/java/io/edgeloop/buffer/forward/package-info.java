/**
 * The forwarder: drains a named cursor to a {@link io.edgeloop.api.transport.Transport} in batches, with
 * exponential backoff, Retry-After, a connectivity hook and clean shutdown.
 */
package io.edgeloop.buffer.forward;
