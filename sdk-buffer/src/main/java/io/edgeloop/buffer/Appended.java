package io.edgeloop.buffer;

import io.edgeloop.api.record.IdempotencyKey;
import java.util.Objects;

/**
 * The result of an append: the record's idempotency key and its place in the log.
 *
 * <p>Thread-safe: immutable.
 *
 * @param key             the record's key (device, stream, epoch, sequence)
 * @param timestampMillis the timestamp stored with the record
 * @param position        the log position where the record's frame starts
 * @param endPosition     the log position just after the frame; the record is durable once the durable watermark
 *                        reaches it
 */
public record Appended(IdempotencyKey key, long timestampMillis, long position, long endPosition) {
    /**
     * Validates the components.
     *
     * @param key             the key
     * @param timestampMillis the timestamp
     * @param position        the start position
     * @param endPosition     the end position
     */
    public Appended {
        Objects.requireNonNull(key, "key");
        if (endPosition <= position) {
            throw new IllegalArgumentException("endPosition must be after position");
        }
    }

    /** @return the record's sequence number within its stream */
    public long sequence() {
        return key.sequence();
    }
}
