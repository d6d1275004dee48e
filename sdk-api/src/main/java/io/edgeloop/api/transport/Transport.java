package io.edgeloop.api.transport;

import java.util.concurrent.CompletableFuture;

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
     * Sends a batch without waiting: the returned future completes normally only after the receiver acknowledged
     * every envelope, exactly as {@link #send(Batch)} returns, and exceptionally with a {@link TransportException}
     * (or {@link IllegalStateException} after close) otherwise. Lets one caller keep many batches in flight, as a
     * gateway draining thousands of device buffers through one pipelining client (Kafka) must; the idea is
     * OpenTelemetry's asynchronous {@code export}.
     *
     * <p>The default sends synchronously in the caller's thread and returns a completed future, so every
     * transport supports it. Implementations that override it may complete the future on their own I/O thread:
     * callers must not block or do I/O in dependent stages run there (hand the work to an executor). Several
     * batches may be in flight at once from several threads; their relative order at the receiver is not defined,
     * so a caller that needs per-device order keeps at most one batch per device in flight.
     *
     * @param batch the batch
     * @return a future completed on acknowledgement
     */
    default CompletableFuture<Void> sendAsync(Batch batch) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            send(batch);
            done.complete(null);
        } catch (TransportException | RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

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
