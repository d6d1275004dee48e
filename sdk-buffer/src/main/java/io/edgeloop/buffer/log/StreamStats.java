package io.edgeloop.buffer.log;

/**
 * Counters of one stream within one segment. Mutable; guarded by the owner's lock.
 *
 * <p>Not thread-safe.
 */
public final class StreamStats {
    long count;
    long payloadBytes;
    long firstSeq;
    long lastSeq;
    long minTimestamp = Long.MAX_VALUE;
    long maxTimestamp = Long.MIN_VALUE;
    int maxPriority = -1;

    StreamStats() {
    }

    void add(long seq, long ts, int priority, int payloadLen) {
        if (count == 0) {
            firstSeq = seq;
        }
        count++;
        payloadBytes += payloadLen;
        lastSeq = Math.max(lastSeq, seq);
        minTimestamp = Math.min(minTimestamp, ts);
        maxTimestamp = Math.max(maxTimestamp, ts);
        maxPriority = Math.max(maxPriority, priority);
    }

    /** @return records of the stream in the segment */
    public long count() {
        return count;
    }

    /** @return payload bytes of the stream in the segment */
    public long payloadBytes() {
        return payloadBytes;
    }

    /** @return the first sequence in the segment */
    public long firstSeq() {
        return firstSeq;
    }

    /** @return the highest sequence in the segment */
    public long lastSeq() {
        return lastSeq;
    }

    /** @return the smallest timestamp */
    public long minTimestamp() {
        return minTimestamp;
    }

    /** @return the largest timestamp */
    public long maxTimestamp() {
        return maxTimestamp;
    }

    /** @return the highest priority */
    public int maxPriority() {
        return maxPriority;
    }
}
