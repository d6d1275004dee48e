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
 *
 * <p>Thread-safe: immutable.
 */
public record Publication(String channel, String name, long sequence, String sha256, long sizeBytes,
        String location) {
    /**
     * Validates the components.
     *
     * @param channel   the channel, not blank
     * @param name      the name, not blank
     * @param sequence  the sequence, 0 or more
     * @param sha256    the digest, 64 lower-case hex digits
     * @param sizeBytes the size, 0 or more
     * @param location  the location, not blank
     * @throws IllegalArgumentException when a component is blank or out of range
     */
    public Publication {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(location, "location");
        if (channel.isBlank() || name.isBlank() || location.isBlank()) {
            throw new IllegalArgumentException("publication channel, name and location must not be blank, got channel '"
                    + channel + "', name '" + name + "', location '" + location + "'");
        }
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("publication sha256 must be 64 lower-case hex digits, got '" + sha256
                    + "'");
        }
        if (sequence < 0 || sizeBytes < 0) {
            throw new IllegalArgumentException("publication sequence and sizeBytes must be non-negative, got "
                    + sequence + " and " + sizeBytes);
        }
    }
}
