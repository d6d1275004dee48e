package io.edgeloop.api.transport;

/**
 * Carries batches of buffered records to a receiver and reports acknowledgement.
 *
 * <p>Contract: {@link #send(Batch)} returns normally only after the receiver acknowledged every envelope
 * (an HTTP 2xx, an MQTT PUBACK, a Kafka {@code acks=all} response, a renamed file). On any doubt it throws
 * {@link TransportException}; the caller then resends, so receivers must drop duplicates by
 * {@link io.edgeloop.api.record.IdempotencyKey}. Transports connect lazily and reconnect on their own.
 *
 * <p>Thread-safety: implementations must allow {@code close()} from any thread; {@code send} is called by one
 * forwarder thread at a time unless the implementation documents otherwise. {@link #close()} is idempotent;
 * {@code send} after close throws {@link IllegalStateException}.
 */
public interface Transport extends AutoCloseable {
    /**
     * Sends a batch and waits for its acknowledgement.
     *
     * @param batch the batch
     * @throws TransportException when the batch was not acknowledged
     */
    void send(Batch batch) throws TransportException;

    /**
     * Returns whether the transport believes the receiver is reachable right now, without blocking long.
     *
     * @return true when a send is worth trying
     */
    default boolean isReachable() {
        return true;
    }

    /**
     * Releases connections. Idempotent.
     *
     * @throws TransportException when releasing fails
     */
    @Override
    void close() throws TransportException;
}
