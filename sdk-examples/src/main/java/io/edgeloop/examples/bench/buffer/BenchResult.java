package io.edgeloop.examples.bench.buffer;

/**
 * One measured configuration.
 *
 * <p>Thread-safe: immutable.
 *
 * @param system            {@code edgeloop}, {@code tape} or {@code raw}
 * @param policy            {@code always}, {@code group} or {@code none}
 * @param recordBytes       the payload size
 * @param recordsPerSec     durable records per second (median of the repetitions)
 * @param mbPerSec          payload megabytes (10^6) per second
 * @param syncs             syncs performed in the median repetition, or {@link #NOT_COUNTED} when the system's
 *                          syncs cannot be counted (Tape writes through {@code O_DSYNC}: at least two synchronous
 *                          writes per add, not observable from outside)
 * @param minRecordsPerSec  the slowest repetition
 * @param maxRecordsPerSec  the fastest repetition
 * @param variant           how the policy is implemented, for the raw baselines (for example where the 5 ms
 *                          force runs); empty for Edgeloop and Tape
 */
public record BenchResult(String system, String policy, int recordBytes, double recordsPerSec, double mbPerSec,
        long syncs, double minRecordsPerSec, double maxRecordsPerSec, String variant) {
    /** {@link #syncs} when they were not counted. */
    public static final long NOT_COUNTED = -1;

    /**
     * A result of one repetition (minimum and maximum equal to the figure, no variant).
     *
     * @param system        {@code edgeloop}, {@code tape} or {@code raw}
     * @param policy        {@code always}, {@code group} or {@code none}
     * @param recordBytes   the payload size
     * @param recordsPerSec durable records per second
     * @param mbPerSec      payload megabytes (10^6) per second
     * @param syncs         syncs performed, or {@link #NOT_COUNTED}
     */
    public BenchResult(String system, String policy, int recordBytes, double recordsPerSec, double mbPerSec,
            long syncs) {
        this(system, policy, recordBytes, recordsPerSec, mbPerSec, syncs, recordsPerSec, recordsPerSec, "");
    }
}
