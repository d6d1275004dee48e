package io.edgeloop.buffer.log;

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
 */
public record LossReport(long corruptFrames, long corruptBytes, long truncatedBytes, List<Loss> losses) {
    /**
     * Copies the list.
     *
     * @param corruptFrames  corrupt frames
     * @param corruptBytes   corrupt bytes
     * @param truncatedBytes truncated bytes
     * @param losses         the regions
     */
    public LossReport {
        losses = List.copyOf(Objects.requireNonNull(losses, "losses"));
    }

    /** @return true when nothing was lost or skipped */
    public boolean isClean() {
        return losses.isEmpty();
    }
}
