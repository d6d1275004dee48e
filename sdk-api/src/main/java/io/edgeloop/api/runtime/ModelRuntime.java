package io.edgeloop.api.runtime;

import java.io.IOException;

/**
 * Loads model artifacts (the bytes shipped in a bundle) into an executable {@link IntegerModel}. A device agent
 * uses it to run golden vectors on the device's own runtime before switching models.
 *
 * <p>Implementations must be thread-safe.
 */
public interface ModelRuntime {
    /**
     * Returns the runtime's version, which bundles constrain ({@code "runtime": ">=1.0 <2"}).
     *
     * @return a semantic version
     */
    String version();

    /**
     * Loads a model artifact.
     *
     * @param artifact the artifact bytes
     * @return the executable model
     * @throws IOException when the bytes are not a model this runtime can execute; the message says why
     */
    IntegerModel load(byte[] artifact) throws IOException;
}
