package io.edgeloop.ota.trust;

import java.io.IOException;

/**
 * A trust file is malformed, expired, or a rotation is not properly signed. Immutable after construction.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class TrustException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong and how to fix it
     */
    public TrustException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong
     * @param cause   the underlying error
     */
    public TrustException(String message, Throwable cause) {
        super(message, cause);
    }
}
