package io.edgeloop.ota.rollout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a campaign proceeds: cumulative wave sizes as fractions of each variant's devices (canary first, then
 * growing, last = 1), the per-wave thresholds, the device timeout, the shadow gate and the seed that picks which
 * devices go first.
 *
 * <p>Thread-safe: immutable.
 */
public final class RolloutPlan {
    private final List<Double> waves;
    private final double maxFailureRate;
    private final double minSuccessRate;
    private final Duration deviceTimeout;
    private final double minShadowAgreement;
    private final long seed;
    private final int minVariantDevices;

    private RolloutPlan(Builder b) {
        this.waves = List.copyOf(b.waves);
        this.maxFailureRate = b.maxFailureRate;
        this.minSuccessRate = b.minSuccessRate;
        this.deviceTimeout = b.deviceTimeout;
        this.minShadowAgreement = b.minShadowAgreement;
        this.seed = b.seed;
        this.minVariantDevices = b.minVariantDevices;
    }

    /** @return a builder with defaults: waves 1 %, 5 %, 20 %, 50 %, 100 %; fail above 10 %; succeed at 90 % */
    public static Builder builder() {
        return new Builder();
    }

    /** @return cumulative fractions, strictly increasing, ending at 1 */
    public List<Double> waves() {
        return waves;
    }

    /** @return a wave whose failure rate is above this halts the campaign */
    public double maxFailureRate() {
        return maxFailureRate;
    }

    /** @return a wave must reach this success rate to promote to the next */
    public double minSuccessRate() {
        return minSuccessRate;
    }

    /** @return how long a device may stay silent before it counts as failed */
    public Duration deviceTimeout() {
        return deviceTimeout;
    }

    /** @return the canary's mean shadow agreement must reach this before any device switches (0 = no gate) */
    public double minShadowAgreement() {
        return minShadowAgreement;
    }

    /**
     * @return the minimum sample: how many devices a group (a wave, or one variant's devices in a wave, or the canary
     *         for the shadow gate) must hold before its rate is compared with the thresholds directly; a smaller
     *         group breaches only on evidence (every device of two or more failed, a binomial test at 5 %, or a
     *         variant's only devices all failing in its last wave; see {@link Campaign}); default
     *         {@value Builder#DEFAULT_MIN_VARIANT_DEVICES}
     */
    public int minVariantDevices() {
        return minVariantDevices;
    }

    /** @return the seed for wave membership */
    public long seed() {
        return seed;
    }

    /** Builder for {@link RolloutPlan}. Not thread-safe. */
    public static final class Builder {
        private List<Double> waves = List.of(0.01, 0.05, 0.20, 0.50, 1.0);
        private double maxFailureRate = 0.10;
        private double minSuccessRate = 0.90;
        private Duration deviceTimeout = Duration.ofMinutes(30);
        private double minShadowAgreement;
        private long seed;
        private int minVariantDevices = DEFAULT_MIN_VARIANT_DEVICES;
        /**
         * The default {@link #minVariantDevices(int)}: with fewer devices one random failure already moves a
         * group's rate by more than the default 10 % limit, so the rate alone says nothing about the artifact.
         */
        public static final int DEFAULT_MIN_VARIANT_DEVICES = 10;

        private Builder() {
        }

        /**
         * @param fractions cumulative fractions, e.g. 0.01, 0.05, 0.2, 1
         * @return this builder
         */
        public Builder waves(List<Double> fractions) {
            this.waves = new ArrayList<>(Objects.requireNonNull(fractions, "fractions"));
            return this;
        }

        /**
         * @param rate 0..1
         * @return this builder
         */
        public Builder maxFailureRate(double rate) {
            this.maxFailureRate = rate;
            return this;
        }

        /**
         * @param rate 0..1
         * @return this builder
         */
        public Builder minSuccessRate(double rate) {
            this.minSuccessRate = rate;
            return this;
        }

        /**
         * @param timeout positive
         * @return this builder
         */
        public Builder deviceTimeout(Duration timeout) {
            this.deviceTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * @param agreement 0..1 (0 disables the gate)
         * @return this builder
         */
        public Builder minShadowAgreement(double agreement) {
            this.minShadowAgreement = agreement;
            return this;
        }

        /**
         * @param devices the minimum sample (at least 1): how many devices a wave, a variant's devices in a wave,
         *                or the shadow canary must hold before its rate is compared with the thresholds directly
         *                (1 compares every rate directly, however small the sample, as before 2026-11-30); a
         *                smaller group breaches only on evidence (see {@link Campaign})
         * @return this builder
         */
        public Builder minVariantDevices(int devices) {
            this.minVariantDevices = devices;
            return this;
        }

        /**
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @return the plan
         * @throws IllegalArgumentException when fractions are not increasing in (0, 1] ending at 1, or a rate is
         *                                  outside [0, 1]
         */
        public RolloutPlan build() {
            if (waves.isEmpty() || waves.get(waves.size() - 1) != 1.0) {
                throw new IllegalArgumentException("waves must be cumulative fractions ending at 1.0, got " + waves);
            }
            double prev = 0;
            for (double f : waves) {
                if (!(f > prev) || f > 1.0) {
                    throw new IllegalArgumentException("wave fractions must increase strictly within (0, 1], got " + waves);
                }
                prev = f;
            }
            for (double r : new double[] {maxFailureRate, minSuccessRate, minShadowAgreement}) {
                if (!(r >= 0 && r <= 1)) {
                    throw new IllegalArgumentException("rates must be within [0, 1], got " + r);
                }
            }
            if (minVariantDevices < 1) {
                throw new IllegalArgumentException("minVariantDevices must be at least 1, got " + minVariantDevices);
            }
            if (deviceTimeout.isNegative() || deviceTimeout.isZero()) {
                throw new IllegalArgumentException("deviceTimeout must be positive");
            }
            return new RolloutPlan(this);
        }
    }
}
