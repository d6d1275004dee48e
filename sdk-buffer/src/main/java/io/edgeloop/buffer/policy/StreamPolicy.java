package io.edgeloop.buffer.policy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-stream rules: what to do when the disk budget is full, how long to block, and how long records live.
 *
 * <p>Thread-safe: immutable. Build with {@link #builder()}.
 */
public final class StreamPolicy {
    private static final StreamPolicy DEFAULT = builder().build();

    private final FullPolicy whenFull;
    private final Duration blockTimeout;
    private final Duration ttl;

    private StreamPolicy(Builder b) {
        this.whenFull = b.whenFull;
        this.blockTimeout = b.blockTimeout;
        this.ttl = b.ttl;
    }

    /** @return the default: reject new records when full, wait up to 5 s only if blocking, no TTL */
    public static StreamPolicy defaults() {
        return DEFAULT;
    }

    /** @return a new builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the action when the disk budget is full */
    public FullPolicy whenFull() {
        return whenFull;
    }

    /** @return how long {@link FullPolicy#BLOCK} waits */
    public Duration blockTimeout() {
        return blockTimeout;
    }

    /** @return the time to live of the stream's records, if limited */
    public Optional<Duration> ttl() {
        return Optional.ofNullable(ttl);
    }

    @Override
    public String toString() {
        return "StreamPolicy[whenFull=" + whenFull + ", blockTimeout=" + blockTimeout + ", ttl=" + ttl + "]";
    }

    /** Builder for {@link StreamPolicy}. Not thread-safe. */
    public static final class Builder {
        private FullPolicy whenFull = FullPolicy.REJECT_NEW;
        private Duration blockTimeout = Duration.ofSeconds(5);
        private Duration ttl;

        private Builder() {
        }

        /**
         * @param whenFull the action when the disk budget is full
         * @return this builder
         */
        public Builder whenFull(FullPolicy whenFull) {
            this.whenFull = Objects.requireNonNull(whenFull, "whenFull");
            return this;
        }

        /**
         * @param blockTimeout how long {@link FullPolicy#BLOCK} waits for space, not negative
         * @return this builder
         */
        public Builder blockTimeout(Duration blockTimeout) {
            this.blockTimeout = Objects.requireNonNull(blockTimeout, "blockTimeout");
            return this;
        }

        /**
         * @param ttl how long records stay deliverable after their timestamp; positive
         * @return this builder
         */
        public Builder ttl(Duration ttl) {
            this.ttl = Objects.requireNonNull(ttl, "ttl");
            return this;
        }

        /** @return the policy */
        public StreamPolicy build() {
            if (blockTimeout.isNegative()) {
                throw new IllegalArgumentException("blockTimeout must not be negative, got " + blockTimeout);
            }
            if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
                throw new IllegalArgumentException("ttl must be positive, got " + ttl);
            }
            return new StreamPolicy(this);
        }
    }
}
