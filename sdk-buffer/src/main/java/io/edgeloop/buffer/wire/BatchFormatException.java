package io.edgeloop.buffer.wire;

import java.io.IOException;

/**
 * Bytes are not a valid encoded batch: wrong magic, unknown major version, unknown compression, bad checksum,
 * truncation, a size over the decoder's limit, or malformed envelopes. The message says which and where.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class BatchFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong
     */
    public BatchFormatException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong
     * @param cause   the underlying error
     */
    public BatchFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
