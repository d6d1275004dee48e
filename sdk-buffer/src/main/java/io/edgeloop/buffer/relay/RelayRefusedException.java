package io.edgeloop.buffer.relay;

import java.time.Duration;
import java.util.Optional;

/**
 * The relay peer answered the handshake with an ERROR frame instead of a HELLO: it refused the connection (for
 * example the gateway's connection limit), not any record. Carries the frame's retryable flag and wait.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class RelayRefusedException extends RelayProtocolException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private final long retryAfterMillis;

    /**
     * @param error the ERROR frame received in place of a HELLO
     */
    public RelayRefusedException(RelayFrames.Error error) {
        super("Relay peer refused the connection" + (error.retryable() ? " for now: " : ": ") + error.message());
        this.retryable = error.retryable();
        this.retryAfterMillis = error.retryAfterMillis();
    }

    /** @return whether the peer said connecting again later may succeed (its ERROR's retryable flag) */
    public boolean isRetryable() {
        return retryable;
    }

    /** @return the wait the peer asked for, empty when it gave none */
    public Optional<Duration> retryAfter() {
        return retryAfterMillis > 0 ? Optional.of(Duration.ofMillis(retryAfterMillis)) : Optional.empty();
    }
}
