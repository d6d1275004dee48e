package io.edgeloop.api.deploy;

import java.util.Objects;

/**
 * A bundle made available on a channel: what devices see when they poll.
 *
 * @param channel   the channel (fleet or ring) it was published to
 * @param name      the model name
 * @param sequence  the bundle's anti-rollback sequence number
 * @param sha256    lower-case hex SHA-256 of the bundle file
 * @param sizeBytes the bundle size
 * @param location  where to fetch it (a path or URL, implementation-defined)
 */
public record Publication(String channel, String name, long sequence, String sha256, long sizeBytes,
        String location) {
    /**
     * Validates the components.
     *
     * @param channel   the channel
     * @param name      the name
     * @param sequence  the sequence
     * @param sha256    the digest
     * @param sizeBytes the size
     * @param location  the location
     */
    public Publication {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(location, "location");
        if (sequence < 0 || sizeBytes < 0) {
            throw new IllegalArgumentException("sequence and sizeBytes must be non-negative");
        }
    }
}
