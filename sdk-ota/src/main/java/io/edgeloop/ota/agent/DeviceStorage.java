package io.edgeloop.ota.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where an agent keeps its slots, boot record and counters. Names are relative ({@code slot-a/artifact},
 * {@code boot.json}).
 *
 * <p>Implementations must be thread-safe. {@link #writeAtomic} either replaces the whole value or leaves the old
 * one, even across a crash; {@link #write} may leave a partial value when interrupted.
 */
public interface DeviceStorage {
    /**
     * @param name the name
     * @return the value, empty when absent
     * @throws IOException when reading fails
     */
    Optional<byte[]> read(String name) throws IOException;

    /**
     * What occupies a name that {@link #read} reports as absent, if anything: a storage that keeps values as files
     * says so when the entry there is not a regular file (a directory, a symbolic link), so that the agent can
     * treat the value as damaged (logged, reported, rebuilt) rather than as never written. Writing the name must
     * still work ({@link FileDeviceStorage} moves the entry aside). The default: nothing, for storage that cannot
     * hold anything but values.
     *
     * @param name the name
     * @return what is there instead of a value, such as {@code "a directory"}; empty when the name holds a value or
     *         nothing at all
     * @throws IOException when storage cannot tell
     */
    default Optional<String> obstruction(String name) throws IOException {
        return Optional.empty();
    }

    /**
     * The bytes a write can still use, so that an install can be refused whole, before it writes anything, when
     * its slot does not fit. The default: unknown, for storage that cannot tell (the install then finds out as it
     * writes).
     *
     * @return the usable bytes, empty when unknown
     * @throws IOException when storage cannot tell
     */
    default OptionalLong usableBytes() throws IOException {
        return OptionalLong.empty();
    }

    /**
     * Whether a file outside storage takes its space from the same place as storage's values, so that deleting it
     * frees room for them (an install counts the download it was read from as reclaimable). The default: no.
     *
     * @param file a file, such as a download in the staging directory
     * @return whether deleting {@code file} frees space that {@link #usableBytes()} counts
     * @throws IOException when storage cannot tell
     */
    default boolean sharesSpaceWith(Path file) throws IOException {
        return false;
    }

    /**
     * The size of a value, without reading it (an install counts the inactive slot's files it replaces). The
     * default reads the value.
     *
     * @param name the name
     * @return its size in bytes, 0 when absent
     * @throws IOException when storage cannot tell
     */
    default long size(String name) throws IOException {
        return read(name).map(b -> (long) b.length).orElse(0L);
    }

    /**
     * Replaces a value atomically and durably.
     *
     * @param name the name
     * @param data the value
     * @throws IOException when writing fails (the old value is kept)
     */
    void writeAtomic(String name, byte[] data) throws IOException;

    /**
     * Writes a value in place, durably once it returns; {@code midWrite} runs when half of it is written (crash
     * injection for tests and the fleet simulator).
     *
     * @param name     the name
     * @param data     the value
     * @param midWrite run after the first half is written
     * @throws IOException when writing fails
     */
    void write(String name, byte[] data, Runnable midWrite) throws IOException;

    /**
     * Deletes a value if present, durably.
     *
     * @param name the name
     * @throws IOException when deleting fails
     */
    void delete(String name) throws IOException;
}
