package io.edgeloop.buffer.forward;

import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.cursor.CursorFile;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains many durable buffers (one per device, as a gateway holds them) through one shared {@link Transport},
 * with many batches in flight and few threads.
 *
 * <p>Why not one {@link Forwarder} per buffer: a forwarder blocks its thread while a batch waits for its
 * acknowledgement, so a gateway with ten thousand buffers needs either ten thousand threads or a pool whose size
 * caps the records in flight (throughput = records in flight / acknowledgement latency). Measured on the Kafka
 * ingest benchmark: more pool threads did not help either, because every thread also opens and closes files and
 * the JDK serialises file-channel opens across threads. The drainer splits the two: a small pool of I/O threads
 * opens buffers, reads batches, commits cursors and closes buffers, while up to {@code maxActive} buffers each
 * keep one batch in flight through {@link Transport#sendAsync(Batch)}.
 *
 * <p>Guarantees, per buffer, the same as a forwarder's: the cursor commits a batch only after the transport
 * acknowledged it (so nothing acknowledged is lost and nothing unacknowledged is skipped); one batch per buffer is
 * in flight at a time, so a device's records reach the transport in order; a retryable failure rewinds the cursor
 * and retries after a backoff; a batch refused as never acceptable is split in halves down to the single record,
 * which is skipped and counted as rejected only once a later record sent alone was accepted (so a receiver that
 * refuses everything costs no record; the decision keeps no state across drains, see {@link Forwarder}), and, with
 * a dead-letter sink ({@link Builder#deadLetters}), only once it is kept there. A buffer that cannot be opened or read is reported and left
 * as it is; the others are drained. The drainer does not close the transport.
 *
 * <p>Thread-safe: {@link #drain} may be called by one thread at a time; {@link #stats()} from any thread.
 */
public final class FleetDrainer {
    private static final Logger LOG = LoggerFactory.getLogger(FleetDrainer.class);

    /**
     * Opens the buffer of one device directory.
     *
     * <p>Thread safety: called from the drainer's I/O threads, several at once (one call per buffer directory, up
     * to {@code ioThreads} concurrently): implementations must be thread-safe.
     */
    @FunctionalInterface
    public interface BufferOpener {
        /**
         * @param directory the buffer directory
         * @return the open buffer; the drainer closes it
         * @throws IOException when it cannot be opened
         */
        DurableBuffer open(Path directory) throws IOException;
    }

    /**
     * What a drain did.
     *
     * <p>Thread-safe: immutable.
     *
     * @param buffers             buffers given to the drain
     * @param buffersDrained      buffers read to the end with everything acknowledged
     * @param batchesAcknowledged batches the transport acknowledged
     * @param recordsAcknowledged records in them
     * @param failedAttempts      sends that failed and were retried
     * @param recordsRejected     records refused as never acceptable (skipped)
     * @param failedBuffers       buffers that could not be opened, read or committed, with the reason
     * @param complete            whether every buffer was drained before the timeout
     * @param recordsDeadLettered of {@code recordsRejected}, those kept in the dead-letter sink
     *                            ({@link Builder#deadLetters}) before they were skipped
     */
    public record Report(int buffers, int buffersDrained, long batchesAcknowledged, long recordsAcknowledged,
                         long failedAttempts, long recordsRejected, Map<Path, String> failedBuffers,
                         boolean complete, long recordsDeadLettered) {
        /** Copies the map. */
        public Report {
            failedBuffers = Map.copyOf(failedBuffers);
        }

        /**
         * A report without dead letters (the components before {@code recordsDeadLettered} was added).
         *
         * @param buffers             buffers given to the drain
         * @param buffersDrained      buffers read to the end with everything acknowledged
         * @param batchesAcknowledged batches the transport acknowledged
         * @param recordsAcknowledged records in them
         * @param failedAttempts      sends that failed and were retried
         * @param recordsRejected     records refused as never acceptable (skipped)
         * @param failedBuffers       buffers that could not be opened, read or committed, with the reason
         * @param complete            whether every buffer was drained before the timeout
         */
        public Report(int buffers, int buffersDrained, long batchesAcknowledged, long recordsAcknowledged,
                long failedAttempts, long recordsRejected, Map<Path, String> failedBuffers, boolean complete) {
            this(buffers, buffersDrained, batchesAcknowledged, recordsAcknowledged, failedAttempts, recordsRejected,
                    failedBuffers, complete, 0);
        }
    }

    private final Transport transport;
    private final String cursorName;
    private final BufferOpener opener;
    private final int ioThreads;
    private final int maxActive;
    private final int maxBatchRecords;
    private final long maxBatchBytes;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double jitter;
    private final long seed;

    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final DeadLetterSink deadLetters;

    private FleetDrainer(Builder b) {
        this.transport = Objects.requireNonNull(b.transport, "transport");
        this.cursorName = b.cursorName;
        this.opener = Objects.requireNonNull(b.opener, "opener");
        this.ioThreads = b.ioThreads;
        this.maxActive = b.maxActive;
        this.maxBatchRecords = b.maxBatchRecords;
        this.maxBatchBytes = b.maxBatchBytes;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.jitter = b.jitter;
        this.seed = b.seed;
        this.deadLetters = b.deadLetters;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Counts so far, over every drain of this drainer: batches and records acknowledged, failed attempts and
     * rejected records, as a {@link ForwarderStats} (consecutive failures and the last error are not tracked).
     *
     * @return the counts
     */
    public ForwarderStats stats() {
        return new ForwarderStats(batches.get(), records.get(), failures.get(), rejected.get(), 0,
                Optional.empty(), deadLettered.get(), Optional.empty());
    }

    /**
     * Drains every buffer until it holds nothing unacknowledged for the cursor, or the timeout passes.
     *
     * @param directories the buffer directories
     * @param timeout     the longest the whole drain may take
     * @return what was done
     * @throws InterruptedException when interrupted (in-flight batches are then abandoned uncommitted)
     */
    public Report drain(List<Path> directories, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(directories, "directories");
        long deadline = System.nanoTime() + timeout.toNanos();
        Run run = new Run(directories.size());
        try {
            for (int i = 0; i < directories.size(); i++) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !run.active.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
                Device d = new Device(directories.get(i), i);
                run.started.incrementAndGet();
                run.io.execute(() -> run.open(d));
            }
            // buffers never started count as done, so the latch waits only for those that were
            for (int i = run.started.get(); i < directories.size(); i++) {
                run.done.countDown();
            }
            long left = deadline - System.nanoTime();
            boolean complete = run.started.get() == directories.size() && left > 0
                    && run.done.await(left, TimeUnit.NANOSECONDS);
            if (!complete) {
                run.stopping = true;
                // let in-flight batches finish or fail so their buffers are closed, within a short grace
                run.done.await(5, TimeUnit.SECONDS);
            }
            return new Report(directories.size(), run.drained.get(), run.batches.get(), run.records.get(),
                    run.failures.get(), run.rejected.get(), run.failedBuffers(), complete
                    && run.failed.isEmpty(), run.deadLettered.get());
        } finally {
            run.stopping = true;
            run.io.shutdown();
            run.retries.shutdownNow();
            if (!run.io.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Fleet drain: I/O threads still busy 10 s after the drain ended; closing their buffers");
            }
            // buffers waiting for a retry or an acknowledgement that will now never be handled (never committed:
            // their batches stay in the buffer for the next drain)
            for (Device d : List.copyOf(run.open)) {
                run.closeQuietly(d);
            }
        }
    }

    /** One device's buffer during a drain. Touched by one I/O thread at a time (hand-offs order the accesses). */
    private final class Device {
        final Path dir;
        final Backoff backoff;
        DurableBuffer buffer;
        Cursor cursor;
        int splitLimit = Integer.MAX_VALUE;
        /** Set while later records are sent alone to judge a refused one. */
        RefusalProbe probe;
        /** The receiver's refusal of the probe's refused record, for the dead-letter sink. */
        String refusal;

        Device(Path dir, int index) {
            this.dir = dir;
            this.backoff = new Backoff(initialBackoff, maxBackoff, jitter, seed + index);
        }
    }

    /** The state of one drain call. */
    private final class Run {
        final ExecutorService io = Executors.newFixedThreadPool(ioThreads, named("edgeloop-fleet-io"));
        final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
                named("edgeloop-fleet-retry"));
        final Semaphore active = new Semaphore(maxActive);
        final CountDownLatch done;
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger drained = new AtomicInteger();
        final AtomicLong batches = new AtomicLong();
        final AtomicLong records = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong deadLettered = new AtomicLong();
        final Map<Path, String> failed = new LinkedHashMap<>();
        final Set<Device> open = ConcurrentHashMap.newKeySet();
        volatile boolean stopping;

        Run(int buffers) {
            this.done = new CountDownLatch(buffers);
        }

        synchronized Map<Path, String> failedBuffers() {
            return new LinkedHashMap<>(failed);
        }

        void open(Device d) {
            try {
                d.buffer = opener.open(d.dir);
                open.add(d);
                d.cursor = d.buffer.cursor(cursorName);
                next(d);
            } catch (IOException | RuntimeException e) {
                finish(d, e);
            }
        }

        /** Reads the next batch and sends it, or finishes the device when nothing is left. */
        void next(Device d) {
            try {
                if (stopping) {
                    finish(d, null);
                    return;
                }
                List<BufferedRecord> batch = d.cursor.poll(Math.min(maxBatchRecords, d.splitLimit), maxBatchBytes);
                if (batch.isEmpty()) {
                    drained.incrementAndGet();
                    finish(d, null);
                    return;
                }
                List<Envelope> envelopes = new ArrayList<>(batch.size());
                for (BufferedRecord r : batch) {
                    envelopes.add(r.toEnvelope());
                }
                transport.sendAsync(Batch.of(envelopes)).whenComplete((v, error) -> {
                    try {
                        io.execute(() -> acknowledged(d, batch, error));
                    } catch (RejectedExecutionException closed) {
                        // the drain ended (timeout or interrupt): the batch stays unacknowledged in the buffer,
                        // which the drain's end closes (no I/O on the transport's thread)
                    }
                });
            } catch (IOException | RuntimeException e) {
                finish(d, e);
            }
        }

        void acknowledged(Device d, List<BufferedRecord> batch, Throwable error) {
            try {
                if (error == null) {
                    d.cursor.commit(batch.get(batch.size() - 1));
                    d.backoff.reset();
                    d.splitLimit = Integer.MAX_VALUE;
                    count(batches, FleetDrainer.this.batches, 1);
                    count(records, FleetDrainer.this.records, batch.size());
                    next(d);
                    return;
                }
                d.cursor.rewind();
                TransportException te = asTransportException(error);
                count(failures, FleetDrainer.this.failures, 1);
                if (te == null || stopping) {
                    finish(d, te == null ? error : null);
                    return;
                }
                if (!te.isRetryable()) {
                    if (batch.size() > 1) {
                        d.splitLimit = Math.max(1, batch.size() / 2);
                        next(d);
                        return;
                    }
                    d.probe = new RefusalProbe(d.cursor, batch.get(0));
                    d.refusal = String.valueOf(te.getMessage());
                    sendProbe(d, te);
                    return;
                }
                retryLater(d, te);
            } catch (IOException | RuntimeException e) {
                finish(d, e);
            }
        }

        /** Sends the probe's next record alone, or keeps the records and backs off when none is left. */
        void sendProbe(Device d, TransportException last) throws IOException {
            Optional<BufferedRecord> p = stopping ? Optional.<BufferedRecord>empty() : d.probe.next();
            if (p.isEmpty()) {
                LOG.error("Fleet drain: record {} of {} refused and no later record accepted (the receiver may refuse"
                        + " everything); keeping the records and retrying later", d.probe.refusedRecord().key(),
                        d.dir);
                d.probe = null;
                d.cursor.rewind();
                if (stopping) {
                    finish(d, null);
                    return;
                }
                retryLater(d, last);
                return;
            }
            transport.sendAsync(Batch.of(List.of(p.get().toEnvelope()))).whenComplete((v, error) -> {
                try {
                    io.execute(() -> probed(d, p.get(), error));
                } catch (RejectedExecutionException closed) {
                    // the drain ended: nothing was committed, the buffer is closed by the drain's end
                }
            });
        }

        void probed(Device d, BufferedRecord sent, Throwable error) {
            try {
                if (error == null) {
                    RefusalProbe.Outcome o = d.probe.accepted();
                    List<String> keptIn = new ArrayList<>();
                    if (deadLetters != null) {
                        try {
                            for (BufferedRecord r : o.skippedRecords()) {
                                keptIn.add(deadLetters.keep(r.toEnvelope(), d.refusal));
                            }
                        } catch (IOException x) {
                            // nothing is skipped: the records stay in the buffer and the probe runs again later
                            String why = "record " + d.probe.refusedRecord().key() + " of " + d.dir + " was refused"
                                    + " as never acceptable and cannot be kept in " + deadLetters + ": "
                                    + x.getMessage() + "; it stays in the buffer and is tried again";
                            LOG.warn("Fleet drain: {}", why, x);
                            d.probe = null;
                            d.cursor.rewind();
                            count(failures, FleetDrainer.this.failures, 1);
                            retryLater(d, new TransportException(why, true, x));
                            return;
                        }
                    }
                    if (o.commitUpTo() != null) {
                        // committed like an acknowledged batch (a failure ends this buffer's drain, as there)
                        d.cursor.commit(o.commitUpTo());
                    }
                    d.cursor.rewind();
                    LOG.error("Fleet drain: {} record(s) of {} from {} refused as never acceptable while the receiver"
                            + " took {}; skipping them{}", o.skipped(), d.dir, d.probe.refusedRecord().key(),
                            sent.key(), keptIn.isEmpty() ? "" : ", kept in " + String.join(", ", keptIn));
                    d.probe = null;
                    count(rejected, FleetDrainer.this.rejected, o.skipped());
                    count(deadLettered, FleetDrainer.this.deadLettered, keptIn.size());
                    if (o.probeCommitted()) {
                        count(batches, FleetDrainer.this.batches, 1);
                        count(records, FleetDrainer.this.records, 1);
                    }
                    d.backoff.reset();
                    d.splitLimit = Integer.MAX_VALUE;
                    next(d);
                    return;
                }
                count(failures, FleetDrainer.this.failures, 1);
                TransportException te = asTransportException(error);
                if (te != null && !te.isRetryable() && !stopping) {
                    d.probe.refused();
                    sendProbe(d, te);
                    return;
                }
                d.probe = null;
                d.cursor.rewind();
                if (te == null || stopping) {
                    finish(d, te == null ? error : null);
                    return;
                }
                retryLater(d, te);
            } catch (IOException | RuntimeException e) {
                finish(d, e);
            }
        }

        void retryLater(Device d, TransportException te) {
            Duration next = d.backoff.next();
            Duration wait = te.retryAfter().map(ra -> ra.compareTo(maxBackoff) > 0 ? maxBackoff : ra).orElse(next);
            LOG.debug("Fleet drain: {} failed ({}), retrying in {} ms", d.dir, te.getMessage(), wait.toMillis());
            retries.schedule(() -> {
                try {
                    io.execute(() -> next(d));
                } catch (RejectedExecutionException closed) {
                    // the drain ended; its end closes the buffer
                }
            }, wait.toNanos(), TimeUnit.NANOSECONDS);
        }

        void finish(Device d, Throwable error) {
            if (error != null) {
                String why = error.getClass().getSimpleName() + ": " + error.getMessage();
                LOG.warn("Fleet drain: buffer {} left undrained: {}", d.dir, why);
                synchronized (this) {
                    failed.put(d.dir, why);
                }
            }
            closeQuietly(d);
            active.release();
            done.countDown();
        }

        void closeQuietly(Device d) {
            if (d.buffer != null) {
                open.remove(d);
                try {
                    d.buffer.close();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Fleet drain: closing buffer {} failed", d.dir, e);
                }
            }
        }
    }

    private static void count(AtomicLong run, AtomicLong total, long n) {
        run.addAndGet(n);
        total.addAndGet(n);
    }

    private static TransportException asTransportException(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        // anything else (a closed transport, a bug in it) ends this buffer's drain with the error reported, as a
        // Forwarder would propagate it, rather than retrying forever
        return t instanceof TransportException te ? te : null;
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Builder for {@link FleetDrainer}.
     *
     * <p>Not thread-safe.
     */
    public static final class Builder {
        private Transport transport;
        private String cursorName;
        private BufferOpener opener;
        private int ioThreads = 2;
        private int maxActive = 1024;
        private int maxBatchRecords = 500;
        private long maxBatchBytes = 1 << 20;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofMinutes(2);
        private double jitter = 0.5;
        private long seed = new SecureRandom().nextLong();
        private DeadLetterSink deadLetters;

        private Builder() {
        }

        /**
         * @param transport the transport all buffers share; it must allow concurrent {@code sendAsync} calls
         *                  (the drainer does not close it)
         * @return this builder
         */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * @param cursorName the cursor each buffer is drained with (created at the oldest record when missing)
         * @param opener     opens a buffer directory, for example with {@code CursorSync.DEFERRED}
         * @return this builder
         */
        public Builder source(String cursorName, BufferOpener opener) {
            this.cursorName = CursorFile.checkName(cursorName);
            this.opener = Objects.requireNonNull(opener, "opener");
            return this;
        }

        /**
         * @param ioThreads threads that open, read, commit and close buffers; default 2
         * @param maxActive buffers open at once, each with at most one batch in flight; default 1024. Bounds
         *                  open files and the records in flight.
         * @return this builder
         */
        public Builder concurrency(int ioThreads, int maxActive) {
            if (ioThreads < 1 || maxActive < 1) {
                throw new IllegalArgumentException("ioThreads and maxActive must be at least 1, got " + ioThreads
                        + " and " + maxActive);
            }
            this.ioThreads = ioThreads;
            this.maxActive = maxActive;
            return this;
        }

        /**
         * @param maxRecords the most records per batch, at least 1; default 500
         * @param maxBytes   the most payload bytes per batch, at least 1; default 1 MiB
         * @return this builder
         */
        public Builder batching(int maxRecords, long maxBytes) {
            if (maxRecords < 1 || maxBytes < 1) {
                throw new IllegalArgumentException("maxRecords and maxBytes must be at least 1");
            }
            this.maxBatchRecords = maxRecords;
            this.maxBatchBytes = maxBytes;
            return this;
        }

        /**
         * @param initial first retry delay of a buffer after a failure
         * @param max     longest retry delay (and longest Retry-After honoured)
         * @param jitter  0 to 1, the random fraction taken off each delay
         * @param seed    seed of the jitter (buffer i uses seed + i); by default drawn from {@link SecureRandom}, so
         *                gateways coming back after an outage do not retry in lockstep
         * @return this builder
         */
        public Builder backoff(Duration initial, Duration max, double jitter, long seed) {
            this.initialBackoff = Objects.requireNonNull(initial, "initial");
            this.maxBackoff = Objects.requireNonNull(max, "max");
            if (jitter < 0 || jitter > 1) {
                throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
            }
            this.jitter = jitter;
            this.seed = seed;
            return this;
        }

        /**
         * Keeps each record the receiver refuses as never acceptable in {@code sink} before it is skipped, as
         * {@link Forwarder.Builder#deadLetters} does: a record is skipped only once kept; when it cannot be kept it
         * stays in its buffer and is tried again after a backoff. The sink is shared by every buffer of the drain and
         * called from several I/O threads at once ({@link io.edgeloop.buffer.relay.DeadLetterDirectory} allows it).
         * Without one, refused records are skipped and counted only.
         *
         * @param sink where refused records are kept
         * @return this builder
         */
        public Builder deadLetters(DeadLetterSink sink) {
            this.deadLetters = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * @return the drainer
         * @throws IllegalStateException when the transport or the source is missing
         */
        public FleetDrainer build() {
            if (transport == null || opener == null) {
                throw new IllegalStateException("FleetDrainer needs transport(...) and source(...)");
            }
            return new FleetDrainer(this);
        }
    }
}
