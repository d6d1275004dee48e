package io.edgeloop.ota.registry;

import io.edgeloop.ota.bundle.BundleAssembler;
import io.edgeloop.ota.bundle.Lineage;
import io.edgeloop.ota.trust.SigningKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Versioned, immutable storage of signed bundles. {@link #publish} assigns the next sequence (last + 1) and
 * version (by {@link VersionBump}) itself, so people never pick either; a published bundle never changes and
 * every read checks its digest. Status changes (promote, deprecate, yank) are recorded beside it.
 *
 * <p>Implementations must be thread-safe (and safe against concurrent publishers of one model in other
 * processes where their storage allows).
 */
public interface ModelRegistry extends AutoCloseable {
    /**
     * Assembles, signs and stores the next version of a model.
     *
     * @param assembler  the model directories, name and lineage (its sequence and version are overwritten)
     * @param bump       which part of the version to increment (the first version is 1.0.0)
     * @param raiseEpoch true to raise the security epoch (older versions will be refused by devices)
     * @param signers    signing keys
     * @return the new entry
     * @throws IOException when storage fails
     */
    RegistryEntry publish(BundleAssembler assembler, VersionBump bump, boolean raiseEpoch, List<SigningKey> signers)
            throws IOException;

    /**
     * @param name the model name
     * @return every version, oldest first
     * @throws IOException when storage fails
     */
    List<RegistryEntry> history(String name) throws IOException;

    /**
     * @param name    the model name
     * @param version a version
     * @return the entry
     * @throws IOException when storage fails
     */
    Optional<RegistryEntry> get(String name, String version) throws IOException;

    /**
     * Returns the stored bundle after checking its digest.
     *
     * @param name    model name
     * @param version version
     * @return the bundle file (read-only)
     * @throws IOException when missing or when its digest no longer matches (tampering or corruption)
     */
    Path bundle(String name, String version) throws IOException;

    /**
     * @param name    model name
     * @param version version
     * @return the lineage bound into the version's signed manifest (digest-checked)
     * @throws IOException when missing or tampered
     */
    Lineage lineage(String name, String version) throws IOException;

    /**
     * @param datasetSha256 a dataset digest
     * @return every version whose lineage names it
     * @throws IOException when storage fails
     */
    List<RegistryEntry> trainedOn(String datasetSha256) throws IOException;

    /**
     * @param name    model name
     * @param version version
     * @param channel channel to promote to ({@code canary}, {@code stable})
     * @return the updated entry
     * @throws IOException              when storage fails
     * @throws IllegalStateException    when the version is yanked
     */
    RegistryEntry promote(String name, String version, String channel) throws IOException;

    /**
     * @param name    model name
     * @param version version
     * @param reason  why
     * @return the updated entry
     * @throws IOException when storage fails
     */
    RegistryEntry deprecate(String name, String version, String reason) throws IOException;

    /**
     * Withdraws a version: it leaves every channel and is never promoted again.
     *
     * @param name    model name
     * @param version version
     * @param reason  why
     * @return the updated entry
     * @throws IOException when storage fails
     */
    RegistryEntry yank(String name, String version, String reason) throws IOException;

    /**
     * @param name    model name
     * @param channel channel
     * @return the newest non-yanked version promoted to the channel; empty when there is none, or when a newer
     *         version that raised the security epoch was yanked (devices that installed it refuse the older
     *         version, and the raise retired it; the yank does not bring it back): roll back by publishing the
     *         wanted artifact again as a new version with {@code raiseEpoch}
     * @throws IOException when storage fails
     */
    Optional<RegistryEntry> current(String name, String channel) throws IOException;

    /** Releases resources; idempotent. */
    @Override
    void close();
}
