package io.edgeloop.ota.bundle;

import io.edgeloop.api.target.TargetProfile;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a device requires of a bundle beyond authenticity: the model it runs (a validly signed bundle of another
 * model is refused), a minimum sequence (anti-rollback and replay), a minimum security epoch, its target profile
 * and its runtime. A device that fell back below its confirmed sequence may also accept that one sequence again,
 * but only as the signed manifest it confirmed ({@link #repairSequence()}).
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
    private final Long repairSequence;
    private final String repairManifestSha256;
    private final Long notRepairedSequence;
    private final String notRepairedReason;

    private VerificationPolicy(Builder b) {
        this.confirmedSequence = b.confirmedSequence;
        this.repairSequence = b.repairSequence;
        this.repairManifestSha256 = b.repairManifestSha256;
        this.notRepairedSequence = b.notRepairedSequence;
        this.notRepairedReason = b.notRepairedReason;
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

    /**
     * @return the one sequence below {@link #minimumSequence()} accepted again, when given: the confirmed sequence
     *         of a device that fell back below it (the slot holding it was lost or damaged). A bundle at this
     *         sequence is accepted only when the SHA-256 of its signed manifest is {@link #repairManifestSha256()}
     *         (checked before anything else about the manifest); every other check applies as to any bundle except
     *         its expiry: the digest pins the manifest the device ran and confirmed, which an installed model is not
     *         refused for either, and a re-issue with a later expiry would be another manifest
     */
    public OptionalLong repairSequence() {
        return repairSequence == null ? OptionalLong.empty() : OptionalLong.of(repairSequence);
    }

    /**
     * @return the SHA-256 (lower-case hex) of the signed {@code manifest.json} the device confirmed at
     *         {@link #repairSequence()}, present exactly when that is
     */
    public Optional<String> repairManifestSha256() {
        return Optional.ofNullable(repairManifestSha256);
    }

    /**
     * @return the confirmed sequence of a device that fell back below it and does not reinstall it, when given: a
     *         bundle at this sequence is refused with {@link #notRepairedReason()} rather than as merely below the
     *         minimum
     */
    public OptionalLong notRepairedSequence() {
        return notRepairedSequence == null ? OptionalLong.empty() : OptionalLong.of(notRepairedSequence);
    }

    /** @return why the device does not reinstall {@link #notRepairedSequence()}, present exactly when that is */
    public Optional<String> notRepairedReason() {
        return Optional.ofNullable(notRepairedReason);
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
        private Long repairSequence;
        private String repairManifestSha256;
        private Long notRepairedSequence;
        private String notRepairedReason;

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
         * Optional: accept one sequence below {@link #minimumSequence} again, as exactly one signed manifest. For
         * a device that runs below its confirmed sequence (its slot was lost or damaged) and reinstalls it: a
         * bundle at {@code sequence} whose {@code manifest.json} has another SHA-256 (another build at that
         * sequence, a withdrawn one, one with another epoch) is refused with {@link Check#ROLLBACK}.
         *
         * @param sequence       the device's confirmed sequence (0 or more, below the minimum sequence)
         * @param manifestSha256 the SHA-256 of the confirmed bundle's {@code manifest.json}, 64 lower-case hex digits
         * @return this builder
         */
        public Builder repair(long sequence, String manifestSha256) {
            this.repairSequence = sequence;
            this.repairManifestSha256 = Objects.requireNonNull(manifestSha256, "manifestSha256");
            return this;
        }

        /**
         * Optional: a sequence below {@link #minimumSequence} that the device confirmed, lost, and does not
         * reinstall (see {@link #repair} for one it does): a bundle at it is still refused with
         * {@link Check#ROLLBACK}, and the refusal gives {@code reason} instead of "below the device's minimum".
         *
         * @param sequence the device's confirmed sequence (0 or more, below the minimum sequence)
         * @param reason   why the device does not reinstall it, not blank
         * @return this builder
         */
        public Builder notRepaired(long sequence, String reason) {
            this.notRepairedSequence = sequence;
            this.notRepairedReason = Objects.requireNonNull(reason, "reason");
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
            if (repairSequence != null && (repairSequence < 0 || repairSequence >= minimumSequence)) {
                throw new IllegalArgumentException("repair sequence must be from 0 to minimumSequence - 1 ("
                        + (minimumSequence - 1) + "), got " + repairSequence);
            }
            if (notRepairedSequence != null && (notRepairedSequence < 0 || notRepairedSequence >= minimumSequence
                    || notRepairedReason.isBlank() || notRepairedSequence.equals(repairSequence))) {
                throw new IllegalArgumentException("notRepaired needs a sequence from 0 to minimumSequence - 1 ("
                        + (minimumSequence - 1) + ") other than the repair sequence, and a reason; got "
                        + notRepairedSequence);
            }
            if (repairManifestSha256 != null && !repairManifestSha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("repair manifest SHA-256 must be 64 lower-case hex digits, got '"
                        + repairManifestSha256 + "'");
            }
            return new VerificationPolicy(this);
        }
    }
}
