package io.edgeloop.examples.demo.data;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.record.SensorRecordCodec;
import io.edgeloop.buffer.BufferReader;
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DurableBuffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a device's replay resumes after its buffer was reopened: after the newest reading the buffer holds, by the
 * csv-replay source's own record number (its {@code first-sequence} counting), not by the buffer's sequences.
 * Buffer sequences are identifiers, not counts: after an open that found the end of the log lost they continue
 * above a floor (up to 65,535 higher), and a resume from {@code lastSequence} then skipped the rest of the slice,
 * and counted every sequence below the floor as a record the receiver never got.
 *
 * <p>Thread-safe: immutable.
 *
 * @param rowsReplayed the slice's rows already in the buffer (the source number of the newest one held; 0 when
 *                     none is held)
 * @param keys         the keys of the records of the stream the buffer holds, in log order
 */
public record ResumePoint(long rowsReplayed, List<IdempotencyKey> keys) {
    /** Copies the keys. */
    public ResumePoint {
        keys = List.copyOf(keys);
    }

    /**
     * Reads every record of {@code stream} the buffer holds. Only valid while nothing was reclaimed (the demo reopens
     * the power-loss device's buffer before any forwarder ran on it, and its process keeps no cursor): once cursors
     * commit, the segments of the newest records may be deleted, and the position would have to be kept apart.
     *
     * @param buffer the reopened buffer
     * @param stream the stream the device appends to
     * @return the resume point
     * @throws IOException when the buffer cannot be read, or a record is not a sensor record
     */
    public static ResumePoint of(DurableBuffer buffer, String stream) throws IOException {
        long rows = 0;
        List<IdempotencyKey> keys = new ArrayList<>();
        BufferReader reader = buffer.reader();
        for (List<BufferedRecord> batch = reader.next(1024, 1 << 20); !batch.isEmpty();
                batch = reader.next(1024, 1 << 20)) {
            for (BufferedRecord r : batch) {
                if (!r.stream().equals(stream)) {
                    continue;
                }
                long row;
                try {
                    row = SensorRecordCodec.decode(r.payloadBytes()).sequence();
                } catch (IllegalArgumentException e) {
                    throw new IOException("Buffer " + buffer.directory() + ": record " + r.key() + " is not a sensor"
                            + " record: " + e.getMessage(), e);
                }
                rows = Math.max(rows, row);
                keys.add(r.key());
            }
        }
        return new ResumePoint(rows, keys);
    }
}
