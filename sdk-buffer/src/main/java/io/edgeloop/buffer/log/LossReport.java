package io.edgeloop.buffer.log;

import io.edgeloop.buffer.log.Loss.Kind;
import java.util.List;
import java.util.Objects;

/**
 * What damage the buffer found and skipped so far: on open (recovery of the active segment) and while reading
 * (sealed segments are checked as cursors read them). Nothing in a damaged file stops the buffer; this report is
 * how the damage becomes visible.
 *
 * <p>Thread-safe: immutable.
 *
 * @param corruptFrames  corrupt frames and regions skipped (each costs at least one record)
 * @param corruptBytes   bytes in those frames and regions
 * @param truncatedBytes bytes cut off torn tails and missing from truncated segments (where the next segment tells)
 * @param losses         every damaged region, in the order found
 * @param recordsInCorruptRegionsAtMost at most this many records were in the corrupt regions of sealed segments
 *                      that the {@link Loss#recordsAtMost()} entries bound (since 2026-12-02): per segment and stream,
 *                      the smaller of the entries' sum and the records the segment is missing. Each entry bounds
 *                      its own region, so two regions of one segment between the same intact frames of a stream
 *                      each get that stream's whole count, and their sum would count those records twice.
 */
public record LossReport(long corruptFrames, long corruptBytes, long truncatedBytes, List<Loss> losses,
        long recordsInCorruptRegionsAtMost) {
    /**
     * Copies the list.
     *
     * @param corruptFrames  corrupt frames
     * @param corruptBytes   corrupt bytes
     * @param truncatedBytes truncated bytes
     * @param losses         the regions
     * @param recordsInCorruptRegionsAtMost the records in the bounded corrupt regions, at most
     */
    public LossReport {
        losses = List.copyOf(Objects.requireNonNull(losses, "losses"));
        if (recordsInCorruptRegionsAtMost < 0) {
            throw new IllegalArgumentException("recordsInCorruptRegionsAtMost must be >= 0, was "
                    + recordsInCorruptRegionsAtMost);
        }
    }

    /**
     * A report whose corrupt-region bound is the sum of its entries' {@link Loss#recordsAtMost()} (true, though
     * larger than needed when one segment has several regions per stream).
     *
     * @param corruptFrames  corrupt frames
     * @param corruptBytes   corrupt bytes
     * @param truncatedBytes truncated bytes
     * @param losses         the regions
     */
    public LossReport(long corruptFrames, long corruptBytes, long truncatedBytes, List<Loss> losses) {
        this(corruptFrames, corruptBytes, truncatedBytes, losses, Objects.requireNonNull(losses, "losses").stream()
                .filter(l -> l.kind() == Kind.CORRUPT_REGION).mapToLong(Loss::recordsAtMost).sum());
    }

    /** @return true when nothing was lost or skipped */
    public boolean isClean() {
        return losses.isEmpty();
    }
}
