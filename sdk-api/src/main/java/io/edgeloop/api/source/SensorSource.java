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
 * <p>Order: the records of one device and stream are returned in the order the device produced them, within a
 * poll and across polls: a numbered record ({@link SensorRecord#sequence()} above 0) has a higher sequence number
 * than every numbered record of its stream this source returned before it (gaps are allowed: records lost upstream).
 * Nothing is promised across streams or devices: a source may interleave them as it reads them. Windowing,
 * per-device baselines and every rule over consecutive readings need this order; a source that reads a device's
 * records in another order (a ring buffer read newest first, files whose names do not sort in time) puts them back in
 * order before returning them. Timestamps are not the order: a device's clock may step backwards (a time sync, a
 * reboot without a real-time clock), so a consumer that orders by time must cope with a record older than the one
 * before it, and not drop it silently. The order holds within one source's life: a new source created after a
 * restart starts again at the first record not committed. A device whose numbering starts again (a wiped buffer
 * directory, a re-provisioned device) breaks the rule through no fault of the source; a source that can see it (a
 * new buffer epoch, a new device identity) may begin the stream anew, and a consumer sees a lower number and treats
 * the record as late. A source that cannot keep the order in every case says
 * so in its javadoc, naming the cases (the kafka source: a topic whose partition count grew); one that breaks it in
 * ordinary use (a radio feed whose packets take several paths) overrides the contract kit's
 * {@code reordersRecordsBecause()} with the reason. (sdk-labeling's {@code Windower} counts a record it cannot
 * place as late and logs a WARN naming its device, stream and sequence number.)
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
