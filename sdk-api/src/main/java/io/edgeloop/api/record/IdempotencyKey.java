package io.edgeloop.api.record;

import java.util.Objects;

/**
 * Globally unique, restart-stable identity of one record: receivers drop a record whose key they have seen.
 *
 * <p>The epoch changes only when a device's buffer is recreated from nothing (so sequences may restart);
 * within one epoch sequences are strictly increasing per device and stream. The text form is
 * {@code deviceId/stream/epoch/sequence} with {@code /} and {@code %} in ids percent-encoded.
 *
 * @param deviceId the device that produced the record, not blank
 * @param stream   the stream within the device, not blank
 * @param epoch    the buffer epoch, non-negative
 * @param sequence the sequence number within stream and epoch, at least 1
 *
 * <p>Thread-safe: immutable.
 */
public record IdempotencyKey(String deviceId, String stream, long epoch, long sequence) {
    /**
     * Validates the components.
     *
     * @param deviceId the device id
     * @param stream   the stream
     * @param epoch    the epoch
     * @param sequence the sequence
     */
    public IdempotencyKey {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(stream, "stream");
        if (deviceId.isBlank() || stream.isBlank()) {
            throw new IllegalArgumentException("deviceId and stream must not be blank");
        }
        if (epoch < 0 || sequence < 1) {
            throw new IllegalArgumentException("epoch must be >= 0 and sequence >= 1, got epoch=" + epoch
                    + " sequence=" + sequence);
        }
    }

    /**
     * Parses the text form produced by {@link #toString()}.
     *
     * @param text the text
     * @return the key
     * @throws IllegalArgumentException when the text is not a key
     */
    public static IdempotencyKey parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.split("/", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("Not an idempotency key (expected device/stream/epoch/sequence): '"
                    + text + "'");
        }
        try {
            return new IdempotencyKey(decode(parts[0]), decode(parts[1]), Long.parseLong(parts[2]),
                    Long.parseLong(parts[3]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Not an idempotency key (epoch and sequence must be integers): '"
                    + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return encode(deviceId) + "/" + encode(stream) + "/" + epoch + "/" + sequence;
    }

    private static String encode(String s) {
        if (s.indexOf('/') < 0 && s.indexOf('%') < 0) {
            return s;
        }
        return s.replace("%", "%25").replace("/", "%2F");
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        return s.replace("%2F", "/").replace("%2f", "/").replace("%25", "%");
    }
}
