package io.edgeloop.api.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A batch was not acknowledged. Says whether retrying may help and, when the receiver said so (HTTP
 * {@code Retry-After}), how long to wait.
 *
 * <p>Not retryable means the batch's <em>content</em> will never be accepted (a record too large, malformed):
 * forwarders then narrow the batch down to the single refused record and skip it. A refusal of the endpoint
 * (wrong address, bad credentials, missing permission, a peer that is busy or speaks another protocol version)
 * refuses every record alike and must be retryable, or a forwarder would skip, and so lose, everything.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class TransportException extends IOException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private final Duration retryAfter;

    /**
     * @param message   what failed
     * @param retryable whether the same batch may succeed later
     */
    public TransportException(String message, boolean retryable) {
        this(message, retryable, null, null);
    }

    /**
     * @param message   what failed
     * @param retryable whether the same batch may succeed later
     * @param cause     the underlying error
     */
    public TransportException(String message, boolean retryable, Throwable cause) {
        this(message, retryable, null, cause);
    }

    /**
     * @param message    what failed
     * @param retryable  whether the same batch may succeed later
     * @param retryAfter how long the receiver asked us to wait, or null
     * @param cause      the underlying error, or null
     */
    public TransportException(String message, boolean retryable, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** @return whether the same batch may succeed if sent again later */
    public boolean isRetryable() {
        return retryable;
    }

    /** @return the wait the receiver asked for, if any */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
