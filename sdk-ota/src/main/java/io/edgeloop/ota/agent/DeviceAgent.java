package io.edgeloop.ota.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.ArtifactEntry;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleVerificationException;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.bundle.VerificationPolicy;
import io.edgeloop.ota.bundle.VerifiedBundle;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The device agent (on a Java gateway it acts for the microcontrollers behind it). An install: verify the bundle
 * in memory against the trust root, the device's counters, target profile and runtime; record the attempted
 * sequence; write the device's artifact with its signed manifest into the inactive A/B slot; run the golden
 * vectors on the device's runtime and require bit-exact outputs; point the boot record at the new slot on trial;
 * health-check; confirm, then commit the sequence and security epoch. A failed health check rolls back.
 *
 * <p>Crash safety: every step is a single atomic write (or a write to the inactive slot, which nothing points
 * at), so a crash anywhere leaves a verified model. On start ({@link Builder#open()}) an unconfirmed trial is
 * reverted (as MCUboot does), a confirmed but uncommitted install is committed, and an active slot that no
 * longer verifies is replaced by the other slot when that one verifies. The security epoch is committed only on
 * confirm, so rolling back within an epoch always works.
 *
 * <p>Thread-safe: all operations are serialised on a private lock.
 */
public final class DeviceAgent {
    private static final String BOOT = "boot.json";
    private static final String COUNTERS = "counters.json";
    private static final String TRUST = "trust.json";

    private final Object lock = new Object();
    private final String deviceId;
    private final TargetProfile target;
    private BundleVerifier verifier;
    private final BundleLimits limits;
    private final Clock clock;
    private final DeviceStorage storage;
    private final Function<String, ModelRuntime> runtimes;
    private final CrashInjector crash;
    private final HealthCheck health;
    private final Consumer<AgentStatus> listener;
    private final Path staging;

    private String active;
    private String previous;
    private long confirmedSequence = -1;
    private long confirmedEpoch;
    private long highestAttempted = -1;
    private IntegerModel activeModel;
    private BundleManifest activeManifest;
    private InstallReport last;

    private DeviceAgent(Builder b) {
        this.deviceId = b.deviceId;
        this.target = b.target;
        this.verifier = new BundleVerifier(b.trust, b.limits, b.clock);
        this.limits = b.limits;
        this.clock = b.clock;
        this.storage = b.storage;
        this.runtimes = b.runtimes;
        this.crash = b.crash;
        this.health = b.health;
        this.listener = b.listener;
        this.staging = b.staging;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the device id */
    public String deviceId() {
        return deviceId;
    }

    /** @return the device's target profile */
    public TargetProfile target() {
        return target;
    }

    /**
     * Runs the active model.
     *
     * @param input integer inputs
     * @return outputs
     * @throws IllegalStateException when no model is installed
     */
    public int[] predict(int[] input) {
        IntegerModel m;
        synchronized (lock) {
            m = activeModel;
        }
        if (m == null) {
            throw new IllegalStateException("device " + deviceId + " has no model installed");
        }
        return m.predict(input);
    }

    /** @return the active model's manifest, empty when none */
    public Optional<BundleManifest> activeManifest() {
        synchronized (lock) {
            return Optional.ofNullable(activeManifest);
        }
    }

    /** @return the current status report */
    public AgentStatus status() {
        synchronized (lock) {
            return new AgentStatus(deviceId, target.id(),
                    activeManifest == null ? Optional.empty()
                            : Optional.of(activeManifest.name() + " " + activeManifest.version()),
                    activeManifest == null ? -1 : activeManifest.sequence(), confirmedEpoch,
                    last == null ? Optional.empty() : Optional.of(last.outcome()),
                    last == null ? Optional.empty() : last.check(), last == null ? "no install yet" : last.message());
        }
    }

    /**
     * Installs a bundle received as bytes.
     *
     * @param bundle the bundle
     * @return what happened; refusals are reports, not exceptions
     * @throws IOException when the device's storage fails
     */
    public InstallReport install(byte[] bundle) throws IOException {
        synchronized (lock) {
            VerifiedBundle v;
            try {
                v = verifier.verify(bundle, policy());
            } catch (BundleVerificationException e) {
                return report(new InstallReport(InstallOutcome.REFUSED, Optional.of(e.check()), e.getMessage(), -1));
            }
            return installVerified(v);
        }
    }

    /**
     * Installs a bundle file (for example one fetched into the staging directory).
     *
     * @param bundle the file
     * @return what happened
     * @throws IOException when the file or the device's storage cannot be read or written
     */
    public InstallReport install(Path bundle) throws IOException {
        synchronized (lock) {
            VerifiedBundle v;
            try {
                v = verifier.verify(bundle, policy());
            } catch (BundleVerificationException e) {
                return report(new InstallReport(InstallOutcome.REFUSED, Optional.of(e.check()), e.getMessage(), -1));
            }
            return installVerified(v);
        }
    }

    /**
     * Polls a deployer channel once: when a publication with a sequence above the device's is there, fetches it
     * into the staging directory (resuming a partial download), installs it and deletes the download.
     *
     * @param deployer the deployer
     * @param channel  the channel
     * @return what happened
     * @throws IOException when polling, fetching or storage fails
     */
    public InstallReport poll(Deployer deployer, String channel) throws IOException {
        synchronized (lock) {
            if (staging == null) {
                throw new IllegalStateException("poll needs a staging directory (Builder.staging)");
            }
            Optional<Publication> p = deployer.latest(channel);
            if (p.isEmpty() || p.get().sequence() < minimumSequence()) {
                return report(new InstallReport(InstallOutcome.NO_UPDATE, Optional.empty(),
                        "no publication above sequence " + (minimumSequence() - 1) + " on " + channel, -1));
            }
            Files.createDirectories(staging);
            Path download = staging.resolve("download-" + p.get().sha256() + ".bundle");
            try {
                deployer.fetch(p.get(), download);
            } catch (DeploymentException e) {
                Files.deleteIfExists(download);
                throw e;
            }
            try {
                return install(download);
            } finally {
                Files.deleteIfExists(download);
            }
        }
    }

    /**
     * Runs a candidate bundle in shadow: verified as for an install (nothing is written), loaded, and compared
     * with the active model on the given inputs.
     *
     * @param bundle the candidate
     * @param inputs live inputs
     * @return the agreement
     * @throws BundleVerificationException when the candidate would be refused
     */
    public ShadowReport shadow(byte[] bundle, List<int[]> inputs) throws BundleVerificationException {
        synchronized (lock) {
            VerifiedBundle v = verifier.verify(bundle, policy());
            ArtifactEntry a = v.selected().orElseThrow();
            IntegerModel candidate = load(a, v.bytes(a));
            if (activeModel == null) {
                return new ShadowReport(0, 0);
            }
            int agree = 0;
            for (int[] x : inputs) {
                if (argmax(activeModel.predict(x)) == argmax(candidate.predict(x))) {
                    agree++;
                }
            }
            return new ShadowReport(inputs.size(), agree);
        }
    }

    private static int argmax(int[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private long minimumSequence() {
        return Math.max(confirmedSequence, highestAttempted) + 1;
    }

    private VerificationPolicy policy() {
        return VerificationPolicy.builder().target(target).minimumSequence(minimumSequence())
                .minimumEpoch(confirmedEpoch).build();
    }

    private InstallReport installVerified(VerifiedBundle v) throws IOException {
        BundleManifest m = v.manifest();
        ArtifactEntry a = v.selected().orElseThrow();
        crash.reached(InstallStep.VERIFIED);
        try {
            load(a, v.bytes(a)); // golden vectors on the received bytes before anything is written
        } catch (BundleVerificationException e) {
            return report(new InstallReport(InstallOutcome.REFUSED, Optional.of(e.check()), e.getMessage(),
                    m.sequence()));
        }
        highestAttempted = Math.max(highestAttempted, m.sequence());
        writeCounters();
        crash.reached(InstallStep.ATTEMPT_RECORDED);
        String slot = "a".equals(active) ? "b" : "a";
        storage.delete(slotName(slot, "slot.json"));
        crash.reached(InstallStep.SLOT_INVALIDATED);
        storage.write(slotName(slot, "artifact"), v.bytes(a), () -> crash.reached(InstallStep.ARTIFACT_PARTIAL));
        crash.reached(InstallStep.ARTIFACT_WRITTEN);
        storage.writeAtomic(slotName(slot, "manifest.json"), v.manifestBytes());
        storage.writeAtomic(slotName(slot, "signatures.json"), v.signaturesBytes());
        ObjectNode meta = CanonicalJson.object();
        meta.put("path", a.path());
        meta.put("sequence", m.sequence());
        meta.put("securityEpoch", m.securityEpoch());
        storage.writeAtomic(slotName(slot, "slot.json"), CanonicalJson.bytes(meta));
        crash.reached(InstallStep.SLOT_WRITTEN);
        Optional<Slot> staged = readSlot(slot, v);
        if (staged.isEmpty()) {
            return report(new InstallReport(InstallOutcome.REFUSED, Optional.of(Check.DIGEST),
                    "digest: the staged slot does not read back as written", m.sequence()));
        }
        crash.reached(InstallStep.GOLDEN_PASSED);
        String old = active;
        writeBoot(slot, old, true);
        crash.reached(InstallStep.SWITCHED);
        Optional<String> unhealthy = health.check(staged.get().model);
        if (unhealthy.isPresent()) {
            writeBoot(old, null, false);
            activateFromStorage();
            return report(new InstallReport(InstallOutcome.ROLLED_BACK, Optional.of(Check.HEALTH),
                    "health: " + unhealthy.get() + "; rolled back", m.sequence()));
        }
        crash.reached(InstallStep.HEALTHY);
        writeBoot(slot, old, false);
        crash.reached(InstallStep.CONFIRMED);
        commit(staged.get());
        crash.reached(InstallStep.COMMITTED);
        active = slot;
        previous = old;
        activeModel = staged.get().model;
        activeManifest = staged.get().manifest;
        return report(new InstallReport(InstallOutcome.INSTALLED, Optional.empty(), "installed " + m.name() + " "
                + m.version() + " (sequence " + m.sequence() + ") into slot " + slot, m.sequence()));
    }

    private InstallReport report(InstallReport r) {
        last = r;
        if (listener != null) {
            listener.accept(status());
        }
        return r;
    }

    private IntegerModel load(ArtifactEntry a, byte[] bytes) throws BundleVerificationException {
        ModelRuntime rt;
        try {
            rt = runtimes.apply(a.runtime());
        } catch (RuntimeException e) {
            throw new BundleVerificationException(Check.RUNTIME, "runtime " + a.runtime() + " unavailable: "
                    + e.getMessage(), e);
        }
        if (!a.runtimeVersions().matches(rt.version())) {
            throw new BundleVerificationException(Check.RUNTIME, "artifact needs " + a.runtime() + " "
                    + a.runtimeVersions() + "; the device has " + rt.version());
        }
        IntegerModel model;
        try {
            model = rt.load(bytes);
        } catch (IOException | RuntimeException e) {
            throw new BundleVerificationException(Check.GOLDEN_VECTORS, "the device runtime cannot load the model: "
                    + e.getMessage(), e);
        }
        Optional<String> mismatch = a.golden().firstMismatch(model);
        if (mismatch.isPresent()) {
            throw new BundleVerificationException(Check.GOLDEN_VECTORS, mismatch.get());
        }
        return model;
    }

    private static String slotName(String slot, String file) {
        return "slot-" + slot + "/" + file;
    }

    /** A slot that verified: signed manifest, matching artifact, bit-exact golden vectors. */
    private static final class Slot {
        final BundleManifest manifest;
        final IntegerModel model;
        final long sequence;
        final long epoch;

        Slot(BundleManifest manifest, IntegerModel model, long sequence, long epoch) {
            this.manifest = manifest;
            this.model = model;
            this.sequence = sequence;
            this.epoch = epoch;
        }
    }

    private Optional<Slot> readSlot(String slot) throws IOException {
        return readSlot(slot, null);
    }

    /**
     * Reads and verifies a slot. When {@code justVerified} is given and the stored manifest and signatures are
     * byte-identical to it, the signature count is not repeated (those exact bytes were verified moments ago);
     * the artifact digest, target and golden vectors are always checked on what storage returns.
     */
    private Optional<Slot> readSlot(String slot, VerifiedBundle justVerified) throws IOException {
        if (slot == null) {
            return Optional.empty();
        }
        Optional<byte[]> meta = storage.read(slotName(slot, "slot.json"));
        Optional<byte[]> man = storage.read(slotName(slot, "manifest.json"));
        Optional<byte[]> sig = storage.read(slotName(slot, "signatures.json"));
        Optional<byte[]> art = storage.read(slotName(slot, "artifact"));
        if (meta.isEmpty() || man.isEmpty() || sig.isEmpty() || art.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode mj = CanonicalJson.parse(meta.get());
            ArtifactEntry a;
            BundleManifest verified = null;
            if (justVerified != null && java.util.Arrays.equals(man.get(), justVerified.manifestBytes())
                    && java.util.Arrays.equals(sig.get(), justVerified.signaturesBytes())) {
                String path = mj.path("path").asText();
                a = justVerified.manifest().artifacts().stream().filter(x -> x.path().equals(path)).findFirst()
                        .orElse(null);
                if (a == null || art.get().length != a.size()
                        || !io.edgeloop.api.provenance.Sha256.hex(art.get()).equals(a.sha256())) {
                    return Optional.empty();
                }
            } else {
                String path = mj.path("path").asText();
                verified = verifier.verifyInstalledManifest(man.get(), sig.get(), path, art.get());
                a = verified.artifacts().stream().filter(x -> x.path().equals(path)).findFirst().orElseThrow();
            }
            if (!a.target().equals(target.id()) || !a.hardwareVariant().equals(target.hardwareVariant())) {
                return Optional.empty();
            }
            BundleManifest m = verified != null ? verified : justVerified.manifest();
            return Optional.of(new Slot(m, load(a, art.get()), m.sequence(), m.securityEpoch()));
        } catch (BundleVerificationException e) {
            return Optional.empty();
        }
    }

    /**
     * Re-verifies the active slot from storage (signatures, digest, golden vectors).
     *
     * @return true when the device runs a verified model
     * @throws IOException when storage fails
     */
    public boolean activeSlotVerifies() throws IOException {
        synchronized (lock) {
            return readSlot(active).isPresent();
        }
    }

    private void writeBoot(String act, String prev, boolean trial) throws IOException {
        ObjectNode b = CanonicalJson.object();
        if (act != null) {
            b.put("active", act);
        }
        if (prev != null) {
            b.put("previous", prev);
        }
        b.put("trial", trial);
        storage.writeAtomic(BOOT, CanonicalJson.bytes(b));
    }

    private void writeCounters() throws IOException {
        ObjectNode c = CanonicalJson.object();
        c.put("confirmedSequence", confirmedSequence);
        c.put("confirmedEpoch", confirmedEpoch);
        c.put("highestAttempted", highestAttempted);
        storage.writeAtomic(COUNTERS, CanonicalJson.bytes(c));
    }

    private void commit(Slot s) throws IOException {
        if (s.sequence > confirmedSequence || s.epoch > confirmedEpoch) {
            confirmedSequence = Math.max(confirmedSequence, s.sequence);
            confirmedEpoch = Math.max(confirmedEpoch, s.epoch);
            highestAttempted = Math.max(highestAttempted, s.sequence);
            writeCounters();
        }
    }

    /** Start-up recovery: the boot record, the counters, and a verified active slot. */
    /**
     * Replaces the device's trust root with a newer one, after checking that it is signed by the current root's
     * threshold and its own ({@link TrustRoot#acceptRotation}); the new root is persisted and used from now on,
     * also after restarts. Installed models stay valid only if the new root still trusts their signers.
     *
     * @param next the proposed trust root
     * @throws io.edgeloop.ota.trust.TrustException when the rotation is not properly signed, older, or expired
     * @throws IOException                          when storage fails
     */
    public void rotateTrust(TrustRoot next) throws IOException {
        synchronized (lock) {
            TrustRoot accepted = verifier.trust().acceptRotation(next, clock.instant());
            storage.writeAtomic(TRUST, accepted.toBytes());
            verifier = new BundleVerifier(accepted, limits, clock);
        }
    }

    /** @return the trust root in use */
    public TrustRoot trust() {
        synchronized (lock) {
            return verifier.trust();
        }
    }

    private void recover() throws IOException {
        Optional<byte[]> t = storage.read(TRUST);
        if (t.isPresent()) {
            TrustRoot stored = TrustRoot.parse(t.get());
            if (stored.version() > verifier.trust().version()) {
                // accepted by rotateTrust earlier; re-check the chain from the provisioned root when it is direct
                if (stored.version() == verifier.trust().version() + 1) {
                    verifier.trust().acceptRotation(stored, stored.createdAt());
                }
                verifier = new BundleVerifier(stored, limits, clock);
            }
        }
        Optional<byte[]> c = storage.read(COUNTERS);
        if (c.isPresent()) {
            JsonNode n = CanonicalJson.parse(c.get());
            confirmedSequence = n.path("confirmedSequence").asLong(-1);
            confirmedEpoch = n.path("confirmedEpoch").asLong(0);
            highestAttempted = n.path("highestAttempted").asLong(-1);
        }
        Optional<byte[]> b = storage.read(BOOT);
        if (b.isPresent()) {
            JsonNode n = CanonicalJson.parse(b.get());
            active = n.hasNonNull("active") ? n.get("active").asText() : null;
            previous = n.hasNonNull("previous") ? n.get("previous").asText() : null;
            if (n.path("trial").asBoolean(false)) {
                // crashed between switch and confirm: revert, as a trial boot that was never confirmed
                writeBoot(previous, null, false);
                active = previous;
                previous = null;
                last = new InstallReport(InstallOutcome.ROLLED_BACK, Optional.of(Check.HEALTH),
                        "health: restarted before the new model was confirmed; rolled back", -1);
            }
        }
        activateFromStorage();
    }

    private void activateFromStorage() throws IOException {
        Optional<byte[]> b = storage.read(BOOT);
        if (b.isPresent()) {
            JsonNode n = CanonicalJson.parse(b.get());
            active = n.hasNonNull("active") ? n.get("active").asText() : null;
            previous = n.hasNonNull("previous") ? n.get("previous").asText() : null;
        }
        Optional<Slot> s = readSlot(active);
        if (active != null && (s.isEmpty() || s.get().epoch < confirmedEpoch)) {
            // the active slot no longer verifies (storage corruption): fall back to the other slot if it does;
            // a device that never confirmed a model stays empty rather than adopt an unconfirmed one
            String other = "a".equals(active) ? "b" : "a";
            Optional<Slot> o = readSlot(other);
            if (o.isPresent() && o.get().epoch >= confirmedEpoch) {
                writeBoot(other, null, false);
                active = other;
                s = o;
            } else {
                s = Optional.empty();
            }
        }
        if (s.isPresent()) {
            commit(s.get());
            activeModel = s.get().model;
            activeManifest = s.get().manifest;
        } else {
            activeModel = null;
            activeManifest = null;
        }
    }

    /** Builder for {@link DeviceAgent}. Not thread-safe. */
    public static final class Builder {
        private String deviceId;
        private TargetProfile target;
        private TrustRoot trust;
        private DeviceStorage storage;
        private BundleLimits limits = BundleLimits.DEFAULT;
        private Clock clock = Clock.systemUTC();
        private Function<String, ModelRuntime> runtimes = name -> ProviderLoader.of(ModelRuntimeProvider.class)
                .select(name).create(ComponentConfig.empty());
        private CrashInjector crash = CrashInjector.NONE;
        private HealthCheck health = HealthCheck.GOLDEN_ONLY;
        private Consumer<AgentStatus> listener;
        private Path staging;

        private Builder() {
        }

        /**
         * @param id the device id
         * @return this builder
         */
        public Builder deviceId(String id) {
            this.deviceId = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * @param target the device's target profile
         * @return this builder
         */
        public Builder target(TargetProfile target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * @param trust the provisioned trust root
         * @return this builder
         */
        public Builder trust(TrustRoot trust) {
            this.trust = Objects.requireNonNull(trust, "trust");
            return this;
        }

        /**
         * @param storage where slots and counters live
         * @return this builder
         */
        public Builder storage(DeviceStorage storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
            return this;
        }

        /**
         * @param limits archive limits
         * @return this builder
         */
        public Builder limits(BundleLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * @param clock clock for expiry
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param runtimes resolves a runtime provider name to the device's runtime (default: {@link ProviderLoader})
         * @return this builder
         */
        public Builder runtimes(Function<String, ModelRuntime> runtimes) {
            this.runtimes = Objects.requireNonNull(runtimes, "runtimes");
            return this;
        }

        /**
         * @param crash crash injection
         * @return this builder
         */
        public Builder crashInjector(CrashInjector crash) {
            this.crash = Objects.requireNonNull(crash, "crash");
            return this;
        }

        /**
         * @param health post-switch health check
         * @return this builder
         */
        public Builder healthCheck(HealthCheck health) {
            this.health = Objects.requireNonNull(health, "health");
            return this;
        }

        /**
         * @param listener receives a status report after every install attempt
         * @return this builder
         */
        public Builder listener(Consumer<AgentStatus> listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param staging directory for downloads (the only place {@link #poll} writes besides storage)
         * @return this builder
         */
        public Builder staging(Path staging) {
            this.staging = Objects.requireNonNull(staging, "staging");
            return this;
        }

        /**
         * Builds the agent and runs start-up recovery.
         *
         * @return the agent
         * @throws IOException when storage cannot be read or repaired
         */
        public DeviceAgent open() throws IOException {
            if (deviceId == null || target == null || trust == null || storage == null) {
                throw new IllegalArgumentException("a device agent needs deviceId, target, trust and storage");
            }
            DeviceAgent a = new DeviceAgent(this);
            synchronized (a.lock) {
                a.recover();
            }
            return a;
        }
    }
}
