package io.edgeloop.buffer;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Envelope;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One record read back from the buffer, with the log positions a cursor commits.
 *
 * <p>Thread-safe: immutable; the payload is exposed read-only or copied.
 */
public final class BufferedRecord {
    private final IdempotencyKey key;
    private final long timestampMillis;
    private final int priority;
    private final byte[] payload;
    private final long position;
    private final long nextPosition;

    /**
     * @param key             the record's key
     * @param timestampMillis its timestamp
     * @param priority        its priority, 0 to 9
     * @param payload         its payload (not copied: the buffer hands over a fresh array)
     * @param position        where its frame starts
     * @param nextPosition    where the next frame starts
     */
    public BufferedRecord(IdempotencyKey key, long timestampMillis, int priority, byte[] payload, long position,
            long nextPosition) {
        this.key = Objects.requireNonNull(key, "key");
        this.timestampMillis = timestampMillis;
        this.priority = priority;
        this.payload = Objects.requireNonNull(payload, "payload");
        this.position = position;
        this.nextPosition = nextPosition;
    }

    /** @return the idempotency key (device, stream, epoch, sequence) */
    public IdempotencyKey key() {
        return key;
    }

    /** @return the stream */
    public String stream() {
        return key.stream();
    }

    /** @return the sequence within the stream */
    public long sequence() {
        return key.sequence();
    }

    /** @return the timestamp in milliseconds since the Unix epoch */
    public long timestampMillis() {
        return timestampMillis;
    }

    /** @return the priority, 0 (lowest) to 9 */
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

    /** @return the log position of this record's frame */
    public long position() {
        return position;
    }

    /** @return the log position after this record: what a cursor commits once it is acknowledged */
    public long nextPosition() {
        return nextPosition;
    }

    /** @return this record as a transport envelope */
    public Envelope toEnvelope() {
        return new Envelope(key, timestampMillis, priority, payload);
    }

    @Override
    public String toString() {
        return "BufferedRecord[" + key + ", " + payload.length + " B, p" + priority + ", @" + position + "]";
    }
}
