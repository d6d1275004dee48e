package io.edgeloop.buffer.forward;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DiskFullException;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.cursor.Cursor;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains a buffer's named cursor to a {@link Transport} in batches, at least once.
 *
 * <p>A batch closes when it holds {@code maxBatchRecords} records or {@code maxBatchBytes} payload bytes, or
 * {@code linger} after its first record. The cursor is committed only after {@link Transport#send} returned (the
 * receiver acknowledged); a commit that a full disk refuses is tried again alone, after a backoff, before anything
 * more is sent (sending on would only pile up records to send again), and {@link ForwarderStats#lastError()} says
 * why; a commit that fails otherwise (a failing card, a read-only cursor directory) is tried again each round while
 * delivery goes on, since holding back would stop all delivery for as long as the fault lasts. On a failed send the cursor is
 * rewound and the same records are sent again after an exponential backoff with seeded jitter, or after the
 * receiver's Retry-After when it gave one. While the connectivity hook (or {@link Transport#isReachable()}) says
 * offline, nothing is tried; {@link #wakeUp()} retries at once (call it from a network-change callback). A batch the transport refuses as never acceptable
 * (non-retryable) is split; a single record refused that way is skipped, logged and counted, so one poison record
 * cannot stop a device forever, but only once a later record sent alone was accepted (a probe, see
 * the forward package's RefusalProbe): a receiver that refuses every record (an API answering 400 to bad credentials) then costs
 * nothing, the records are kept and retried with backoff. The decision needs no state, so it holds across
 * forwarders and restarts. The last record of the buffer, with nothing after it to probe with, is kept until a
 * later record arrives or the receiver accepts it. With a dead-letter sink ({@link Builder#deadLetters}) a record
 * to be skipped is first kept there, and skipped only once the sink returned: when the sink fails, the record stays
 * in the buffer and is tried again after a backoff. Without one it is skipped and gone once its segment is
 * reclaimed, kept nowhere. Transports report only refusals of content as not retryable;
 * an endpoint that refuses everything (wrong URL, bad credentials, a busy gateway) is retryable, so the cursor
 * waits for it. An unchecked exception from a transport (a bug, or a setting it accepted but cannot use) counts as
 * a retryable failure: the records are kept, it shows in {@link #stats()}, and the thread goes on with backoff;
 * one from {@link Transport#isReachable()} means "unknown": the send is tried and tells.
 * While the transport says it is unreachable, {@link ForwarderStats#lastError()} says why when the transport
 * implements {@link ExplainsUnreachable}. Batch compression is the transport's job: {@link Builder#compression(String)} is
 * handed to transports created through {@link Builder#transport(TransportProvider, ComponentConfig)}.
 *
 * <p>{@link #start()} runs the loop on a thread of its own; {@link #drainAvailable(Duration)} runs it in the
 * caller's thread until everything durable has been acknowledged. One loop at a time: a started forwarder refuses
 * {@code drainAvailable}, and {@code start()} (or a second drain) is refused while a drain runs, with an
 * {@link IllegalStateException}. {@link #close()} stops either loop: an in-flight send may finish within the
 * shutdown grace period (then it is committed); otherwise the transport is closed (even one the caller passed in),
 * the send fails and the records stay in the buffer for next time. Nothing is lost either way.
 *
 * <p>Thread-safe: {@link #close()}, {@link #wakeUp()} and {@link #stats()} may be called from any thread; the
 * transport is used by one thread at a time. Close is idempotent.
 */
public final class Forwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

    private final Cursor cursor;
    private final Transport transport;
    private final boolean ownsTransport;
    private final int maxBatchRecords;
    private final long maxBatchBytes;
    private final Duration linger;
    private final Duration idlePoll;
    private final Duration shutdownGrace;
    private final Duration maxRetryAfter;
    private final Backoff backoff;
    private final BooleanSupplier connectivity;
    /** Where records to be skipped are kept first, or null (skipped, kept nowhere). */
    private final DeadLetterSink deadLetters;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Object sendLock = new Object();
    private final Object statsLock = new Object();
    private int consecutiveFailures;
    private volatile boolean stopping;
    private boolean closed;
    private boolean woken;
    private Thread thread;
    /** The thread running {@link #drainAvailable(Duration)}, or null. Guarded by {@link #lock}. */
    private Thread drainer;
    /** Whether {@link #close()} interrupted {@link #drainer} (the drain then clears the flag). Guarded by lock. */
    private boolean drainerInterrupted;
    /** Signalled when a drain ends. */
    private final Condition drainEnded = lock.newCondition();
    /** Whether the loop thread waits for new records (close() then interrupts it). Guarded by {@link #lock}. */
    private boolean idleWait;
    /**
     * The last record of a batch the receiver acknowledged whose commit failed; its commit is tried again each round
     * (on a full disk before anything more is sent). Used by the loop's thread only.
     */
    private BufferedRecord uncommitted;
    /**
     * Records skipped by an accepted refusal probe whose commit is not stored yet (held in {@link #uncommitted}):
     * counted in {@link #recordsRejected} only once a commit covering them is stored. Counted at once, they were
     * counted again by the forwarder of a restart, which finds them refused again, since the skip never reached the
     * cursor. Used by the loop's thread only.
     */
    private long rejectedUncommitted;
    /** Of {@link #rejectedUncommitted}, the records kept in {@link #deadLetters}. Loop thread only. */
    private long deadLetteredUncommitted;
    /** The message of the last dead-letter failure logged (one WARN per distinct failure). Loop thread only. */
    private String lastDeadLetterFailure;
    /**
     * The skips behind {@link #rejectedUncommitted}, logged (ERROR) once their commit is stored, for the same reason
     * they are counted then: logged when the probe was accepted, a skip whose commit a restart lost was logged by
     * this forwarder and again by the next one. At most {@link #SKIPS_LISTED} are kept; the rest are only counted.
     * Used by the loop's thread only.
     */
    private final List<Skip> skipsUncommitted = new ArrayList<>();
    private long skipsNotListed;
    private static final int SKIPS_LISTED = 64;
    /** The message of the last commit failure logged by {@link #commitFailed} (one WARN per distinct failure). */
    private String lastCommitFailure;
    private int splitLimit = Integer.MAX_VALUE;
    /**
     * The batch limit (records) learnt from refusals as not retryable: a refused batch of n sets it to n / 2, so a
     * receiver with a size limit (MQTT Maximum Packet Size, HTTP 413) is not sent a too-large batch and halved again
     * for every batch. Doubled after {@link #CAP_PROBE_AFTER} accepted batches, so a refusal that was not about size
     * (or a limit since raised) does not keep batches small for good.
     */
    private int learntCap = Integer.MAX_VALUE;
    private int acceptedSinceRefusal;
    private boolean warnedSplit;
    private static final int CAP_PROBE_AFTER = 64;
    private boolean loggedReachabilityFailure;
    private boolean loggedConnectivityFailure;
    private boolean loggedUnexpected;
    /** The refused record whose kept-and-retried ERROR was logged last (its retries log at DEBUG). Loop thread only. */
    private IdempotencyKey loggedKeptRefusal;

    private long batchesAcked;
    private long recordsAcked;
    private long failedAttempts;
    private long recordsRejected;
    private long recordsDeadLettered;
    private String lastError;
    /** Why the transport says its receiver is unreachable, while it does; null otherwise. Guarded by statsLock. */
    private String unreachable;

    private Forwarder(Builder b, Cursor cursor, Transport transport, boolean owns) {
        this.cursor = cursor;
        this.transport = transport;
        this.ownsTransport = owns;
        this.maxBatchRecords = b.maxBatchRecords;
        this.maxBatchBytes = b.maxBatchBytes;
        this.linger = b.linger;
        this.idlePoll = b.idlePoll;
        this.shutdownGrace = b.shutdownGrace;
        this.maxRetryAfter = b.maxRetryAfter;
        // unseeded, every device would retry in lockstep after an outage (a thundering herd at the receiver)
        this.backoff = new Backoff(b.initialBackoff, b.maxBackoff, b.jitter,
                b.seed != null ? b.seed : new SecureRandom().nextLong());
        this.connectivity = b.connectivity;
        this.deadLetters = b.deadLetters;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts forwarding on a daemon thread named after the cursor.
     *
     * @return this forwarder
     */
    public Forwarder start() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("Forwarder is closed");
            }
            if (thread != null) {
                throw new IllegalStateException("Forwarder already started");
            }
            if (drainer != null) {
                throw new IllegalStateException("Forwarder is running drainAvailable in thread '" + drainer.getName()
                        + "'; start() would run a second loop on the same cursor and transport");
            }
            thread = new Thread(this::loop, "edgeloop-forwarder-" + cursor.name());
            thread.setDaemon(true);
            thread.start();
            return this;
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (!stopping) {
            try {
                Duration wait = step(true);
                if (!wait.isZero()) {
                    pause(wait);
                }
            } catch (IOException e) {
                // reading the buffer failed (not the transport): report and retry later
                LOG.warn("Forwarder {}: reading the buffer failed", cursor.name(), e);
                pause(backoff.next());
            } catch (InterruptedException e) {
                return;
            } catch (IllegalStateException e) {
                if (!stopping) {
                    LOG.warn("Forwarder {} stops: {}", cursor.name(), e.getMessage());
                    noteWaiting("stopped: " + e.getMessage());
                }
                return;
            } catch (RuntimeException e) {
                // never let the thread die silently: report, keep the records, try again later
                LOG.error("Forwarder {}: unexpected failure; retrying later", cursor.name(), e);
                noteWaiting("unexpected failure: " + e);
                pause(backoff.next());
            }
        }
    }

    /**
     * Sends what is durable now, in the caller's thread, until the cursor has nothing left, retrying failures
     * with the same backoff and Retry-After rules.
     *
     * <p>One loop at a time: a forwarder that was {@link #start() started}, or whose {@code drainAvailable} runs in
     * another thread, refuses the call (both loops would read one cursor and use one transport). {@link #close()}
     * from another thread stops a drain as it stops the started loop: it waits up to the shutdown grace period for
     * the drain to end by itself (an in-flight send that is acknowledged meanwhile is committed), then closes the
     * transport (also one passed to {@link Builder#transport(Transport)}), so the in-flight send fails and its records
     * stay in the buffer, and interrupts the draining thread; this method then returns false, and the interrupt it
     * caused is cleared before it returns. After {@code close()} it returns false at once.
     *
     * @param timeout the longest time to keep trying
     * @return true when everything durable at the end was acknowledged, false on timeout or when closed
     * @throws IOException           when the buffer cannot be read
     * @throws InterruptedException  when the calling thread is interrupted (other than by {@link #close()})
     * @throws IllegalStateException when the forwarder was started, or another thread is in {@code drainAvailable}
     */
    public boolean drainAvailable(Duration timeout) throws IOException, InterruptedException {
        Thread me = Thread.currentThread();
        lock.lock();
        try {
            if (thread != null) {
                throw new IllegalStateException("Forwarder is started; drainAvailable runs the loop in the caller's "
                        + "thread and cannot run beside the forwarder's own thread (use one or the other)");
            }
            if (drainer != null) {
                throw new IllegalStateException("Forwarder is already running drainAvailable in thread '"
                        + drainer.getName() + "'; one drain at a time");
            }
            if (stopping) {
                return false;
            }
            drainer = me;
        } finally {
            lock.unlock();
        }
        try {
            return drainLoop(timeout);
        } catch (InterruptedException | IllegalStateException e) {
            if (stopping) {
                return false; // close() stopped the drain: its closed transport or its interrupt, not the caller's
            }
            throw e;
        } finally {
            lock.lock();
            try {
                drainer = null;
                if (drainerInterrupted) {
                    drainerInterrupted = false;
                    Thread.interrupted(); // close() interrupted this drain: do not leave it to the caller's thread
                }
                drainEnded.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean drainLoop(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!stopping) {
            Duration wait = step(false);
            if (wait == IDLE) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                // the last batch may have emptied the cursor: say done when it did, or a caller retrying on false
                // (edgeloop buffer drain exits 1) sends records that were all acknowledged again
                return wait.isZero() && nothingPending();
            }
            if (!wait.isZero()) {
                pause(Duration.ofNanos(Math.min(left, wait.toNanos())));
            }
        }
        return false;
    }

    private static final Duration IDLE = Duration.ofNanos(1);

    /** Whether the cursor has nothing left to send; reads one record at most and rewinds to the committed position. */
    private boolean nothingPending() throws IOException {
        boolean empty = cursor.poll(1, Long.MAX_VALUE).isEmpty();
        cursor.rewind();
        return empty;
    }

    /**
     * One round: collect a batch, send it, commit. Returns how long to wait before the next round (zero for at
     * once, {@link #IDLE} when there was nothing to send in drain mode).
     */
    private Duration step(boolean blockForData) throws IOException, InterruptedException {
        if (uncommitted != null && uncommitted.nextPosition() > cursor.readPosition()) {
            // a failed send rewound the cursor to the committed position since: these records are read and sent
            // again, and their own commit then covers them (a commit may not pass the read position); a skip among
            // them is decided again, and counted when that decision's commit is stored
            uncommitted = null;
            rejectedUncommitted = 0;
            deadLetteredUncommitted = 0;
            skipsUncommitted.clear();
            skipsNotListed = 0;
        }
        if (uncommitted != null) {
            // the receiver has these records: store their commit (on a full disk, before sending more)
            Duration wait = commit(uncommitted);
            if (wait != null) {
                return wait;
            }
            if (uncommitted == null) {
                backoff.reset();
            }
        }
        if (!linkUp()) {
            return idlePoll;
        }
        if (!reachable()) {
            String why = unreachableReason();
            synchronized (statsLock) {
                unreachable = why;
            }
            noteWaiting(why);
            return idlePoll;
        }
        synchronized (statsLock) {
            unreachable = null;
        }
        List<BufferedRecord> batch = collect(blockForData);
        if (batch.isEmpty()) {
            if (uncommitted != null) {
                return backoff.next(); // everything is sent, but not all of it committed: not idle, nor drained
            }
            return blockForData ? Duration.ZERO : IDLE;
        }
        List<Envelope> envelopes = new ArrayList<>(batch.size());
        for (BufferedRecord r : batch) {
            envelopes.add(r.toEnvelope());
        }
        try {
            synchronized (sendLock) {
                transport.send(Batch.of(envelopes));
            }
        } catch (TransportException e) {
            cursor.rewind();
            return failed(e, batch);
        } catch (IllegalStateException e) {
            cursor.rewind();
            if (stopping) {
                throw e;
            }
            // not our own close: a transport bug or misuse; keep the records, say so and try again later
            return failed(unexpected(e), batch);
        } catch (RuntimeException e) {
            cursor.rewind();
            return failed(unexpected(e), batch);
        }
        synchronized (statsLock) {
            batchesAcked++;
            recordsAcked += batch.size();
            consecutiveFailures = 0;
        }
        splitLimit = acceptedLimit();
        Duration wait = commit(batch.get(batch.size() - 1));
        if (wait != null) {
            return wait;
        }
        backoff.reset();
        return Duration.ZERO;
    }

    /**
     * Commits the records up to {@code last}, which the receiver acknowledged; a stored commit covers every record
     * polled before it, so any earlier {@link #uncommitted} one too.
     *
     * @return null to go on, or how long to wait before the next round (a full disk refused the commit)
     */
    private Duration commit(BufferedRecord last) {
        try {
            cursor.commit(last);
            uncommitted = null;
            lastCommitFailure = null;
            if (rejectedUncommitted > 0) {
                synchronized (statsLock) {
                    recordsRejected += rejectedUncommitted;
                    recordsDeadLettered += deadLetteredUncommitted;
                }
                rejectedUncommitted = 0;
                deadLetteredUncommitted = 0;
            }
            logStoredSkips();
            return null;
        } catch (IOException e) {
            return commitFailed(e, last);
        }
    }

    /**
     * The receiver acknowledged records up to {@code last} but their commit could not be stored: nothing is lost,
     * {@link #stats()} says so, and the commit is tried again. On a full disk (with nothing the buffer could free
     * first) it is tried again alone, after a backoff, before anything more is sent: sending on (as before
     * 2026-12-02) moved the read position past records whose commit was never stored, once everything was sent no
     * later commit came to cover them, so the buffer never reclaimed their segments (a full disk stayed full) and a
     * restart sent them all again. Any other failure (a failing card's EIO, a cursor directory made read-only) lets
     * delivery go on, trying the commit again each round: holding back there would stop all delivery for as long as
     * the fault lasts while records piled up against the budget; until a commit is stored a restart would send
     * these records again (at least once). Logged at WARN for each full-disk attempt, otherwise when the failure's
     * message changes.
     *
     * @return how long to wait before the next round on a full disk, else null (deliver on)
     */
    private Duration commitFailed(IOException e, BufferedRecord last) {
        uncommitted = last;
        String why = "records up to " + last.key() + " were acknowledged, but their commit could not be stored: "
                + e.getMessage();
        noteWaiting(why);
        if (DiskFullException.isDiskFull(e)) {
            Duration d = backoff.next();
            LOG.warn("Forwarder {}: {}; trying the commit again in {} ms before sending more", cursor.name(), why,
                    d.toMillis());
            return d;
        }
        if (!String.valueOf(e.getMessage()).equals(lastCommitFailure)) {
            lastCommitFailure = String.valueOf(e.getMessage());
            LOG.warn("Forwarder {}: {}; delivering on and trying the commit again each round", cursor.name(), why);
        }
        return null;
    }

    /**
     * Asks the connectivity hook whether a link exists. An unchecked exception from the hook (application code) counts
     * as no link this round, so nothing goes over a link the application could not vouch for, and the hook is asked
     * again after the idle poll; it used to escape like one from {@code isReachable()} and, as an
     * {@link IllegalStateException}, stop the forwarder for good.
     */
    private boolean linkUp() {
        try {
            if (connectivity.getAsBoolean()) {
                return true;
            }
            noteWaiting("offline: the connectivity hook reports no link");
        } catch (RuntimeException e) {
            if (!loggedConnectivityFailure) {
                loggedConnectivityFailure = true;
                LOG.error("Forwarder {}: the connectivity hook failed; taken as offline and asked again (further "
                        + "failures are only shown in the stats)", cursor.name(), e);
            }
            noteWaiting("offline: the connectivity hook failed: " + e);
        }
        return false;
    }

    /**
     * Asks the transport whether a send is worth trying. An unchecked exception from {@link Transport#isReachable()}
     * (a transport bug, or a client library reconnecting) means "unknown", as one from {@code send} does: the send is
     * tried and tells; the thread never stops for it. It used to propagate as an {@link IllegalStateException}, which
     * the loop takes for its own close, so one throw stopped the forwarder for good with nothing sent and no failure
     * counted. Logged with its stack trace the first time only; {@link #stats()} shows the last one.
     */
    private boolean reachable() {
        try {
            return transport.isReachable();
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException && stopping) {
                throw e;
            }
            if (!loggedReachabilityFailure) {
                loggedReachabilityFailure = true;
                LOG.error("Forwarder {}: isReachable() of transport {} failed; trying the send instead (further "
                        + "failures of isReachable() are only shown in the stats)", cursor.name(), transport, e);
            }
            noteWaiting("isReachable() of transport " + transport + " failed, trying the send: " + e);
            return true;
        }
    }

    /** Why the transport is unreachable, from the transport when it explains itself (and that does not throw). */
    private String unreachableReason() {
        String plain = "transport " + transport + " reports its receiver unreachable";
        if (!(transport instanceof ExplainsUnreachable)) {
            return plain;
        }
        try {
            return ((ExplainsUnreachable) transport).unreachableReason();
        } catch (RuntimeException e) {
            return plain + " (unreachableReason() failed: " + e + ")";
        }
    }

    /** The batch limit after an accepted batch: the learnt cap, doubled now and then to probe for more. */
    private int acceptedLimit() {
        if (learntCap != Integer.MAX_VALUE && ++acceptedSinceRefusal >= CAP_PROBE_AFTER) {
            acceptedSinceRefusal = 0;
            learntCap = learntCap > Integer.MAX_VALUE / 2 ? Integer.MAX_VALUE : learntCap * 2;
        }
        return learntCap;
    }

    /** Records why nothing is sent while waiting for a link or a receiver (no failed attempt: nothing was tried). */
    private void noteWaiting(String why) {
        synchronized (statsLock) {
            lastError = why;
        }
    }

    /**
     * Turns an unchecked exception from a transport (a bug or a configuration the transport accepted but cannot
     * use) into a retryable failure, so the records are kept, the forwarder thread lives on, and the stats show it.
     * Logged with its stack trace the first time only.
     */
    private TransportException unexpected(RuntimeException e) {
        if (!loggedUnexpected) {
            loggedUnexpected = true;
            LOG.error("Forwarder {}: transport {} failed unexpectedly; the records are kept and retried with backoff",
                    cursor.name(), transport, e);
        }
        return new TransportException("Transport " + transport + " failed unexpectedly: " + e, true, e);
    }

    private Duration failed(TransportException failure, List<BufferedRecord> batch) throws IOException {
        TransportException e = failure;
        synchronized (statsLock) {
            failedAttempts++;
            consecutiveFailures++;
            lastError = e.getMessage();
        }
        if (stopping) {
            return Duration.ZERO;
        }
        if (!e.isRetryable()) {
            if (batch.size() > 1) {
                splitLimit = Math.max(1, batch.size() / 2);
                learntCap = splitLimit;
                acceptedSinceRefusal = 0;
                if (!warnedSplit) {
                    warnedSplit = true;
                    LOG.warn("Forwarder {}: batch of {} refused as not retryable ({}); retrying in halves, and "
                            + "keeping later batches smaller (further refusals of this kind are logged at DEBUG)",
                            cursor.name(), batch.size(), e.getMessage());
                } else {
                    LOG.debug("Forwarder {}: batch of {} refused as not retryable ({}); retrying in halves",
                            cursor.name(), batch.size(), e.getMessage());
                }
                return Duration.ZERO;
            }
            Probed settled = probe(batch.get(0), e.getMessage());
            if (settled.failure() == null) {
                return settled.delay();
            }
            e = settled.failure();
        }
        Optional<Duration> ra = e.retryAfter();
        Duration d = backoff.next();
        if (ra.isPresent()) {
            d = ra.get().compareTo(maxRetryAfter) > 0 ? maxRetryAfter : ra.get();
        }
        LOG.info("Forwarder {}: send failed ({}), retrying in {} ms", cursor.name(), e.getMessage(), d.toMillis());
        return d;
    }

    /**
     * What {@link #probe} settled: a failure to back off on (the records are kept), or, when an accepted probe let
     * the refused run be skipped, how long to wait before the next round (zero, or a full disk's backoff while its
     * commit is held back).
     */
    private record Probed(TransportException failure, Duration delay) {
    }

    /**
     * Probes later records alone to tell a record refused for itself from a receiver refusing everything (see
     * {@link RefusalProbe}). When a probe is accepted, the refused run (and the probe when it follows directly) is
     * committed like an acknowledged batch ({@link #commit}): a full disk that refuses that commit holds delivery
     * back and the commit is retried alone, any other failure delivers on. Before, the commit's failure escaped as
     * "reading the buffer failed" and the cursor was rewound, so the whole probe was sent again in the next round.
     * With a {@link #deadLetters} sink the refused run is kept there before that commit; when it cannot be, nothing
     * is skipped and the records are tried again after a backoff.
     */
    private Probed probe(BufferedRecord refused, String refusal) throws IOException {
        RefusalProbe probe = new RefusalProbe(cursor, refused);
        TransportException last = null;
        // the receiver's refusal of each record of the refused run, in order (handed to the dead-letter sink)
        List<String> refusals = new ArrayList<>(List.of(String.valueOf(refusal)));
        boolean keepPosition = false;
        try {
            for (Optional<BufferedRecord> p = probe.next(); p.isPresent() && !stopping; p = probe.next()) {
                try {
                    synchronized (sendLock) {
                        transport.send(Batch.of(List.of(p.get().toEnvelope())));
                    }
                } catch (TransportException | RuntimeException thrown) {
                    if (thrown instanceof IllegalStateException && stopping) {
                        throw (IllegalStateException) thrown;
                    }
                    TransportException pe = thrown instanceof TransportException ? (TransportException) thrown
                            : unexpected((RuntimeException) thrown);
                    synchronized (statsLock) {
                        failedAttempts++;
                        consecutiveFailures++;
                        lastError = pe.getMessage();
                    }
                    last = pe;
                    if (pe.isRetryable()) {
                        break;
                    }
                    if (probe.refused()) {
                        refusals.add(String.valueOf(pe.getMessage()));
                    }
                    continue;
                }
                RefusalProbe.Outcome o = probe.accepted();
                List<String> keptIn;
                try {
                    keptIn = keepDeadLetters(o.skippedRecords(), refusals);
                } catch (IOException | RuntimeException x) {
                    return new Probed(deadLetterFailed(o.skippedRecords(), x), null);
                }
                deadLetteredUncommitted += keptIn.size();
                // the skipped records count as rejected, and are logged, once the commit that skips them is stored
                // (commit())
                rejectedUncommitted += o.skipped();
                if (skipsUncommitted.size() < SKIPS_LISTED) {
                    skipsUncommitted.add(new Skip(o.skipped(), refused.key(), p.get().key(), keptIn));
                } else {
                    skipsNotListed++;
                }
                synchronized (statsLock) {
                    if (o.probeCommitted()) {
                        batchesAcked++;
                        recordsAcked++;
                    }
                    consecutiveFailures = 0;
                }
                splitLimit = acceptedLimit();
                if (o.commitUpTo() == null) {
                    logStoredSkips(); // nothing to commit: the refused record expired meanwhile
                    return new Probed(null, Duration.ZERO);
                }
                Duration wait = commit(o.commitUpTo());
                if (uncommitted != null) {
                    // not stored: the read position stays after the settled records, as after an acknowledged batch
                    // whose commit failed, so the next round retries this commit instead of sending them again
                    keepPosition = true;
                    return new Probed(null, wait != null ? wait : Duration.ZERO);
                }
                backoff.reset();
                return new Probed(null, Duration.ZERO);
            }
        } finally {
            if (!keepPosition) {
                cursor.rewind();
            }
        }
        if (refused.key().equals(loggedKeptRefusal)) {
            LOG.debug("Forwarder {}: record {} refused again and no later record accepted; keeping the records and "
                    + "retrying later", cursor.name(), refused.key());
        } else {
            // once per record: it was logged at ERROR on every retry (8 lines in 30 s, then one per backoff for as
            // long as the record stayed last), although nothing had changed; stats() keeps the last error
            loggedKeptRefusal = refused.key();
            LOG.error("Forwarder {}: record {} refused and no later record accepted (the receiver may refuse "
                    + "everything); keeping the records and retrying later (logged once for this record; "
                    + "retries at DEBUG)", cursor.name(), refused.key());
        }
        return new Probed(last != null ? last : new TransportException("record " + refused.key()
                + " refused and no later record to probe the receiver with; kept", true), null);
    }

    /**
     * Keeps the records an accepted probe is about to skip in {@link #deadLetters}, all of them before the skip is
     * committed, so a record is never skipped without being kept.
     *
     * @return where each was kept (empty without a sink)
     */
    private List<String> keepDeadLetters(List<BufferedRecord> skipped, List<String> refusals) throws IOException {
        if (deadLetters == null) {
            return List.of();
        }
        List<String> where = new ArrayList<>(skipped.size());
        for (int i = 0; i < skipped.size(); i++) {
            where.add(deadLetters.keep(skipped.get(i).toEnvelope(), refusals.get(Math.min(i, refusals.size() - 1))));
        }
        lastDeadLetterFailure = null;
        return where;
    }

    /**
     * The dead-letter sink could not keep records about to be skipped: nothing is skipped (the caller rewinds the
     * cursor), the stats say why and the records are tried again after a backoff, the probe included. Logged at
     * WARN when the failure's message changes.
     */
    private TransportException deadLetterFailed(List<BufferedRecord> skipped, Exception x) {
        String why = "record " + skipped.get(0).key() + " was refused as never acceptable and cannot be kept in "
                + deadLetters + ": " + x.getMessage() + "; it stays in the buffer and is tried again";
        synchronized (statsLock) {
            failedAttempts++;
            consecutiveFailures++;
            lastError = why;
        }
        if (!why.equals(lastDeadLetterFailure)) {
            lastDeadLetterFailure = why;
            LOG.warn("Forwarder {}: {}", cursor.name(), why, x);
        }
        return new TransportException(why, true, x);
    }

    /**
     * A skip decided by an accepted probe: how many records from the refused one, the accepted probe, and where the
     * dead-letter sink kept them (empty without one).
     */
    private record Skip(long records, IdempotencyKey refused, IdempotencyKey probe, List<String> keptIn) {
    }

    /** Logs the skips whose commit is now stored ({@link #skipsUncommitted}). */
    private void logStoredSkips() {
        for (Skip k : skipsUncommitted) {
            if (k.keptIn().isEmpty()) {
                LOG.error("Forwarder {}: {} record(s) from {} refused as never acceptable while the receiver took {};"
                        + " skipped them", cursor.name(), k.records(), k.refused(), k.probe());
            } else {
                LOG.error("Forwarder {}: {} record(s) from {} refused as never acceptable while the receiver took {};"
                        + " kept in {} and skipped", cursor.name(), k.records(), k.refused(), k.probe(),
                        String.join(", ", k.keptIn()));
            }
        }
        if (skipsNotListed > 0) {
            LOG.error("Forwarder {}: {} more runs of records refused as never acceptable skipped", cursor.name(),
                    skipsNotListed);
        }
        skipsUncommitted.clear();
        skipsNotListed = 0;
    }

    private List<BufferedRecord> collect(boolean blockForData) throws IOException, InterruptedException {
        int maxRecords = Math.min(maxBatchRecords, splitLimit);
        List<BufferedRecord> batch = new ArrayList<>(cursor.poll(maxRecords, maxBatchBytes));
        if (batch.isEmpty()) {
            if (blockForData) {
                awaitIdle();
            }
            return batch;
        }
        long bytes = 0;
        for (BufferedRecord r : batch) {
            bytes += r.payloadSize();
        }
        long deadline = System.nanoTime() + linger.toNanos();
        while (batch.size() < maxRecords && bytes < maxBatchBytes && !stopping) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            List<BufferedRecord> more = cursor.poll(maxRecords - batch.size(), maxBatchBytes - bytes);
            if (more.isEmpty()) {
                if (!blockForData || !cursor.awaitRecords(Duration.ofNanos(left))) {
                    break;
                }
                continue;
            }
            for (BufferedRecord r : more) {
                bytes += r.payloadSize();
            }
            batch.addAll(more);
        }
        return batch;
    }

    /**
     * Waits up to the idle poll for new records. The buffer's wait does not know about this forwarder, so
     * {@link #close()} interrupts the loop thread while it is here (and only here: never during a send); an
     * interrupt that lands after the wait ended is consumed before returning.
     */
    private void awaitIdle() throws InterruptedException {
        lock.lock();
        try {
            if (stopping) {
                throw new InterruptedException("forwarder closing");
            }
            idleWait = true;
        } finally {
            lock.unlock();
        }
        try {
            cursor.awaitRecords(idlePoll);
        } finally {
            lock.lock();
            try {
                idleWait = false;
                if (stopping) {
                    Thread.interrupted();
                    throw new InterruptedException("forwarder closing");
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private void pause(Duration d) {
        lock.lock();
        try {
            long nanos = d.toNanos();
            while (nanos > 0 && !stopping && !woken) {
                nanos = wake.awaitNanos(nanos);
            }
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the current wait (backoff, offline or idle) and tries again at once, e.g. when a network came up. */
    public void wakeUp() {
        lock.lock();
        try {
            woken = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return the backoff (tests check its jitter) */
    Backoff backoff() {
        return backoff;
    }

    /** @return what the forwarder did so far */
    public ForwarderStats stats() {
        synchronized (statsLock) {
            return new ForwarderStats(batchesAcked, recordsAcked, failedAttempts, recordsRejected,
                    consecutiveFailures, Optional.ofNullable(lastError), recordsDeadLettered,
                    Optional.ofNullable(unreachable));
        }
    }

    /**
     * Stops forwarding, the thread {@link #start()} began as well as a {@link #drainAvailable(Duration)} running in
     * another thread. A loop waiting (idle, backing off, offline) stops at once. An in-flight send may complete
     * within the shutdown grace period and is then committed; otherwise the transport is closed, also one passed to
     * {@link Builder#transport(Transport)}, so the send fails and its records stay in the buffer, and the loop's
     * thread (the forwarder's own, or the one in {@code drainAvailable}, which then returns false with the
     * interrupt cleared) is interrupted. Closes the transport when this forwarder created it; a transport passed in
     * is otherwise left open. Called from inside {@code drainAvailable}'s thread (a transport callback) it does not
     * wait for that drain. Idempotent.
     *
     * @throws TransportException when closing the transport fails
     */
    @Override
    public void close() throws TransportException {
        Thread t;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            stopping = true;
            wake.signalAll();
            t = thread;
            if (t != null && idleWait) {
                t.interrupt(); // waiting for records in the buffer, which close() cannot signal; no send runs
            }
        } finally {
            lock.unlock();
        }
        boolean transportClosed = false;
        try {
            if (t != null) {
                t.join(shutdownGrace.toMillis() + 1);
                if (t.isAlive()) {
                    // abandon the in-flight batch: closing the transport makes send fail; the cursor stays put
                    transport.close();
                    transportClosed = true;
                    t.interrupt();
                    t.join(shutdownGrace.toMillis() + 1000);
                }
            }
            if (!awaitDrainEnd(shutdownGrace.toNanos() + 1_000_000)) {
                if (!transportClosed) {
                    transport.close();
                    transportClosed = true;
                }
                interruptDrainer();
                awaitDrainEnd(shutdownGrace.toNanos() + 1_000_000_000L);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsTransport && !transportClosed) {
            transport.close();
        }
    }

    /** Waits for a drain in another thread to end; true when none runs (or only the caller's own). */
    private boolean awaitDrainEnd(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (drainer != null && drainer != Thread.currentThread() && left > 0) {
                left = drainEnded.awaitNanos(left);
            }
            return drainer == null || drainer == Thread.currentThread();
        } finally {
            lock.unlock();
        }
    }

    private void interruptDrainer() {
        lock.lock();
        try {
            if (drainer != null && drainer != Thread.currentThread()) {
                drainerInterrupted = true;
                drainer.interrupt();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Builder for {@link Forwarder}.
     *
     * <p>Not thread-safe.
     */
    public static final class Builder {
        private DurableBuffer buffer;
        private String cursorName;
        private Cursor cursor;
        private Transport transport;
        private TransportProvider provider;
        private ComponentConfig providerConfig;
        private String compression;
        private int maxBatchRecords = 500;
        private long maxBatchBytes = 1 << 20;
        private Duration linger = Duration.ofMillis(50);
        private Duration idlePoll = Duration.ofSeconds(1);
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofMinutes(2);
        private Duration maxRetryAfter = Duration.ofHours(1);
        private Duration shutdownGrace = Duration.ofSeconds(5);
        private double jitter = 0.5;
        private Long seed;
        private BooleanSupplier connectivity = () -> true;
        private DeadLetterSink deadLetters;

        private Builder() {
        }

        /**
         * @param buffer the buffer to drain
         * @param cursorName the cursor to drain (created at the oldest record when new)
         * @return this builder
         */
        public Builder source(DurableBuffer buffer, String cursorName) {
            this.buffer = Objects.requireNonNull(buffer, "buffer");
            this.cursorName = Objects.requireNonNull(cursorName, "cursorName");
            this.cursor = null;
            return this;
        }

        /**
         * @param cursor the cursor to drain
         * @return this builder
         */
        public Builder source(Cursor cursor) {
            this.cursor = Objects.requireNonNull(cursor, "cursor");
            this.buffer = null;
            return this;
        }

        /**
         * @param transport the transport; the caller keeps ownership and closes it
         * @return this builder
         */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            this.provider = null;
            return this;
        }

        /**
         * @param provider the transport provider; the forwarder creates the transport and closes it
         * @param config   the transport's configuration (the {@link #compression(String)} setting is added)
         * @return this builder
         */
        public Builder transport(TransportProvider provider, ComponentConfig config) {
            this.provider = Objects.requireNonNull(provider, "provider");
            this.providerConfig = Objects.requireNonNull(config, "config");
            this.transport = null;
            return this;
        }

        /**
         * @param compression batch compression handed to the transport as its {@code compression} setting
         *                    ({@code none}, {@code gzip}, {@code lz4})
         * @return this builder
         */
        public Builder compression(String compression) {
            this.compression = Objects.requireNonNull(compression, "compression");
            return this;
        }

        /**
         * @param maxRecords most records per batch, at least 1; default 500
         * @param maxBytes   most payload bytes per batch, at least 1; default 1 MiB
         * @param linger     longest wait for a batch to fill after its first record; default 50 ms
         * @return this builder
         */
        public Builder batching(int maxRecords, long maxBytes, Duration linger) {
            if (maxRecords < 1 || maxBytes < 1 || linger.isNegative()) {
                throw new IllegalArgumentException("batching needs maxRecords >= 1, maxBytes >= 1, linger >= 0; "
                        + "got " + maxRecords + ", " + maxBytes + ", " + linger);
            }
            this.maxBatchRecords = maxRecords;
            this.maxBatchBytes = maxBytes;
            this.linger = linger;
            return this;
        }

        /**
         * @param initial first retry delay; default 200 ms
         * @param max     largest retry delay; default 2 min
         * @param jitter  largest random fraction removed from a delay, in [0, 1]; default 0.5
         * @param seed    seed of the jitter (for reproducible tests); by default each forwarder draws one from
     *                {@link SecureRandom}, so devices coming back after an outage do not retry in lockstep
         * @return this builder
         */
        public Builder backoff(Duration initial, Duration max, double jitter, long seed) {
            Backoff validated = new Backoff(initial, max, jitter, seed);
            Objects.requireNonNull(validated, "backoff");
            this.initialBackoff = initial;
            this.maxBackoff = max;
            this.jitter = jitter;
            this.seed = seed;
            return this;
        }

        /**
         * @param maxRetryAfter the longest Retry-After honoured (longer requests are capped); default 1 h
         * @return this builder
         */
        public Builder maxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
            return this;
        }

        /**
         * @param connectivity says whether a link exists; while false nothing is sent. Default always true.
         * @return this builder
         */
        public Builder connectivity(BooleanSupplier connectivity) {
            this.connectivity = Objects.requireNonNull(connectivity, "connectivity");
            return this;
        }

        /**
         * Keeps each record the receiver refuses as never acceptable in {@code sink} before skipping it; the skip is
         * committed only once the sink returned, and when it throws the record stays in the buffer and is tried
         * again after a backoff. Without a sink (the default) such a record is skipped, logged and counted, and gone
         * once its segment is reclaimed.
         *
         * @param sink where to keep refused records, e.g. a {@link io.edgeloop.buffer.relay.DeadLetterDirectory}
         * @return this builder
         */
        public Builder deadLetters(DeadLetterSink sink) {
            this.deadLetters = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * @param idlePoll how often to look again while offline or idle; default 1 s
         * @return this builder
         */
        public Builder idlePoll(Duration idlePoll) {
            if (idlePoll.isNegative() || idlePoll.isZero()) {
                throw new IllegalArgumentException("idlePoll must be positive, got " + idlePoll);
            }
            this.idlePoll = idlePoll;
            return this;
        }

        /**
         * @param shutdownGrace how long {@link Forwarder#close()} lets an in-flight send finish; default 5 s
         * @return this builder
         */
        public Builder shutdownGrace(Duration shutdownGrace) {
            this.shutdownGrace = Objects.requireNonNull(shutdownGrace, "shutdownGrace");
            return this;
        }

        /**
         * Builds the forwarder (creates the transport when a provider was given; no network I/O).
         *
         * @return the forwarder, not started
         * @throws IOException when the cursor cannot be created
         */
        public Forwarder build() throws IOException {
            Cursor c = cursor;
            if (c == null) {
                if (buffer == null) {
                    throw new IllegalStateException("source(buffer, cursorName) or source(cursor) is required");
                }
                c = buffer.cursor(cursorName);
            }
            if (transport != null) {
                return new Forwarder(this, c, transport, false);
            }
            if (provider == null) {
                throw new IllegalStateException("transport(...) is required");
            }
            ComponentConfig cfg = providerConfig;
            if (compression != null) {
                cfg = cfg.toBuilder().put("compression", compression).build();
            }
            return new Forwarder(this, c, provider.create(cfg), true);
        }
    }
}
