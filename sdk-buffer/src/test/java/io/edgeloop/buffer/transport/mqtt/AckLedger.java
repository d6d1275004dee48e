package io.edgeloop.buffer.transport.mqtt;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * Wraps a transport and records, for every envelope, when its batch was last acknowledged and by which broker
 * incarnation, so a test can tell where an acknowledged record went missing.
 */
final class AckLedger implements Transport {
    /** When and by which broker run an envelope was last acknowledged. */
    record Ack(long nanos, int incarnation) {
    }

    private final Transport delegate;
    private final IntSupplier incarnation;
    private final Map<IdempotencyKey, Ack> acks = new HashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();

    AckLedger(Transport delegate, IntSupplier incarnation) {
        this.delegate = delegate;
        this.incarnation = incarnation;
    }

    @Override
    public void send(Batch batch) throws TransportException {
        int before = incarnation.getAsInt();
        try {
            delegate.send(batch);
        } catch (TransportException e) {
            failures.incrementAndGet();
            throw e;
        }
        long now = System.nanoTime();
        batches.incrementAndGet();
        synchronized (acks) {
            for (Envelope e : batch.envelopes()) {
                acks.put(e.key(), new Ack(now, before));
            }
        }
    }

    Map<IdempotencyKey, Ack> acks() {
        synchronized (acks) {
            return Map.copyOf(acks);
        }
    }

    /** @return how many distinct envelopes were acknowledged so far (cheap enough to poll every millisecond) */
    int acknowledged() {
        synchronized (acks) {
            return acks.size();
        }
    }

    long failures() {
        return failures.get();
    }

    long batches() {
        return batches.get();
    }

    @Override
    public boolean isReachable() {
        return delegate.isReachable();
    }

    @Override
    public void close() throws TransportException {
        delegate.close();
    }
}
