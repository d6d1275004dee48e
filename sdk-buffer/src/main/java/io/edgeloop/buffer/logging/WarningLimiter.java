package io.edgeloop.buffer.logging;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Rate-limits a WARN line for a condition that repeats for as long as it lasts (a full disk): the first occurrence
 * and then at most one per period is logged at WARN, with the number of occurrences since the last WARN; the rest
 * (and every stack trace) go to DEBUG. Used by {@code RelayServer} (a sink refusing every batch) and
 * {@code DurableBuffer} (group-commit writes failing on a full disk), which logged a stack trace per failure.
 *
 * <p>Thread-safe: {@link #tryWarn()} synchronizes on a private lock.
 */
public final class WarningLimiter {
    /** The period both users log at: one WARN line per 30 s. */
    public static final Duration EVERY_30_SECONDS = Duration.ofSeconds(30);

    private final Object lock = new Object();
    private final long periodNanos;
    private final LongSupplier nanoClock;
    private boolean warned;
    private long lastWarnNanos;
    private long suppressed;

    /**
     * A limiter on {@link System#nanoTime()}.
     *
     * @param period at most one WARN per this period (positive)
     */
    public WarningLimiter(Duration period) {
        this(period, System::nanoTime);
    }

    /**
     * A limiter on a given clock (tests).
     *
     * @param period    at most one WARN per this period (positive)
     * @param nanoClock monotonic nanoseconds, like {@link System#nanoTime()}
     */
    public WarningLimiter(Duration period, LongSupplier nanoClock) {
        Objects.requireNonNull(period, "period");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive, got " + period);
        }
        this.periodNanos = period.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * Counts one occurrence and says whether to log it at WARN.
     *
     * @return -1 when it goes to DEBUG only (a WARN was logged less than a period ago); otherwise the number of
     *         occurrences that went to DEBUG since the previous WARN (0 for the first)
     */
    public long tryWarn() {
        synchronized (lock) {
            long now = nanoClock.getAsLong();
            if (warned && now - lastWarnNanos < periodNanos) {
                suppressed++;
                return -1;
            }
            warned = true;
            lastWarnNanos = now;
            long since = suppressed;
            suppressed = 0;
            return since;
        }
    }

    /**
     * The suffix both users append to a WARN line: how many went to DEBUG since the last one, and that further
     * ones for the period do too.
     *
     * @param since what {@link #tryWarn()} returned (0 or more)
     * @return the text, starting with a space
     */
    public String suffix(long since) {
        long seconds = Duration.ofNanos(periodNanos).toSeconds();
        return since > 0 ? " (" + since + " more since the last warning; further ones for " + seconds + " s at DEBUG)"
                : " (further ones for " + seconds + " s at DEBUG)";
    }
}
