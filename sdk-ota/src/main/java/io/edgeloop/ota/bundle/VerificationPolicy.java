package io.edgeloop.ota.bundle;

import io.edgeloop.api.target.TargetProfile;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a device requires of a bundle beyond authenticity: the model it runs (a validly signed bundle of another
 * model is refused), a minimum sequence (anti-rollback and replay), a minimum security epoch, its target profile
 * and its runtime.
 *
 * <p>Thread-safe: immutable.
 */
public final class VerificationPolicy {
    private final long minimumSequence;
    private final long minimumEpoch;
    private final TargetProfile target;
    private final String runtimeName;
    private final String runtimeVersion;
    private final String modelName;
    private final Long confirmedSequence;

    private VerificationPolicy(Builder b) {
        this.confirmedSequence = b.confirmedSequence;
        this.modelName = b.modelName;
        this.minimumSequence = b.minimumSequence;
        this.minimumEpoch = b.minimumEpoch;
        this.target = b.target;
        this.runtimeName = b.runtimeName;
        this.runtimeVersion = b.runtimeVersion;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the model name a bundle must carry, when constrained (a device always constrains it) */
    public Optional<String> modelName() {
        return Optional.ofNullable(modelName);
    }

    /** @return the lowest sequence accepted */
    public long minimumSequence() {
        return minimumSequence;
    }

    /**
     * @return the device's confirmed sequence, when given: a refused sequence above it and below
     *         {@link #minimumSequence()} is one the device attempted and did not confirm, and the refusal says so
     */
    public OptionalLong confirmedSequence() {
        return confirmedSequence == null ? OptionalLong.empty() : OptionalLong.of(confirmedSequence);
    }

    /** @return the lowest security epoch accepted */
    public long minimumEpoch() {
        return minimumEpoch;
    }

    /** @return the device's target profile, when an artifact must be selected */
    public Optional<TargetProfile> target() {
        return Optional.ofNullable(target);
    }

    /** @return the device runtime's provider name, when constrained */
    public Optional<String> runtimeName() {
        return Optional.ofNullable(runtimeName);
    }

    /** @return the device runtime's version, when constrained */
    public Optional<String> runtimeVersion() {
        return Optional.ofNullable(runtimeVersion);
    }

    /** Builder for {@link VerificationPolicy}. Not thread-safe. */
    public static final class Builder {
        private long minimumSequence;
        private long minimumEpoch;
        private TargetProfile target;
        private String runtimeName;
        private String runtimeVersion;
        private String modelName;
        private Long confirmedSequence;

        private Builder() {
        }

        /**
         * @param name the model the device runs; a bundle with another manifest {@code name} is refused with
         *             {@link Check#MODEL_NAME}
         * @return this builder
         */
        public Builder modelName(String name) {
            this.modelName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * @param s the lowest sequence accepted (a device passes its current sequence + 1)
         * @return this builder
         */
        public Builder minimumSequence(long s) {
            this.minimumSequence = s;
            return this;
        }

        /**
         * Optional: the device's confirmed sequence, when {@link #minimumSequence} is higher than the next one
         * because later sequences were attempted and not confirmed (anti-rollback counts attempts). Changes only
         * the wording of a {@link Check#ROLLBACK} refusal of such a sequence: it names the unconfirmed attempt
         * instead of a rollback or replay.
         *
         * @param s the confirmed sequence (-1 when none); below the minimum sequence
         * @return this builder
         */
        public Builder confirmedSequence(long s) {
            this.confirmedSequence = s;
            return this;
        }

        /**
         * @param e the lowest security epoch accepted (the device's committed epoch)
         * @return this builder
         */
        public Builder minimumEpoch(long e) {
            this.minimumEpoch = e;
            return this;
        }

        /**
         * @param target the device's profile
         * @return this builder
         */
        public Builder target(TargetProfile target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * @param name    the runtime provider name
         * @param version its version
         * @return this builder
         */
        public Builder runtime(String name, String version) {
            this.runtimeName = Objects.requireNonNull(name, "name");
            this.runtimeVersion = Objects.requireNonNull(version, "version");
            return this;
        }

        /** @return the policy */
        public VerificationPolicy build() {
            if (modelName != null && modelName.isBlank()) {
                throw new IllegalArgumentException("modelName must not be blank");
            }
            if (minimumSequence < 0 || minimumEpoch < 0) {
                throw new IllegalArgumentException("minimumSequence and minimumEpoch must be non-negative");
            }
            if (confirmedSequence != null && (confirmedSequence < -1 || confirmedSequence >= minimumSequence)) {
                throw new IllegalArgumentException("confirmedSequence must be from -1 to minimumSequence - 1 ("
                        + (minimumSequence - 1) + "), got " + confirmedSequence);
            }
            return new VerificationPolicy(this);
        }
    }
}
