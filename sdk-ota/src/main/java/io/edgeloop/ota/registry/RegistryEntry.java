package io.edgeloop.ota.registry;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One published version of a model.
 *
 * <p>Thread-safe: immutable (the collections are unmodifiable copies).
 *
 * @param name          model name
 * @param version       semantic version (assigned)
 * @param sequence      anti-rollback sequence (assigned)
 * @param securityEpoch security epoch
 * @param sha256        digest of the stored bundle
 * @param sizeBytes     size of the stored bundle
 * @param publishedAt   when it was published
 * @param status        life-cycle status
 * @param channels      channels it is promoted to
 * @param note          the reason given for the last status change, empty when none
 */
public record RegistryEntry(String name, String version, long sequence, long securityEpoch, String sha256,
        long sizeBytes, Instant publishedAt, ModelStatus status, Set<String> channels, String note) {
    /**
     * Validates and copies.
     *
     * @param name          name
     * @param version       version
     * @param sequence      sequence
     * @param securityEpoch epoch
     * @param sha256        digest
     * @param sizeBytes     size
     * @param publishedAt   time
     * @param status        status
     * @param channels      channels
     * @param note          note
     */
    public RegistryEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(publishedAt, "publishedAt");
        Objects.requireNonNull(status, "status");
        channels = Set.copyOf(channels);
        Objects.requireNonNull(note, "note");
    }
}
