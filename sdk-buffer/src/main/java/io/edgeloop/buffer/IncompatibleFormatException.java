package io.edgeloop.buffer;

import java.io.IOException;

/**
 * A buffer file is intact (its checksum is right) but was written by a newer, incompatible format version. The
 * buffer refuses to touch it rather than misread or overwrite it; open it with the SDK version that wrote it.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class IncompatibleFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message which file, which version was found and which versions are supported
     */
    public IncompatibleFormatException(String message) {
        super(message);
    }
}
