package io.edgeloop.buffer.transport.mqtt;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * Wraps a transport and records, for every envelope, when its batch was last acknowledged and by which broker
 * incarnation, so a test can tell where an acknowledged record went missing; and can hold sends for a moment
 * (a test that must know everything acknowledged so far reached a subscriber before it kills the broker).
 *
 * <p>Thread-safe: sends (from one forwarder thread) and the test's queries and holds may run concurrently.
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
    private final Object gate = new Object();
    /** Whether sends that have not started wait (see {@link #hold}). Guarded by {@link #gate}. */
    private boolean held;
    /** Whether a send is between its start and its return. Guarded by {@link #gate}. */
    private boolean sending;
    /** How many sends have started. Guarded by {@link #gate}. */
    private long started;

    AckLedger(Transport delegate, IntSupplier incarnation) {
        this.delegate = delegate;
        this.incarnation = incarnation;
    }

    @Override
    public void send(Batch batch) throws TransportException {
        synchronized (gate) {
            while (held) {
                try {
                    gate.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TransportException("interrupted while sends were held", true, e);
                }
            }
            sending = true;
            started++;
            gate.notifyAll();
        }
        try {
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
        } finally {
            synchronized (gate) {
                sending = false;
                gate.notifyAll();
            }
        }
    }

    /**
     * Makes sends that have not started wait until {@link #release()}, and waits until the send in progress, if
     * any, has returned: from then on the broker receives nothing from this transport.
     */
    void hold(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (gate) {
            held = true;
            while (sending) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("a send did not return within " + timeoutMillis + " ms");
                }
                gate.wait(left);
            }
        }
    }

    /** Lets sends start again. @return how many sends had started so far */
    long release() {
        synchronized (gate) {
            held = false;
            gate.notifyAll();
            return started;
        }
    }

    /** Waits up to {@code timeoutMillis} until more than {@code count} sends have started. */
    void awaitStartedMoreThan(long count, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (gate) {
            long left;
            while (started <= count && (left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) > 0) {
                gate.wait(left);
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
