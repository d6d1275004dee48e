package io.edgeloop.buffer.forward;

import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.cursor.Cursor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a single record refused as content (not retryable) was refused for itself, or whether the
 * receiver refuses everything (an API answering 400 to a bad key, a proxy mangling bodies), by probing later
 * records alone. Nothing is remembered across rounds or restarts: the decision rests on what the receiver answers
 * now.
 *
 * <p>Probes are the records after the refused one at offsets 1, 2, 4, 8, ... and then the last durable record, so
 * a receiver refusing everything costs about log2(backlog) single-record sends per round, never a skip. When a
 * probe is accepted the receiver demonstrably takes content, so every refused record is a refusal of that record:
 * the refused record and the probes refused right after it (a contiguous run) are skipped, and the accepted probe
 * is committed too when it directly follows that run. An accepted probe further ahead is not committed: it is sent
 * again in its turn (a duplicate the receiver drops by idempotency key). When no probe is left (the refused
 * record is the last one) or every probe is refused, nothing is skipped.
 *
 * <p>Not thread-safe: used by one thread at a time, which owns the cursor meanwhile. Moves the cursor's read
 * position; the caller rewinds it unless it commits what {@link #accepted()} settled (or keeps that commit to
 * retry, as a forwarder keeps any acknowledged batch whose commit failed).
 */
final class RefusalProbe {
    private static final int SCAN_RECORDS = 256;
    private static final long SCAN_BYTES = 1 << 20;

    private final Cursor cursor;
    private final BufferedRecord refused;
    /** Offset (after the refused record) of the last record read while looking for probes. */
    private long scanned;
    private BufferedRecord lastScanned;
    private long wanted = 1;
    private boolean exhausted;
    private BufferedRecord current;
    private long currentOffset;
    /** Records known to be refused, from the refused one: offsets 0 .. knownRefused. */
    private long knownRefused;
    private BufferedRecord lastKnownRefused;
    /** The records at offsets 0 .. knownRefused, in order (what an accepted probe skips). */
    private final List<BufferedRecord> refusedRun = new ArrayList<>();
    private boolean started;

    /**
     * @param cursor  the cursor, rewound to the refused record (its committed position)
     * @param refused the record refused as content, the first after the committed position
     */
    RefusalProbe(Cursor cursor, BufferedRecord refused) {
        this.cursor = cursor;
        this.refused = refused;
        this.lastKnownRefused = refused;
        this.refusedRun.add(refused);
    }

    /**
     * @return the record to send alone next, or empty when none is left (keep everything and back off)
     * @throws IOException when the buffer cannot be read
     */
    Optional<BufferedRecord> next() throws IOException {
        if (!started) {
            started = true;
            List<BufferedRecord> first = cursor.poll(1, Long.MAX_VALUE);
            if (first.isEmpty() || first.get(0).nextPosition() != refused.nextPosition()) {
                exhausted = true;
                return Optional.empty();
            }
        }
        while (!exhausted) {
            // read exactly up to the next wanted offset, so no record past it is read and lost
            List<BufferedRecord> more = cursor.poll((int) Math.min(SCAN_RECORDS, wanted - scanned), SCAN_BYTES);
            if (more.isEmpty()) {
                exhausted = true;
                break;
            }
            scanned += more.size();
            lastScanned = more.get(more.size() - 1);
            if (scanned >= wanted) {
                wanted = scanned * 2;
                return probe(lastScanned, scanned);
            }
        }
        if (lastScanned != null && scanned > currentOffset) {
            // the end came before the next power of two: the last durable record is the final probe
            return probe(lastScanned, scanned);
        }
        return Optional.empty();
    }

    private Optional<BufferedRecord> probe(BufferedRecord r, long offset) {
        current = r;
        currentOffset = offset;
        return Optional.of(r);
    }

    /**
     * The probe from {@link #next()} was refused as content as well.
     *
     * @return whether it joined the refused run (directly follows it), so an accepted probe would skip it too
     */
    boolean refused() {
        if (currentOffset == knownRefused + 1) {
            knownRefused = currentOffset;
            lastKnownRefused = current;
            refusedRun.add(current);
            return true;
        }
        return false;
    }

    /**
     * What an accepted probe settled.
     *
     * @param skipped        how many refused records the commit skips
     * @param probeCommitted whether the commit covers the accepted probe too (it directly follows the refused run)
     * @param commitUpTo     the last record the commit covers: the caller commits it the way it commits an
     *                       acknowledged batch
     * @param skippedRecords the refused records the commit skips, oldest first (a dead-letter sink keeps them
     *                       before the commit is made)
     */
    record Outcome(long skipped, boolean probeCommitted, BufferedRecord commitUpTo,
            List<BufferedRecord> skippedRecords) {
    }

    /**
     * The probe from {@link #next()} was accepted: reads past the refused run (and the probe when it directly
     * follows it), leaving the cursor's read position right after {@link Outcome#commitUpTo()}. Commits nothing: the
     * caller commits that record like the last of an acknowledged batch, so a commit a full disk refuses is held
     * back and retried the same way (before, the commit happened here and its failure escaped as a failed read of the
     * buffer: the probe was sent again in the next round).
     *
     * @return how many records are skipped, whether the probe is covered, and the record to commit (null when
     *         nothing is left to commit: the refused record expired meanwhile)
     * @throws IOException when the buffer cannot be read
     */
    Outcome accepted() throws IOException {
        boolean adjacent = currentOffset == knownRefused + 1;
        BufferedRecord upTo = adjacent ? current : lastKnownRefused;
        // one record at a time (upTo is at most a few records in: the refused run grows only through adjacent
        // probes), so the read position ends exactly after it and no later record is passed over unsent
        BufferedRecord last = readUpTo(upTo.nextPosition());
        if (last != null && last.nextPosition() > upTo.nextPosition()) {
            // upTo itself expired (its stream's TTL) since it was read: stop at the record before it
            BufferedRecord before = null;
            cursor.rewind();
            for (List<BufferedRecord> r = cursor.poll(1, Long.MAX_VALUE); !r.isEmpty()
                    && r.get(0).nextPosition() < upTo.nextPosition(); r = cursor.poll(1, Long.MAX_VALUE)) {
                before = r.get(0);
            }
            cursor.rewind();
            last = before == null ? null : readUpTo(before.nextPosition());
        }
        List<BufferedRecord> skippedRecords = new ArrayList<>();
        for (BufferedRecord r : refusedRun) {
            if (last != null && r.nextPosition() <= last.nextPosition()) {
                skippedRecords.add(r);
            }
        }
        return new Outcome(last == null ? 0 : knownRefused + 1, adjacent && last != null && last.nextPosition() == upTo.nextPosition(),
                last, List.copyOf(skippedRecords));
    }

    /** Reads from the committed position, one record at a time, until the read position reaches {@code end}. */
    private BufferedRecord readUpTo(long end) throws IOException {
        cursor.rewind();
        BufferedRecord last = null;
        while (cursor.readPosition() < end) {
            List<BufferedRecord> r = cursor.poll(1, Long.MAX_VALUE);
            if (r.isEmpty()) {
                break;
            }
            last = r.get(0);
        }
        return last;
    }

    /** @return the refused record */
    BufferedRecord refusedRecord() {
        return refused;
    }
}
