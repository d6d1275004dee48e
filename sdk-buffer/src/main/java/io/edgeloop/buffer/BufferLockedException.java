package io.edgeloop.buffer;

import java.io.IOException;

/**
 * Another process (or another open {@link DurableBuffer} in this one) has the buffer directory open for writing.
 * Two writers would each keep their own sequence marks and cursors in memory: one could reissue idempotency keys
 * the other handed out, or delete segments a cursor of the other has not had acknowledged. Close the buffer there
 * first (or drain it from inside that process with a {@link io.edgeloop.buffer.forward.Forwarder}); reading with
 * {@link DurableBuffer.Builder#readOnly(boolean)} needs no lock.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class BufferLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the directory and, when known, the holder
     */
    public BufferLockedException(String message) {
        super(message);
    }
}
