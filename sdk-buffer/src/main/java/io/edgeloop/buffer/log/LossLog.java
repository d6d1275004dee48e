package io.edgeloop.buffer.log;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

    /** @return the corrupt frames counted so far */
    public long corruptFrames() {
        synchronized (lock) {
            return corruptFrames;
        }
    }

    /** @return a snapshot */
    public LossReport report() {
        synchronized (lock) {
            return new LossReport(corruptFrames, corruptBytes, truncatedBytes, losses);
        }
    }
}
