package io.edgeloop.api.source;

import java.io.IOException;

/**
 * A sensor source could not read: the device, file or broker behind it failed. Checked, because it is an
 * environmental condition the caller must handle (retry, skip, report). Not thread-safe to mutate; immutable
 * after construction.
 */
public class SourceException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, naming the source and the fix where known
     */
    public SourceException(String message) {
        super(message);
    }

    /**
     * @param message what failed
     * @param cause   the underlying error
     */
    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
