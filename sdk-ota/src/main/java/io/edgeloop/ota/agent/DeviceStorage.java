package io.edgeloop.ota.agent;

import java.io.IOException;
import java.util.Optional;

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
