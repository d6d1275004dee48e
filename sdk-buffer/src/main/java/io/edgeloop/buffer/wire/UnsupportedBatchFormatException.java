package io.edgeloop.buffer.wire;

/**
 * An intact batch header names a major version, compression or flags this reader does not support: the sender is
 * newer than the receiver, and nothing is wrong with the records. Receivers answer it as a refusal of the
 * endpoint (retryable: HTTP 415, a retryable relay ERROR), so senders keep the records until the receiver is
 * upgraded instead of skipping them as malformed.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class UnsupportedBatchFormatException extends BatchFormatException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is not supported
     */
    public UnsupportedBatchFormatException(String message) {
        super(message);
    }

    /**
     * @param message what is not supported
     * @param cause   the underlying error
     */
    public UnsupportedBatchFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
