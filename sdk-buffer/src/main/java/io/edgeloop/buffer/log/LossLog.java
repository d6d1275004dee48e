package io.edgeloop.buffer.log;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accumulates {@link Loss}es, counting each damaged region once however often it is read.
 *
 * <p>Thread-safe: all methods synchronize on a private lock.
 */
public final class LossLog {
    private static final int MAX_KEPT = 10_000;

    private final Object lock = new Object();
    private final Set<String> seen = new HashSet<>();
    private final List<Loss> losses = new ArrayList<>();
    /** Per segment file and stream with bounded corrupt regions: the records it is missing, the entries' sum. */
    private final Map<List<String>, long[]> bounds = new HashMap<>();
    private long corruptFrames;
    private long corruptBytes;
    private long truncatedBytes;

    /** Creates an empty log. */
    public LossLog() {
    }

    /**
     * Records a loss unless the same region was recorded before.
     *
     * @param loss the loss
     * @return true when it was new
     */
    public boolean record(Loss loss) {
        synchronized (lock) {
            if (!seen.add(loss.file() + "@" + loss.offset() + ":" + loss.kind() + ":" + loss.stream())) {
                return false;
            }
            switch (loss.kind()) {
                case CORRUPT_REGION:
                    if (loss.recordsAtMost() > 0) {
                        break; // a bound of the region counted already, per stream
                    }
                    corruptFrames++;
                    corruptBytes += loss.length();
                    break;
                case CORRUPT_FRAME:
                    corruptFrames++;
                    corruptBytes += loss.length();
                    break;
                case TORN_TAIL:
                case SEGMENT_TRUNCATED:
                    truncatedBytes += loss.length();
                    break;
                default:
                    break;
            }
            if (losses.size() < MAX_KEPT) {
                losses.add(loss);
            }
            return true;
        }
    }

    /**
     * Records the bound of a corrupt region's records in one stream ({@link Loss#recordsAtMost()} &gt; 0) unless the
     * same region's bound was recorded before, and counts it towards the report's
     * {@link LossReport#recordsInCorruptRegionsAtMost()}: per segment and stream at most {@code segmentMissing}
     * whatever the sum of its regions' bounds.
     *
     * @param bound          the bound
     * @param segmentMissing the records of that stream the segment is missing in all (its regions' records together)
     * @return true when it was new
     */
    public boolean recordBound(Loss bound, long segmentMissing) {
        if (bound.recordsAtMost() <= 0 || segmentMissing < bound.recordsAtMost()) {
            throw new IllegalArgumentException("a bound of at most " + bound.recordsAtMost() + " records with "
                    + segmentMissing + " missing from the segment: " + bound);
        }
        synchronized (lock) {
            if (!record(bound)) {
                return false;
            }
            long[] b = bounds.computeIfAbsent(List.of(bound.file(), bound.stream()), k -> new long[2]);
            b[0] = Math.max(b[0], segmentMissing);
            b[1] += bound.recordsAtMost();
            return true;
        }
    }

    /** @return the corrupt frames counted so far */
    public long corruptFrames() {
        synchronized (lock) {
            return corruptFrames;
        }
    }

    /** @return a snapshot */
    public LossReport report() {
        synchronized (lock) {
            long regions = 0;
            for (long[] b : bounds.values()) {
                regions += Math.min(b[0], b[1]);
            }
            return new LossReport(corruptFrames, corruptBytes, truncatedBytes, losses, regions);
        }
    }
}
