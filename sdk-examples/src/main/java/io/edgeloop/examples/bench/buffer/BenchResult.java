package io.edgeloop.examples.bench.buffer;

/**
 * One measured configuration.
 *
 * <p>Thread-safe: immutable.
 *
 * @param system         {@code edgeloop}, {@code tape} or {@code raw}
 * @param policy         {@code always}, {@code group} or {@code none}
 * @param recordBytes    the payload size
 * @param recordsPerSec  durable records per second (median of the repetitions)
 * @param mbPerSec       payload megabytes (10^6) per second
 * @param syncs          syncs performed in the median repetition
 */
public record BenchResult(String system, String policy, int recordBytes, double recordsPerSec, double mbPerSec,
        long syncs) {
}
