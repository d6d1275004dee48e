package io.edgeloop.buffer.relay;

import java.io.IOException;

/**
 * The relay peer broke the protocol: no HELLO, another major version, a corrupt or oversize frame.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class RelayProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong
     */
    public RelayProtocolException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong
     * @param cause   the underlying error
     */
    public RelayProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
