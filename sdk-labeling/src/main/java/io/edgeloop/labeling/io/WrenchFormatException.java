package io.edgeloop.labeling.io;

import java.io.IOException;

/**
 * A WRENCH data set directory or file is missing or malformed. The message names the file, the place and what
 * was expected.
 *
 * <p>Not thread-safe (exceptions are not shared).
 */
public final class WrenchFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the file
     */
    public WrenchFormatException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the file
     * @param cause   the parser's error
     */
    public WrenchFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
