package io.edgeloop.buffer.log;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What one segment holds, per stream: counts, sequences, timestamps, priorities. Kept in memory for the active
 * segment and written as the footer of a sealed one, so opening a buffer never rescans sealed segments.
 *
 * <p>Not thread-safe: guarded by the buffer's lock.
 */
public final class SegmentSummary {
    private final Map<String, StreamStats> streams = new LinkedHashMap<>();
    private long records;
    private long payloadBytes;
    private int encodedSize = HEADER_BYTES;
    private static final int HEADER_BYTES = 4 + 8 + 8 + 4;

    /** Creates an empty summary. */
    public SegmentSummary() {
    }

    /**
     * Counts one record.
     *
     * @param stream     the stream
     * @param seq        its sequence
     * @param ts         its timestamp
     * @param priority   its priority
     * @param payloadLen its payload length
     */
    public void add(String stream, long seq, long ts, int priority, int payloadLen) {
        StreamStats st = streams.get(stream);
        if (st == null) {
            st = new StreamStats();
            streams.put(stream, st);
            encodedSize += entryBytes(stream.getBytes(StandardCharsets.UTF_8).length);
        }
        st.add(seq, ts, priority, payloadLen);
        records++;
        payloadBytes += payloadLen;
    }

    /** @return records in the segment */
    public long records() {
        return records;
    }

    /** @return payload bytes in the segment */
    public long payloadBytes() {
        return payloadBytes;
    }

    /** @return the size of {@link #encode()}'s result, kept up to date as records are counted */
    public int encodedSize() {
        return encodedSize;
    }

    /**
     * @param stream a stream
     * @return whether the summary counts records of it
     */
    public boolean has(String stream) {
        return streams.containsKey(stream);
    }

    /**
     * @param streamNameBytes the UTF-8 length of a stream name
     * @return how many bytes the stream's entry adds to the encoded summary
     */
    public static int entryBytes(int streamNameBytes) {
        return 1 + streamNameBytes + 6 * 8 + 1;
    }

    /** @return per-stream counters, read-only */
    public Map<String, StreamStats> streams() {
        return Collections.unmodifiableMap(streams);
    }

    /**
     * Encodes the summary as a footer payload.
     *
     * @return the bytes
     */
    public byte[] encode() {
        int size = HEADER_BYTES;
        for (String s : streams.keySet()) {
            size += entryBytes(s.getBytes(StandardCharsets.UTF_8).length);
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(1);
        b.putLong(records);
        b.putLong(payloadBytes);
        b.putInt(streams.size());
        for (Map.Entry<String, StreamStats> e : streams.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            StreamStats st = e.getValue();
            b.put((byte) name.length).put(name);
            b.putLong(st.count).putLong(st.payloadBytes).putLong(st.firstSeq).putLong(st.lastSeq)
                    .putLong(st.minTimestamp).putLong(st.maxTimestamp).put((byte) st.maxPriority);
        }
        return b.array();
    }

    /**
     * Decodes a footer payload.
     *
     * @param bytes the bytes
     * @return the summary, or empty when the bytes are not a summary
     */
    public static Optional<SegmentSummary> decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.getInt() != 1) {
                return Optional.empty();
            }
            SegmentSummary s = new SegmentSummary();
            s.records = b.getLong();
            s.payloadBytes = b.getLong();
            int n = b.getInt();
            if (n < 0 || n > 65536) {
                return Optional.empty();
            }
            for (int i = 0; i < n; i++) {
                byte[] name = new byte[b.get() & 0xff];
                b.get(name);
                StreamStats st = new StreamStats();
                st.count = b.getLong();
                st.payloadBytes = b.getLong();
                st.firstSeq = b.getLong();
                st.lastSeq = b.getLong();
                st.minTimestamp = b.getLong();
                st.maxTimestamp = b.getLong();
                st.maxPriority = b.get();
                s.streams.put(new String(name, StandardCharsets.UTF_8), st);
                s.encodedSize += entryBytes(name.length);
            }
            return Optional.of(s);
        } catch (BufferUnderflowException e) {
            return Optional.empty();
        }
    }
}
