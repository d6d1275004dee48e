package io.edgeloop.examples.bench.buffer;

/**
 * Reopening a large buffer after a SIGKILL.
 *
 * <p>Thread-safe: immutable.
 *
 * @param bufferBytes       bytes on disk when the appender was killed
 * @param segments          segment files
 * @param openMillis        time to open (recovery included)
 * @param firstRecordMillis time to open and read the first record
 * @param pageCacheDropped  whether the page cache was dropped before opening (cold start)
 * @param recovery          what recovery found
 */
public record ReopenResult(long bufferBytes, long segments, double openMillis, double firstRecordMillis,
        boolean pageCacheDropped, String recovery) {
}
