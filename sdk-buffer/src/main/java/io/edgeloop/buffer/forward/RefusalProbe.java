package io.edgeloop.buffer.forward;

import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.cursor.Cursor;
import java.io.IOException;
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
 * position; the caller rewinds it unless {@link #accepted()} committed.
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
    private boolean started;

    /**
     * @param cursor  the cursor, rewound to the refused record (its committed position)
     * @param refused the record refused as content, the first after the committed position
     */
    RefusalProbe(Cursor cursor, BufferedRecord refused) {
        this.cursor = cursor;
        this.refused = refused;
        this.lastKnownRefused = refused;
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

    /** The probe from {@link #next()} was refused as content as well. */
    void refused() {
        if (currentOffset == knownRefused + 1) {
            knownRefused = currentOffset;
            lastKnownRefused = current;
        }
    }

    /** What an accepted probe settled. */
    record Outcome(long skipped, boolean probeCommitted) {
    }

    /**
     * The probe from {@link #next()} was accepted: commits past the refused run (and the probe when it directly
     * follows it).
     *
     * @return how many records were skipped and whether the probe was committed
     * @throws IOException when the cursor cannot be committed
     */
    Outcome accepted() throws IOException {
        boolean adjacent = currentOffset == knownRefused + 1;
        BufferedRecord upTo = adjacent ? current : lastKnownRefused;
        cursor.rewind();
        while (cursor.readPosition() < upTo.nextPosition()) {
            if (cursor.poll(SCAN_RECORDS, SCAN_BYTES).isEmpty()) {
                break;
            }
        }
        cursor.commit(upTo.nextPosition());
        cursor.rewind();
        return new Outcome(knownRefused + 1, adjacent);
    }

    /** @return the refused record */
    BufferedRecord refusedRecord() {
        return refused;
    }
}
