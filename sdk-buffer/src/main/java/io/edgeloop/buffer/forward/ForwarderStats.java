package io.edgeloop.buffer.forward;

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
 */
public record ForwarderStats(long batchesAcknowledged, long recordsAcknowledged, long failedAttempts,
        long recordsRejected, int consecutiveFailures, Optional<String> lastError) {
}
