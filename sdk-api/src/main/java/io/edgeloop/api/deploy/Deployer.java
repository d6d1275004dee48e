package io.edgeloop.api.deploy;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Delivers signed model bundles to devices: the back end publishes, device agents poll and fetch.
 * Verification is not the deployer's job: agents verify every bundle they fetch.
 *
 * <p>Thread-safe: publish and fetch may be called concurrently. {@link #close()} is idempotent; calls after
 * close throw {@link IllegalStateException}.
 */
public interface Deployer extends AutoCloseable {
    /**
     * Makes a bundle available on a channel, replacing the channel's current publication. The deployer keeps its
     * own copy: once this returns, the caller may delete or overwrite {@code bundle}, and fetches of the publication
     * still deliver the bytes published.
     *
     * @param bundle  the bundle file
     * @param channel the channel name
     * @return the publication
     * @throws DeploymentException when the bundle cannot be published
     */
    Publication publish(Path bundle, String channel) throws DeploymentException;

    /**
     * Returns the channel's current publication.
     *
     * @param channel the channel name
     * @return the publication, empty when nothing is published
     * @throws DeploymentException when the channel cannot be read
     */
    Optional<Publication> latest(String channel) throws DeploymentException;

    /**
     * Downloads a publication's bundle into {@code destination}, resuming a partial file when possible and
     * checking the size and SHA-256 against the publication.
     *
     * @param publication what to fetch
     * @param destination the file to write
     * @throws DeploymentException when the download fails or the bytes do not match
     */
    void fetch(Publication publication, Path destination) throws DeploymentException;

    /**
     * Releases resources. Idempotent.
     *
     * @throws DeploymentException when releasing fails
     */
    @Override
    void close() throws DeploymentException;
}
