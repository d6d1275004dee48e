package io.edgeloop.buffer.forward;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Exponential backoff with jitter: the n-th consecutive failure waits {@code min(max, initial * 2^(n-1))} reduced
 * by a random fraction of up to {@code jitter} ("equal jitter" when 0.5), so that many devices coming back online
 * do not retry in lockstep. The random source is seeded, so a run is reproducible.
 *
 * <p>Not thread-safe: one forwarder thread uses it.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final double jitter;
    private final Random random;
    private int failures;

    /**
     * @param initial the first delay, positive
     * @param max     the largest delay, at least {@code initial}
     * @param jitter  the largest fraction removed at random, in [0, 1]
     * @param seed    the seed of the random source
     */
    public Backoff(Duration initial, Duration max, double jitter, long seed) {
        this.initial = Objects.requireNonNull(initial, "initial");
        this.max = Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1], got " + jitter);
        }
        this.jitter = jitter;
        this.random = new Random(seed);
    }

    /** @return the delay after one more failure */
    public Duration next() {
        failures++;
        long base = initial.toMillis();
        for (int i = 1; i < failures && base < max.toMillis(); i++) {
            base *= 2;
        }
        base = Math.min(base, max.toMillis());
        long cut = (long) (base * jitter * random.nextDouble());
        return Duration.ofMillis(Math.max(1, base - cut));
    }

    /** Forgets the failures after a success. */
    public void reset() {
        failures = 0;
    }

    /** @return consecutive failures so far */
    public int failures() {
        return failures;
    }
}
