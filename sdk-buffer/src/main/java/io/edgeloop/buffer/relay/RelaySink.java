package io.edgeloop.buffer.relay;

import io.edgeloop.api.transport.Envelope;
import java.io.IOException;
import java.util.List;

/**
 * Where a {@link RelayServer} puts the envelopes of a relayed batch. {@link #store} returns only once they are
 * durable: the relay acknowledges the batch to the device right after.
 *
 * <p>Implementations must be thread-safe: one call per connection may run at a time.
 */
@FunctionalInterface
public interface RelaySink {
    /**
     * Stores envelopes durably, keeping their idempotency keys.
     *
     * @param envelopes the envelopes of one batch, in order
     * @throws IOException when they could not be made durable (the batch is then refused, and the device keeps it)
     */
    void store(List<Envelope> envelopes) throws IOException;
}
