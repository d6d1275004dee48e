package io.edgeloop.buffer.policy;

/**
 * What an append to a stream does when the buffer's disk budget is full and no acknowledged or expired segment
 * can be reclaimed. Space is always freed by deleting whole segments, oldest first, so the log is never rewritten.
 *
 * <p>Thread-safe: an enum.
 */
public enum FullPolicy {
    /** Wait up to the stream's block timeout for cursors to acknowledge data (back-pressure), then fail. */
    BLOCK,
    /** Fail the append at once with {@link io.edgeloop.buffer.BufferFullException}. */
    REJECT_NEW,
    /** Delete the oldest sealed segment, unsent records included, and count them as dropped. */
    DROP_OLDEST,
    /**
     * Delete the sealed segment whose most important unsent record has the lowest priority (oldest on ties),
     * provided that priority is not above the new record's; otherwise fail like {@link #REJECT_NEW}.
     */
    DROP_LOWEST_PRIORITY
}
