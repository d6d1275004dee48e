package io.edgeloop.buffer;

import io.edgeloop.buffer.log.FrameScanner;
import io.edgeloop.buffer.log.Segment;
import java.io.IOException;
import java.util.List;

/**
 * Reads a buffer's durable records in log order from a position, without acknowledging anything (for inspection
 * tools such as {@code edgeloop buffer dump}); {@link io.edgeloop.buffer.cursor.Cursor}s build on it. Damaged
 * frames are skipped and reported in the buffer's loss report.
 *
 * <p>Not thread-safe: one thread per reader.
 */
public final class BufferReader {
    private final DurableBuffer buffer;
    private long position;
    Segment segment;
    FrameScanner scanner;

    BufferReader(DurableBuffer buffer, long position) {
        this.buffer = buffer;
        this.position = position;
    }

    /**
     * Reads the next records and advances.
     *
     * @param maxRecords the most records, at least 1
     * @param maxBytes   the most payload bytes (at least one record is returned when available)
     * @return the records, empty at the end of the durable log
     * @throws IOException when the files cannot be read
     */
    public List<BufferedRecord> next(int maxRecords, long maxBytes) throws IOException {
        if (maxRecords < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("maxRecords and maxBytes must be at least 1, got " + maxRecords
                    + " and " + maxBytes);
        }
        return buffer.readBatch(this, maxRecords, maxBytes);
    }

    /** @return the position of the next frame to read */
    public long position() {
        return position;
    }

    /**
     * Moves the reader.
     *
     * @param position a position returned by {@link BufferedRecord#nextPosition()} or {@link #position()}
     */
    public void seek(long position) {
        this.position = position;
    }
}
