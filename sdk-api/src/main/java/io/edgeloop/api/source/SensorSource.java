package io.edgeloop.api.source;

import io.edgeloop.api.record.SensorRecord;
import java.time.Duration;
import java.util.List;

/**
 * A stream of sensor records: a device driver, a replayed data file, or an ingest feed (for example Kafka).
 *
 * <p>Delivery is at-least-once: records returned by {@link #poll} are redelivered after a restart unless
 * {@link #commit()} was called after they were processed.
 *
 * <p>Not thread-safe: one thread polls a source. {@link #close()} is idempotent; {@code poll} after close throws
 * {@link IllegalStateException}.
 */
public interface SensorSource extends AutoCloseable {
    /**
     * Returns the next records, waiting at most {@code timeout} for the first one.
     *
     * @param maxRecords the most records to return, at least 1
     * @param timeout    how long to wait when none is ready
     * @return the records, empty when none arrived in time or the source is exhausted
     * @throws SourceException when the underlying device, file or connection fails
     */
    List<SensorRecord> poll(int maxRecords, Duration timeout) throws SourceException;

    /**
     * Marks every record returned so far as processed, so it is not redelivered.
     *
     * @throws SourceException when the position cannot be stored
     */
    default void commit() throws SourceException {
    }

    /**
     * Returns whether a finite source (a replayed file) has delivered everything.
     *
     * @return true when no more records will ever arrive
     */
    default boolean isExhausted() {
        return false;
    }

    /**
     * Releases the source's resources. Idempotent.
     *
     * @throws SourceException when releasing fails
     */
    @Override
    void close() throws SourceException;
}
