package io.edgeloop.buffer.forward;

import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of what a {@link Forwarder} did.
 *
 * <p>Thread-safe: immutable.
 *
 * @param batchesAcknowledged batches the transport acknowledged
 * @param recordsAcknowledged records in them (the cursor moved past them)
 * @param failedAttempts      sends that failed (the records stay and are retried)
 * @param recordsRejected     records the transport refused as never acceptable (skipped, logged), counted once the
 *                            commit that skips them is stored: a skip whose commit a restart lost is decided
 *                            again by the next forwarder and counted there only
 * @param consecutiveFailures failures since the last success
 * @param lastError           the last failure's message, if any
 * @param recordsDeadLettered of {@code recordsRejected}, those kept in the forwarder's dead-letter sink before they
 *                            were skipped ({@link Forwarder.Builder#deadLetters}); counted the same way
 * @param unreachable         while the transport reports its receiver unreachable (nothing is tried then), why;
 *                            empty once it is reachable again
 */
public record ForwarderStats(long batchesAcknowledged, long recordsAcknowledged, long failedAttempts,
        long recordsRejected, int consecutiveFailures, Optional<String> lastError, long recordsDeadLettered,
        Optional<String> unreachable) {
    /** Checks the optional components. */
    public ForwarderStats {
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(unreachable, "unreachable");
    }

    /**
     * Stats without dead letters, of a forwarder whose receiver is not known to be unreachable (the components
     * before {@code recordsDeadLettered} and {@code unreachable} were added).
     *
     * @param batchesAcknowledged batches the transport acknowledged
     * @param recordsAcknowledged records in them
     * @param failedAttempts      sends that failed
     * @param recordsRejected     records refused as never acceptable and skipped
     * @param consecutiveFailures failures since the last success
     * @param lastError           the last failure's message, if any
     */
    public ForwarderStats(long batchesAcknowledged, long recordsAcknowledged, long failedAttempts,
            long recordsRejected, int consecutiveFailures, Optional<String> lastError) {
        this(batchesAcknowledged, recordsAcknowledged, failedAttempts, recordsRejected, consecutiveFailures,
                lastError, 0, Optional.empty());
    }
}
