package io.edgeloop.buffer.cursor;

import io.edgeloop.buffer.BufferedRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * A named reader of a buffer that remembers, across restarts, how far its consumer has been acknowledged.
 *
 * <p>At-least-once: {@link #poll} moves only the in-memory read position; {@link #commit} persists the
 * acknowledged position atomically (temporary file, fsync, rename, fsync of the directory) and only then lets the
 * buffer reclaim segments every cursor has passed. After a crash or {@link #rewind()} the records after the
 * committed position are read again.
 *
 * <p>Thread-safe: methods synchronize on a lock of their own; one consumer per cursor is the intended use.
 */
public interface Cursor {
    /** @return the cursor's name */
    String name();

    /**
     * Reads records after the read position and advances it. Returns only durable records; never blocks for
     * new ones. Skips damaged frames (reported in the buffer's loss report) and records expired by TTL.
     *
     * @param maxRecords the most records to return, at least 1
     * @param maxBytes   the most payload bytes to return (at least one record is returned when available)
     * @return the records, possibly empty
     * @throws IOException when the files cannot be read
     */
    List<BufferedRecord> poll(int maxRecords, long maxBytes) throws IOException;

    /**
     * Waits until a record after the read position is durable.
     *
     * @param timeout the longest wait
     * @return true when a record is available, false on timeout or when the buffer closed
     * @throws InterruptedException when interrupted
     */
    boolean awaitRecords(Duration timeout) throws InterruptedException;

    /**
     * Persists that everything before {@code position} was acknowledged.
     *
     * @param position a {@link BufferedRecord#nextPosition()} returned by this cursor, not beyond the read position
     * @throws IOException when the cursor file cannot be written (the previous committed position then stands)
     * @throws IllegalStateException when the cursor was deleted from its buffer (nothing is committed)
     */
    void commit(long position) throws IOException;

    /**
     * Persists that {@code record} and everything before it were acknowledged.
     *
     * @param record the last acknowledged record
     * @throws IOException when the cursor file cannot be written
     */
    default void commit(BufferedRecord record) throws IOException {
        commit(record.nextPosition());
    }

    /** Moves the read position back to the committed position, so unacknowledged records are read again. */
    void rewind();

    /** @return the committed (acknowledged) position */
    long committedPosition();

    /** @return the read position */
    long readPosition();
}
