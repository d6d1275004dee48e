package io.edgeloop.examples.bench.ingest;

import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongSupplier;

/**
 * The gateway's transport during a run with a broker restart: once the drain has acknowledged the records at
 * which the broker is to be killed, new sends wait until the kill has happened ({@link #open()}), then go on into
 * the outage. Without it a drain that reached its end before the watcher thread looked again (a few milliseconds
 * on a loaded machine, with the remaining batches in flight) ended without any broker restart.
 *
 * <p>Thread-safe: sends may come from any number of threads; {@link #open()} may be called from any thread.
 */
final class KillGate implements Transport {
    private final Transport delegate;
    private final long killAfter;
    private final CountDownLatch killed = new CountDownLatch(1);
    private volatile LongSupplier acknowledged = () -> 0;

    /**
     * @param delegate  the transport that sends
     * @param killAfter the number of acknowledged records at which the broker is killed
     */
    KillGate(Transport delegate, long killAfter) {
        this.delegate = delegate;
        this.killAfter = killAfter;
    }

    /** @param acknowledged the drain's count of acknowledged records */
    void watch(LongSupplier acknowledged) {
        this.acknowledged = acknowledged;
    }

    /** Lets sends through again: the broker was killed, or there is to be no kill (the watcher gave up). */
    void open() {
        killed.countDown();
    }

    private void awaitKill() throws TransportException {
        if (killed.getCount() > 0 && acknowledged.getAsLong() >= killAfter) {
            try {
                killed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransportException("interrupted while the broker is being killed", true, e);
            }
        }
    }

    @Override
    public void send(Batch batch) throws TransportException {
        awaitKill();
        delegate.send(batch);
    }

    @Override
    public CompletableFuture<Void> sendAsync(Batch batch) {
        try {
            awaitKill();
        } catch (TransportException e) {
            return CompletableFuture.failedFuture(e);
        }
        return delegate.sendAsync(batch);
    }

    @Override
    public boolean isReachable() {
        return delegate.isReachable();
    }

    @Override
    public void close() throws TransportException {
        open();
        delegate.close();
    }
}
