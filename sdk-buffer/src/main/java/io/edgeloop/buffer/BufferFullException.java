package io.edgeloop.buffer;

import java.io.IOException;

/**
 * An append did not fit in the buffer's disk budget and the stream's
 * {@link io.edgeloop.buffer.policy.FullPolicy} did not make room (reject, block timed out, or nothing droppable).
 * Nothing was written; the caller may retry once transports acknowledged data.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class BufferFullException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was full and why no room was made
     */
    public BufferFullException(String message) {
        super(message);
    }
}
