package io.edgeloop.buffer.metrics;

/**
 * A snapshot of a buffer's health, taken by {@link io.edgeloop.buffer.DurableBuffer#metrics()}.
 *
 * <p>Thread-safe: immutable.
 *
 * @param recordsBuffered       records held in the buffer's segments (acknowledged records leave when their
 *                              segment is reclaimed, which happens as soon as every cursor passed it)
 * @param bytesBuffered         bytes of the buffer's segment files on disk
 * @param bytesUnacknowledged   live log bytes the slowest cursor has not had acknowledged yet (bytes of segments
 *                              a budget policy dropped or a TTL expired do not count)
 * @param oldestUnsentAgeMillis age of the oldest record the slowest cursor has not had acknowledged, or 0
 * @param bytesAtRisk           bytes appended but not yet synced (lost by a power cut, not by a process crash)
 * @param droppedByPolicy       records dropped by full-buffer policies or expired by TTL before delivery
 * @param corruptFramesSkipped  corrupt frames and regions skipped so far (see the loss report)
 * @param truncatedBytes        bytes cut off torn tails on open
 * @param syncs                 number of syncs performed
 * @param syncLatencyMeanNanos  mean sync latency
 * @param syncLatencyMaxNanos   largest sync latency
 */
public record BufferMetrics(long recordsBuffered, long bytesBuffered, long bytesUnacknowledged,
        long oldestUnsentAgeMillis, long bytesAtRisk, long droppedByPolicy, long corruptFramesSkipped,
        long truncatedBytes, long syncs, long syncLatencyMeanNanos, long syncLatencyMaxNanos) {
}
