package io.edgeloop.api.deploy;

import java.io.IOException;

/**
 * Publishing or fetching a bundle failed. Checked: an environmental condition (disk, network, server).
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class DeploymentException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     */
    public DeploymentException(String message) {
        super(message);
    }

    /**
     * @param message what failed
     * @param cause   the underlying error
     */
    public DeploymentException(String message, Throwable cause) {
        super(message, cause);
    }
}
