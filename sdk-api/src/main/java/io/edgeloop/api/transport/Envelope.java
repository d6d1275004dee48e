package io.edgeloop.api.transport;

import io.edgeloop.api.record.IdempotencyKey;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One buffered record on its way to the cloud: its idempotency key, timestamp, priority and opaque payload
 * (usually a {@link io.edgeloop.api.record.SensorRecordCodec} encoding).
 *
 * <p>Thread-safe: immutable; the payload is copied in and exposed read-only.
 */
public final class Envelope {
    private final IdempotencyKey key;
    private final long timestampMillis;
    private final int priority;
    private final byte[] payload;

    /**
     * @param key             the record's idempotency key
     * @param timestampMillis the append time, milliseconds since the Unix epoch
     * @param priority        0 (lowest) to 9 (highest)
     * @param payload         the bytes (copied)
     */
    public Envelope(IdempotencyKey key, long timestampMillis, int priority, byte[] payload) {
        this.key = Objects.requireNonNull(key, "key");
        if (priority < 0 || priority > 9) {
            throw new IllegalArgumentException("priority must be in [0, 9], got " + priority);
        }
        this.timestampMillis = timestampMillis;
        this.priority = priority;
        this.payload = Objects.requireNonNull(payload, "payload").clone();
    }

    /** @return the idempotency key */
    public IdempotencyKey key() {
        return key;
    }

    /** @return the append time in milliseconds since the Unix epoch */
    public long timestampMillis() {
        return timestampMillis;
    }

    /** @return the priority, 0 (lowest) to 9 (highest) */
    public int priority() {
        return priority;
    }

    /** @return the payload size in bytes */
    public int payloadSize() {
        return payload.length;
    }

    /** @return a read-only view of the payload */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /** @return a copy of the payload */
    public byte[] payloadBytes() {
        return payload.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Envelope)) {
            return false;
        }
        Envelope e = (Envelope) o;
        return timestampMillis == e.timestampMillis && priority == e.priority && key.equals(e.key)
                && Arrays.equals(payload, e.payload);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Envelope[" + key + ", " + payload.length + " B, p" + priority + "]";
    }
}
