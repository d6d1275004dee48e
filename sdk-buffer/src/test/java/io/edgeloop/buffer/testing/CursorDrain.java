package io.edgeloop.buffer.testing;

import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.cursor.Cursor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A plain at-least-once drain loop for tests: poll a cursor, send the batch, retry retryable failures, commit the
 * cursor only after the transport acknowledged. The product's forwarder does the same with backoff, linger and
 * metrics; this loop keeps the tests independent of its tuning.
 */
public final class CursorDrain implements AutoCloseable {
    private final Cursor cursor;
    private final Transport transport;
    private final int batchSize;
    private final Thread thread;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();
    private volatile boolean stop;

    /**
     * Starts draining at once.
     *
     * @param name      thread name
     * @param cursor    the cursor to drain
     * @param transport where to send (closed by {@link #close()})
     * @param batchSize records per batch
     */
    public CursorDrain(String name, Cursor cursor, Transport transport, int batchSize) {
        this.cursor = cursor;
        this.transport = transport;
        this.batchSize = batchSize;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stop) {
                List<BufferedRecord> records = cursor.poll(batchSize, 1 << 20);
                if (records.isEmpty()) {
                    cursor.awaitRecords(Duration.ofMillis(20));
                    continue;
                }
                List<Envelope> es = new ArrayList<>(records.size());
                records.forEach(r -> es.add(r.toEnvelope()));
                Batch b = Batch.of(es);
                while (true) {
                    if (stop) {
                        cursor.rewind();
                        return;
                    }
                    try {
                        transport.send(b);
                        break;
                    } catch (TransportException e) {
                        failures.incrementAndGet();
                        if (!e.isRetryable()) {
                            throw e;
                        }
                        Thread.sleep(Math.min(200, e.retryAfter().map(Duration::toMillis).orElse(20L)));
                    }
                }
                cursor.commit(records.get(records.size() - 1));
                acknowledged.addAndGet(records.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            if (!stop) {
                fatal.set(t);
            }
        }
    }

    /** @return records acknowledged and committed so far */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** @return failed sends so far */
    public long failures() {
        return failures.get();
    }

    /** @return a non-retryable failure that stopped the drain, or null */
    public Throwable fatal() {
        return fatal.get();
    }

    /** Stops the loop (an in-flight send is abandoned, its records stay uncommitted) and closes the transport. */
    @Override
    public void close() throws TransportException {
        stop = true;
        transport.close();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
