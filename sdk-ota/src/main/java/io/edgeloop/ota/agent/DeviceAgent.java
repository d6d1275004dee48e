package io.edgeloop.ota.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.ArtifactCheck;
import io.edgeloop.ota.bundle.ArtifactEntry;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleVerificationException;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.bundle.VerificationPolicy;
import io.edgeloop.ota.bundle.VerifiedBundle;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.trust.TrustException;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device agent (on a Java gateway it acts for the microcontrollers behind it). An install: verify the bundle
 * in memory against the trust root, the device's counters, target profile and runtime, and run its golden
 * vectors on the device's runtime requiring bit-exact outputs; record the attempted sequence; write the device's
 * artifact with its signed manifest into the inactive A/B slot and read it back (the golden vectors run again
 * unless storage returns the very bytes they passed on); point the boot record at the new slot on trial;
 * health-check; confirm, then commit the sequence and security epoch. A failed health check rolls back.
 *
 * <p>The device runs one model ({@link Builder#model}): a validly signed bundle of another model is refused
 * ({@link Check#MODEL_NAME}), and the anti-rollback counters are kept per model name.
 *
 * <p>Crash safety: every step is a single atomic write (or a write to the inactive slot, which nothing points
 * at), so a crash anywhere leaves a verified model. On start ({@link Builder#open()}) the trust chain is
 * re-verified link by link from the provisioned root (a link that does not verify is logged and ignored, with
 * everything after it), an unconfirmed trial is reverted (as MCUboot does), a confirmed but uncommitted install
 * is committed, and an active slot that no longer verifies is replaced by the other slot only when that one
 * verifies and was confirmed once. A device so fallen back below its confirmed sequence (or left with no model)
 * reinstalls that sequence only as the signed manifest it confirmed, whose SHA-256 counters.json keeps from the
 * commit, verified as any install and attempted once (the attempt is recorded before the slot is written). Each slot is re-verified against the trust root that accepted it; a newer root
 * invalidates it only by revoking its signers explicitly, and not when the current root accepts it on its own
 * terms (why a slot is invalid is in {@link AgentStatus#slotProblem}). Corrupt metadata never stops a start: an unreadable
 * slot record makes the slot invalid, an unreadable boot record is rebuilt from the slots, and at every start the
 * anti-rollback counters are raised to what the slots prove (so a damaged, missing or wrongly shaped counter file
 * never lowers them). The security epoch is committed only on confirm, so rolling back within an epoch always works. Formats:
 * {@code docs/formats/device-state.md}.
 *
 * <p>Thread-safe: installs are serialised among themselves; their steps that read or write the device's state,
 * status and recovery are serialised on a private lock, which {@link #predict} and {@link #shadow} hold only to
 * read the active model. Verifying a bundle (signatures, digests, golden vectors) happens outside that lock, so
 * a large bundle never delays inference; a trust rotation that lands meanwhile makes the install verify again
 * under the new root before anything is written, and one that lands during the health check makes the confirm
 * verify the trial slot again under the new root (at its own threshold): when that root does not accept it, the
 * install is rolled back ({@link InstallOutcome#ROLLED_BACK} with the failed check, such as
 * {@link Check#REVOKED_KEY}). The health check runs on its own thread outside that lock with a deadline
 * ({@link Builder#healthTimeout}), so inference keeps serving the confirmed model until the new one is confirmed,
 * and a check that hangs, throws or errs rolls the install back. {@link #poll} talks to the deployer outside that
 * lock (polls are serialised among themselves), so a download never stops inference.
 */
public final class DeviceAgent {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceAgent.class);
    private static final String BOOT = "boot.json";
    private static final String COUNTERS = "counters.json";
    /**
     * counters.json's copy, written after it at every change (and brought up to date at start): the counters are
     * read from it when counters.json is damaged or missing, so a damaged counters.json no longer lowers them to
     * what the slots prove when the slot that held the confirmed sequence is damaged too.
     */
    private static final String COUNTERS_COPY = "counters.copy.json";
    /** Written by SDKs before the chain file: the latest rotated root alone. Read for migration only. */
    private static final String LEGACY_TRUST = "trust.json";
    private static final String TRUST_CHAIN = "trust-chain.json";
    /** The last publication {@link #poll} saw refused for a reason that cannot change by fetching it again. */
    private static final String REFUSED = "refused.json";
    /** Refusals that depend only on the bundle and this device: fetching the same bytes again cannot change them. */
    private static final java.util.Set<Check> FINAL_REFUSALS = java.util.EnumSet.of(Check.GOLDEN_VECTORS,
            Check.TARGET, Check.HEALTH);
    /** Refusals a trust rotation can undo: a remembered one is forgotten by {@link #rotateTrust}. */
    private static final java.util.Set<Check> TRUST_REFUSALS = java.util.EnumSet.of(Check.UNKNOWN_KEY,
            Check.REVOKED_KEY, Check.THRESHOLD, Check.TRUST_EXPIRED);
    private static final String CHAIN_TYPE = "edgeloop-trust-chain";
    private static final String STATE_FORMAT = "2.0";
    /** repairAttempted.sha256 of a record found damaged: the attempt of any manifest at its sequence. */
    private static final String ANY_MANIFEST = "any";
    /** counters.json: 2.1 added the confirmed manifest's identity and the repair attempt (2.0 readers ignore them). */
    private static final String COUNTERS_FORMAT = "2.1";
    /** The default {@link Builder#healthTimeout}: 30 seconds. */
    public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(30);

    private final Object lock = new Object();
    /** Serialises {@link #poll} calls, which share the staging directory; taken before {@code lock}, never after. */
    private final Object pollLock = new Object();
    /**
     * Serialises installs, whose health check runs outside {@code lock}; taken after {@code pollLock} and before
     * {@code lock}, never after.
     */
    private final Object installLock = new Object();
    private final Duration healthTimeout;
    private final String deviceId;
    private final String modelName;
    /** The provisioned root, then every rotation accepted since, each verified by the one before. */
    private final List<TrustRoot> chain = new ArrayList<>();
    /** Counters of other models this device ran earlier, kept verbatim so they are never lowered. */
    private final Map<String, JsonNode> otherCounters = new TreeMap<>();
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
    /** The signed manifest confirmed at {@code confirmedSequence}, or null when none is stored (or stale). */
    private ConfirmedManifest confirmedManifest;
    /** The reinstall of the confirmed sequence recorded before its slot was written, or null. */
    private RepairAttempt repairAttempt;
    /** Whether the repairAttempted read at start was damaged (counters.json is written back at once). */
    private boolean repairRecordDamaged;
    /** Whether the counters were read from counters.copy.json at start (both files are rewritten at start). */
    private boolean countersFromCopy;
    /** Whether the confirmedManifest read at start was damaged (counters.json is written back without it). */
    private boolean manifestIdentityDamaged;
    private IntegerModel activeModel;
    private BundleManifest activeManifest;
    private InstallReport last;
    /** Why a stored trust root was not adopted at start (see {@link AgentStatus#trustDegraded}); null when none. */
    private String trustDegraded;
    /** Why the boot record's active slot does not verify (see {@link AgentStatus#slotProblem}); null when it does. */
    private String slotProblem;
    /** The last storage failure of an install's slot writes, so that poll keeps a download only for those. */
    private IOException storageFailure;
    /** Said by {@link #status} before any install since the start: an unconfirmed attempt found then, or null. */
    private String startNote;
    /** Why the last {@link #readSlot} call found its slot invalid (set only when it returns empty). */
    private String slotFailure;
    /** The check behind {@link #slotFailure} when a verification check failed; null otherwise. */
    private Check slotFailureCheck;
    /** The publication digest {@link #poll} will not fetch again, with the refusal; null when none. */
    private RefusedPublication refused;

    /**
     * The identity of the confirmed install, stored in counters.json at its commit: the SHA-256 of its signed
     * {@code manifest.json} (which pins every artifact by digest; not of the bundle file, whose signatures.json may
     * be re-signed legitimately, for instance after a key rotation) and its security epoch. A device that fell back
     * below {@code sequence} reinstalls that manifest, and no other bundle at that sequence.
     */
    private record ConfirmedManifest(long sequence, String sha256, long securityEpoch) {
    }

    /**
     * A reinstall of the confirmed sequence ({@code sha256} its manifest), recorded before its slot is written, so
     * a repair is attempted once, as any sequence is. {@code sha256} is null when the stored record is damaged: it
     * then counts as the attempt of any manifest at that sequence (never retrying is the safe side), stored as
     * {@code "any"}. A repair confirmed and committed ends it.
     */
    private record RepairAttempt(long sequence, String sha256) {
    }

    /** A publication refused for good on this device: its SHA-256 and the refusal. */
    private record RefusedPublication(String sha256, long sequence, Check check, String reason) {
    }

    private DeviceAgent(Builder b) {
        this.deviceId = b.deviceId;
        this.modelName = b.model;
        this.chain.add(b.trust);
        this.target = b.target;
        this.verifier = new BundleVerifier(b.trust, b.limits, b.clock);
        this.limits = b.limits;
        this.clock = b.clock;
        this.storage = b.storage;
        this.runtimes = b.runtimes;
        this.crash = b.crash;
        this.health = b.health;
        this.healthTimeout = b.healthTimeout;
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

    /** @return the name of the model this device runs (bundles of other models are refused) */
    public String modelName() {
        return modelName;
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
                    last == null ? Optional.empty() : last.check(), last != null ? last.message()
                            : startNote != null ? startNote : "no install yet",
                    Optional.ofNullable(trustDegraded), Optional.ofNullable(slotProblem));
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
        return install((ver, p) -> ver.verify(bundle, p), null);
    }

    /**
     * Installs a bundle file (for example one fetched into the staging directory).
     *
     * @param bundle the file
     * @return what happened
     * @throws IOException when the file or the device's storage cannot be read or written
     */
    public InstallReport install(Path bundle) throws IOException {
        return install((ver, p) -> ver.verify(bundle, p), null);
    }

    /** Verifies a bundle, from bytes or a file, with a verifier under a policy. */
    @FunctionalInterface
    private interface Verification {
        VerifiedBundle verify(BundleVerifier verifier, VerificationPolicy policy)
                throws IOException, BundleVerificationException;
    }

    /**
     * Verifies (signatures, digests, limits, golden vectors) outside {@code lock}, so {@link #predict} and
     * {@link #status} keep answering however long that takes, then stages under it. Installs are serialised by
     * {@code installLock}; a trust rotation that lands during verification makes the bundle be verified again
     * under the new root before anything is written.
     *
     * @param download the poll's download the bundle was read from (its blocks count as free for the slot, and it
     *                 is deleted when the slot needs them), or null
     */
    private InstallReport install(Verification verification, Path download) throws IOException {
        synchronized (installLock) {
            while (true) {
                BundleVerifier ver;
                VerificationPolicy pol;
                synchronized (lock) {
                    ver = verifier;
                    pol = policy();
                }
                VerifiedBundle v = null;
                IntegerModel model = null;
                BundleVerificationException refusal = null;
                try {
                    v = verification.verify(ver, pol);
                    ArtifactEntry a = v.selected().orElseThrow();
                    model = load(a, v.bytes(a)); // golden vectors on the received bytes before anything is written
                } catch (BundleVerificationException e) {
                    refusal = e;
                }
                Staged staged;
                synchronized (lock) {
                    if (verifier != ver || minimumSequence() != pol.minimumSequence()
                            || confirmedEpoch != pol.minimumEpoch()
                            || !policy().repairManifestSha256().equals(pol.repairManifestSha256())) {
                        continue; // checked against a root or counters that are no longer the device's: again
                    }
                    if (refusal != null) {
                        return report(new InstallReport(InstallOutcome.REFUSED, Optional.of(refusal.check()),
                                refusal.getMessage(), v == null ? -1 : v.manifest().sequence()));
                    }
                    staged = stage(v, model, download);
                }
                return finish(staged);
            }
        }
    }

    /**
     * Polls a deployer channel once: when a publication of this device's model with a sequence above the device's is
     * there, fetches it into the staging directory (resuming a partial download), installs it and deletes the download.
     * When the install fails on storage (its slot does not fit: refused before anything is written; or a write meets a
     * full disk) the verified download is kept, so a later poll installs it without fetching it again; a later poll
     * that finds nothing to fetch, or another publication, deletes it. The slot's space check counts the download's
     * blocks as free when it shares storage's file store (the verified bundle is in memory by then) and deletes it
     * before writing the slot when the slot fits only without it. A publication larger than the bundle limits allow is
     * refused before fetching. When the fetch fails in transit the partial file is kept, so the next poll resumes it
     * (with {@code Range} over HTTP); a download whose size or digest is wrong is deleted by the deployer, and a
     * download path that is not a regular file (a symbolic link, a directory) is refused by it, never written through.
     *
     * <p>A publication refused for a reason fetching it again cannot change (its golden vectors fail on this
     * device, it has no artifact for this device's target and hardware variant, or its health check failed), and a
     * fallen-back device's candidate for the reinstall of its confirmed sequence refused for any reason, is
     * remembered by its SHA-256 in {@code refused.json}, also across restarts: later polls that find it still
     * announced report the earlier refusal without downloading it again, until another publication replaces it (or,
     * for a refusal that depended on the trust root, until {@link #rotateTrust} installs a new one).
     *
     * <p>Polling and fetching run outside the agent's lock: the device keeps serving {@link #predict}, {@link #status}
     * and {@link #install} while a download is in progress, however slow the server. Only the decision whether
     * to fetch and the install itself take the lock; concurrent polls are serialised among themselves. How long
     * a download may take is the deployer's bound (the {@code http} deployer's idle {@code timeout} plus its
     * total deadline from {@code min-bytes-per-second}).
     *
     * @param deployer the deployer
     * @param channel  the channel
     * @return what happened
     * @throws IOException when polling, fetching or storage fails
     */
    public InstallReport poll(Deployer deployer, String channel) throws IOException {
        if (staging == null) {
            throw new IllegalStateException("poll needs a staging directory (Builder.staging)");
        }
        synchronized (pollLock) {
            Optional<Publication> p = deployer.latest(channel);
            InstallReport early;
            boolean repairCandidate;
            synchronized (lock) {
                early = beforeFetch(p, channel);
                repairCandidate = early == null && p.get().sequence() < minimumSequence();
            }
            if (early != null) {
                // nothing to fetch: a download kept from an earlier poll (its slot did not fit) is no use now that
                // its publication was withdrawn or replaced by one this device takes no more
                dropDownloads();
                return early;
            }
            Files.createDirectories(staging);
            String name = "download-" + p.get().sha256() + ".bundle";
            deleteStaleDownloads(name);
            Path download = staging.resolve(name);
            // outside the lock: a slow or stalled server must not stop inference. A failed fetch keeps the
            // partial file for resuming; the deployer deletes one with a wrong digest
            deployer.fetch(p.get(), download);
            InstallReport r;
            try {
                // verifies again under the lock, against the counters as they are now
                r = install((ver, pol) -> ver.verify(download, pol), download);
            } catch (IOException e) {
                boolean slotWrite;
                synchronized (lock) {
                    slotWrite = e == storageFailure;
                }
                // the slot writes failed (a full disk): the download is good and kept, so the next poll finds it
                // fetched (same name, size and digest) and installs it without downloading it again (a later
                // publication's poll deletes it). Reading the download failed: deleted, fetched again
                if (!slotWrite) {
                    Files.deleteIfExists(download);
                }
                throw e;
            } catch (RuntimeException | Error e) {
                Files.deleteIfExists(download);
                throw e;
            }
            Files.deleteIfExists(download);
            // a repair candidate is fetched once: whatever refused it (another build at the confirmed sequence, a
            // revoked signer, ...) a later poll of the same publication would only download it again to refuse it
            if (r.outcome() != InstallOutcome.INSTALLED && r.check().isPresent()
                    && (FINAL_REFUSALS.contains(r.check().get()) || repairCandidate)) {
                rememberRefused(new RefusedPublication(p.get().sha256(), p.get().sequence(), r.check().get(),
                        r.message()));
            }
            return r;
        }
    }

    /**
     * The poll's answer when there is nothing to fetch (no publication, an old one, one refused before fetching),
     * or null when the publication is to be fetched. Under {@code lock}.
     */
    private InstallReport beforeFetch(Optional<Publication> p, String channel) {
        ConfirmedManifest repair = repairOffer();
        if (p.isEmpty() || !p.get().name().equals(modelName)
                || p.get().sequence() < minimumSequence()
                        && (repair == null || p.get().sequence() != repair.sequence())) {
            String attempted = p.isPresent() && p.get().name().equals(modelName)
                    && p.get().sequence() > confirmedSequence ? " (sequence " + p.get().sequence() + " there "
                    + "was attempted on this device and not confirmed; a sequence is attempted once)" : "";
            String below = fallbackNote(true);
            return report(new InstallReport(InstallOutcome.NO_UPDATE, Optional.empty(),
                    (minimumSequence() == 0 ? "no publication of " + modelName + " on " + channel
                            : "no publication of " + modelName + " above sequence " + (minimumSequence() - 1)
                            + " on " + channel) + attempted + (below == null ? "" : "; the device " + below),
                    -1));
        }
        if (p.get().sizeBytes() > limits.maxArchiveBytes()) {
            return report(new InstallReport(InstallOutcome.REFUSED, Optional.of(Check.SIZE_LIMIT),
                    "size-limit: the publication announces " + p.get().sizeBytes() + " bytes; bundles are at "
                            + "most " + limits.maxArchiveBytes() + " bytes (BundleLimits)", p.get().sequence()));
        }
        if (!p.get().sha256().matches("[0-9a-f]{64}")) {
            return report(new InstallReport(InstallOutcome.REFUSED, Optional.of(Check.DIGEST),
                    "digest: the publication's SHA-256 is not 64 hex digits", p.get().sequence()));
        }
        if (refused != null && refused.sha256().equals(p.get().sha256())) {
            return report(new InstallReport(InstallOutcome.REFUSED, Optional.of(refused.check()),
                    refused.check().id() + ": sequence " + refused.sequence() + " on " + channel + " was "
                            + "refused before and is not fetched again until another publication replaces it ("
                            + refused.reason() + ")", p.get().sequence()));
        }
        return null;
    }

    /** Deletes every download in the staging directory, best effort (a poll that fetches nothing still answers). */
    private void dropDownloads() {
        if (!Files.isDirectory(staging, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            deleteStaleDownloads(null);
        } catch (IOException e) {
            LOG.warn("device {}: cannot delete the downloads in {} ({}); the next poll tries again", deviceId,
                    staging, e.toString());
        }
    }

    /**
     * Runs a candidate bundle in shadow: verified as for an install (nothing is written), loaded, and compared
     * with the active model on the given inputs. The models agree on an input when they decide the same class
     * ({@link IntegerModel#predictClass}: by sign for one-output models, by arg-max otherwise, or the runtime's
     * own rule), so a candidate that inverts a binary classifier agrees nowhere.
     *
     * @param bundle the candidate
     * @param inputs live inputs
     * @return the agreement
     * @throws BundleVerificationException when the candidate would be refused
     */
    public ShadowReport shadow(byte[] bundle, List<int[]> inputs) throws BundleVerificationException {
        BundleVerifier ver;
        VerificationPolicy pol;
        IntegerModel current;
        synchronized (lock) { // only to read a consistent state; verifying and running happen outside it
            ver = verifier;
            pol = policy();
            current = activeModel;
        }
        VerifiedBundle v = ver.verify(bundle, pol);
        ArtifactEntry a = v.selected().orElseThrow();
        IntegerModel candidate = load(a, v.bytes(a));
        if (current == null) {
            return new ShadowReport(0, 0);
        }
        int agree = 0;
        for (int[] x : inputs) {
            if (current.predictClass(x) == candidate.predictClass(x)) {
                agree++;
            }
        }
        return new ShadowReport(inputs.size(), agree);
    }

    /** Forgets the remembered refusal, in memory and on disk (best effort on disk). Under {@code lock}. */
    private void forgetRefused() {
        RefusedPublication r = refused;
        refused = null;
        try {
            storage.delete(REFUSED);
        } catch (IOException | RuntimeException e) {
            LOG.warn("device {}: cannot delete {} ({}); sequence {} stays refused after a restart until another "
                    + "publication replaces it", deviceId, REFUSED, e.toString(), r.sequence());
        }
        LOG.info("device {}: the new trust root may accept sequence {} (refused under the old one: {}); the next poll "
                + "fetches it again", deviceId, r.sequence(), r.check().id());
    }

    /** Remembers a publication refused for good, in memory and in {@code refused.json} (best effort on disk). */
    private void rememberRefused(RefusedPublication r) {
        synchronized (lock) {
            refused = r;
            ObjectNode o = CanonicalJson.object();
            o.put("formatVersion", "1.0");
            o.put("model", modelName);
            o.put("sha256", r.sha256());
            o.put("sequence", r.sequence());
            o.put("check", r.check().id());
            o.put("reason", r.reason());
            try {
                storage.writeAtomic(REFUSED, CanonicalJson.bytes(o));
            } catch (IOException | RuntimeException e) {
                LOG.warn("device {}: cannot record the refused publication in {} ({}); it is remembered until "
                        + "restart", deviceId, REFUSED, e.toString());
            }
        }
    }

    /** Reads {@code refused.json} at start; a missing, unreadable or other model's record is ignored. */
    private void readRefused() throws IOException {
        Optional<byte[]> b = storage.read(REFUSED);
        if (b.isEmpty()) {
            storage.obstruction(REFUSED).ifPresent(there -> LOG.warn("device {}: {} is unreadable (it is {}, not a "
                    + "file); the next poll fetches whatever is published", deviceId, REFUSED, there));
            return;
        }
        try {
            JsonNode n = CanonicalJson.parse(b.get());
            String fv = n.path("formatVersion").asText("");
            Check check = null;
            for (Check c : Check.values()) {
                if (c.id().equals(n.path("check").asText(""))) {
                    check = c;
                }
            }
            if (!fv.startsWith("1.") || check == null || !n.path("sha256").asText("").matches("[0-9a-f]{64}")
                    || !n.path("sequence").canConvertToLong()) {
                throw new IOException("not a 1.x record with check, sha256 and sequence");
            }
            if (modelName.equals(n.path("model").asText(""))) {
                refused = new RefusedPublication(n.get("sha256").asText(), n.get("sequence").asLong(), check,
                        n.path("reason").asText(""));
            }
        } catch (IOException e) {
            LOG.warn("device {}: {} is unreadable ({}); the next poll fetches whatever is published", deviceId,
                    REFUSED, e.getMessage());
        }
    }

    /**
     * Deletes earlier publications' downloads. A directory with such a name is not a download: it is left where it
     * is (with a WARN naming it) rather than fail every poll, as deleting it did when it held anything.
     */
    private void deleteStaleDownloads(String keep) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(staging, "download-*.bundle")) {
            for (Path f : ds) {
                if (f.getFileName().toString().equals(keep)) {
                    continue;
                }
                if (Files.isDirectory(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    LOG.warn("device {}: {} is a directory, not an earlier download; leaving it where it is",
                            deviceId, f);
                    continue;
                }
                Files.deleteIfExists(f);
            }
        }
    }

    /**
     * The lowest sequence the device accepts. Saturates at {@code Long.MAX_VALUE} for counters an older SDK let reach
     * it (it accepted a bundle at {@code Long.MAX_VALUE}, which {@link BundleVerifier#MAX_SEQUENCE} now refuses):
     * {@code + 1} overflowed to a negative minimum and every later call threw. Saturated, every bundle is refused as
     * a rollback, since none can be above.
     */
    private long minimumSequence() {
        long highest = Math.max(confirmedSequence, highestAttempted);
        return highest == Long.MAX_VALUE ? Long.MAX_VALUE : highest + 1;
    }

    private VerificationPolicy policy() {
        VerificationPolicy.Builder b = VerificationPolicy.builder().modelName(modelName).target(target)
                .minimumSequence(minimumSequence()).minimumEpoch(confirmedEpoch);
        if (highestAttempted > confirmedSequence) {
            b.confirmedSequence(confirmedSequence); // so a retry of the unconfirmed attempt is refused as such
        }
        ConfirmedManifest repair = repairOffer();
        // false only when an older SDK confirmed Long.MAX_VALUE: no bundle at that sequence verifies any more
        boolean belowMinimum = confirmedSequence < minimumSequence();
        if (repair != null && belowMinimum) {
            b.repair(repair.sequence(), repair.sha256());
        } else if (belowMinimum && fellBack() && repairBlocked() != null) {
            // so an install of it is refused for the reason status gives, not as "below the device's minimum"
            b.notRepaired(confirmedSequence, repairBlocked());
        }
        return b.build();
    }

    /**
     * What the counters say about an attempt after the last confirm (an install cut off by a restart, or one that
     * failed its health check: after a restart the two look alike), or null when every attempt was confirmed.
     */
    private String unconfirmedAttempt() {
        if (highestAttempted <= confirmedSequence) {
            return null;
        }
        return "sequence " + highestAttempted + " was attempted and not confirmed (an install interrupted by a "
                + "restart, such as a power loss, or one whose health check failed); a sequence is attempted once, "
                + "so the device accepts sequence " + minimumSequence() + " or higher";
    }

    /**
     * Says so when the model running is older than the confirmed sequence: the slot that held the confirmed model
     * was lost or damaged and the device fell back to the older confirmed slot (now the boot record's active slot,
     * so after the restart that fell back nothing else would tell), and whether it reinstalls the lost sequence (only
     * as the manifest it confirmed, once) or only a higher one brings it up to date; a fleet view must be able to
     * see such devices.
     *
     * @param withNext whether to add which sequence the device accepts (not when the attempt note says it)
     * @return the note, or null when the running model is the confirmed one (or none runs and none was confirmed)
     */
    private String belowConfirmed(boolean withNext) {
        String note = fallbackNote(withNext);
        if (note != null) {
            LOG.warn("device {}: {}", deviceId, note);
        }
        return note;
    }

    /**
     * {@link #belowConfirmed} without the log line (a poll says it in its report, at every poll), with whether the
     * device reinstalls its confirmed sequence (see {@link #repairOffer}) or why not.
     */
    private String fallbackNote(boolean withNext) {
        if (!fellBack()) {
            return null;
        }
        String running = activeManifest == null
                ? "runs no model, though it confirmed sequence " + confirmedSequence + " (the slot that held it was "
                        + "lost or damaged)"
                : "runs sequence " + activeManifest.sequence() + ", below its confirmed sequence " + confirmedSequence
                        + " (the slot that held it was lost or damaged: a fallback, not a rollback)";
        String next = "sequence " + minimumSequence() + " or higher";
        String blocked = repairBlocked();
        if (blocked == null) {
            return running + "; the device reinstalls sequence " + confirmedSequence + " (manifest "
                    + confirmedManifest.sha256() + ") when offered, once" + (withNext ? ", or accepts " + next : "");
        }
        return running + "; it cannot reinstall sequence " + confirmedSequence + ": " + blocked
                + (withNext ? "; the device accepts " + next : "");
    }

    /**
     * Whether the device runs below its confirmed sequence, or runs nothing though it confirmed a model: the slot
     * that held it was lost or damaged.
     */
    private boolean fellBack() {
        return confirmedSequence >= 0 && (activeManifest == null || activeManifest.sequence() < confirmedSequence);
    }

    /**
     * The confirmed manifest a fallen-back device reinstalls when offered (a repair: verified as any install, at
     * that one sequence only as the manifest it confirmed, attempted once), or null when it does not.
     */
    private ConfirmedManifest repairOffer() {
        return fellBack() && repairBlocked() == null ? confirmedManifest : null;
    }

    /** Why a fallen-back device does not reinstall its confirmed sequence, or null when it does. */
    private String repairBlocked() {
        ConfirmedManifest c = confirmedManifest;
        if (c == null || c.sequence() != confirmedSequence) {
            return "no digest of its manifest is stored (counters.json written before the SDK stored one, or "
                    + "rebuilt after damage, while the slot that held it was already lost), so nothing proves that a "
                    + "bundle offered at that sequence is the one it confirmed";
        }
        RepairAttempt r = repairAttempt;
        if (r != null && r.sequence() == c.sequence() && (r.sha256() == null || r.sha256().equals(c.sha256()))) {
            return "its reinstall (manifest " + c.sha256() + ") was attempted once already (cut off by a restart, "
                    + "or failed its health check), and a sequence is attempted once";
        }
        if (c.securityEpoch() < confirmedEpoch) {
            return "its manifest " + c.sha256() + " has security epoch " + c.securityEpoch() + ", below the "
                    + "committed epoch " + confirmedEpoch;
        }
        return null;
    }

    /**
     * An install up to the switch, or its end: either {@code done} (refused before the switch) or a trial whose
     * health check is still to run.
     */
    private record Staged(InstallReport done, Trial trial) {
    }

    /**
     * A switched install on trial: the boot record points at {@code slot}; {@code old} is the confirmed one.
     * {@code verifiedBy} is the verifier (so the trust root) it was verified and staged under, and {@code verified}
     * the bundle it was staged from (to verify the slot again when a rotation lands during the health check).
     */
    private record Trial(String slot, String old, BundleManifest manifest, ArtifactEntry artifact, long acceptedBy,
            Slot staged, BundleVerifier verifiedBy, VerifiedBundle verified) {
    }

    /**
     * Writes the inactive slot with a bundle whose golden vectors passed on {@code model}, then switches to it on
     * trial. Under {@code lock}.
     */
    private Staged stage(VerifiedBundle v, IntegerModel model, Path download) throws IOException {
        BundleManifest m = v.manifest();
        ArtifactEntry a = v.selected().orElseThrow();
        crash.reached(InstallStep.VERIFIED);
        long attemptedBefore = highestAttempted;
        RepairAttempt repairBefore = repairAttempt;
        String slot = "a".equals(active) ? "b" : "a";
        try {
            if (checkSlotSpace(v, a, slot, download)) {
                // the slot fits only without the download: the verified bundle is in memory, so it goes first
                Files.deleteIfExists(download);
            }
        } catch (IOException e) {
            // nothing written, the inactive slot untouched: no attempt to undo
            report(new InstallReport(InstallOutcome.FAILED, Optional.empty(), "storage: " + e.getMessage(),
                    m.sequence()));
            storageFailure = e;
            throw e;
        }
        try {
            return writeSlotAndSwitch(v, model, m, a, slot);
        } catch (IOException e) {
            // nothing ran the new model: undo the attempt so the same sequence installs once storage works, and
            // tell the listener (the caller gets the exception)
            undoAttempt(slot, attemptedBefore, repairBefore, e);
            report(new InstallReport(InstallOutcome.FAILED, Optional.empty(), "storage: " + e.getMessage()
                    + " while installing " + m.name() + " " + m.version() + " (sequence " + m.sequence() + "); the "
                    + "device kept its model and may install this sequence again", m.sequence()));
            storageFailure = e;
            throw e;
        }
    }

    /**
     * After a storage failure before the switch: delete the half-written slot (so it proves no attempt at the next
     * start, and its space is free again) and lower the attempted counter back, best effort; failures are added to
     * {@code cause}.
     */
    private void undoAttempt(String slot, long attemptedBefore, RepairAttempt repairBefore, IOException cause) {
        LOG.warn("device {}: storage failed before the switch ({}); the attempt is not counted", deviceId,
                cause.toString());
        // the slot's record first (also when the boot record's trial switch reached storage: an unconfirmed trial
        // reverts at start anyway), then its files, which frees the space a full disk needs for the counters
        for (String f : List.of("slot.json", "artifact", "manifest.json", "signatures.json")) {
            try {
                storage.delete(slotName(slot, f));
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
        if (highestAttempted != attemptedBefore || repairAttempt != repairBefore) {
            highestAttempted = attemptedBefore;
            repairAttempt = repairBefore;
            try {
                writeCounters();
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e); // the raised file stays: refusing this sequence later is the safe side
            }
        }
    }

    /** Rounds up to the 4 KiB block most file systems (and tmpfs pages) allocate in. */
    private static long blocks(long bytes) {
        return (bytes + 4095) / 4096 * 4096;
    }

    /**
     * Refuses an install whose slot does not fit, before anything is written (the attempt is not counted and the
     * inactive slot, the device's fallback, stays whole), when storage can tell its usable bytes. The slot needs
     * the artifact, manifest and signatures, each rounded up to a block, plus a block each for the slot record,
     * the boot record and the counters (rewritten beside their old copies); the inactive slot's files now there
     * are replaced, so their blocks count as free, and so do the blocks of the download the bundle was read from
     * when it takes its space from storage's file store (the bundle is in memory by now). Under {@code lock}.
     *
     * @return whether the slot fits only once the download is deleted
     */
    private boolean checkSlotSpace(VerifiedBundle v, ArtifactEntry a, String slot, Path download)
            throws IOException {
        OptionalLong usable = storage.usableBytes();
        if (usable.isEmpty()) {
            return false;
        }
        long artifact = v.bytes(a).length;
        long manifest = v.manifestBytes().length;
        long signatures = v.signaturesBytes().length;
        long need = blocks(artifact) + blocks(manifest) + blocks(signatures) + 3 * 4096;
        long replaced = 0;
        for (String f : List.of("artifact", "manifest.json", "signatures.json", "slot.json")) {
            replaced += blocks(storage.size(slotName(slot, f)));
        }
        if (usable.getAsLong() + replaced >= need) {
            return false;
        }
        // a kept download counted as used kept the device off an update whose slot alone fit (review 3: 159,744
        // usable, the 70,656-byte download, a slot of 90,112: refused at every poll)
        long reclaimable = download != null && Files.isRegularFile(download, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && storage.sharesSpaceWith(download) ? blocks(Files.size(download)) : 0;
        if (usable.getAsLong() + replaced + reclaimable < need) {
            BundleManifest m = v.manifest();
            throw new IOException("not enough space to install " + m.name() + " " + m.version() + " (sequence "
                    + m.sequence() + ") into slot-" + slot + ": it needs " + need + " bytes (artifact " + artifact
                    + ", manifest " + manifest + ", signatures " + signatures + ", records), storage has "
                    + usable.getAsLong() + " usable and " + replaced + " in the slot it replaces"
                    + (reclaimable > 0 ? " and " + reclaimable + " in the download" : "") + "; nothing was "
                    + "written, the device kept its model (free " + (need - usable.getAsLong() - replaced - reclaimable)
                    + " bytes and poll again)");
        }
        return true;
    }

    /** A write of an install (slot files, counters, boot record) that failed, naming the file; a full disk in words. */
    private static IOException slotWriteFailed(String file, IOException e) {
        String why = String.valueOf(e.getMessage());
        boolean full = why.contains("No space left on device") || why.contains("Disk quota exceeded");
        return new IOException((full ? "not enough space to write " : "cannot write ") + file + ": " + why, e);
    }

    /** Records the attempt, writes the inactive slot and switches to it on trial. Under {@code lock}. */
    private Staged writeSlotAndSwitch(VerifiedBundle v, IntegerModel model, BundleManifest m, ArtifactEntry a,
            String slot) throws IOException {
        if (m.sequence() < minimumSequence()) {
            // a repair (the verifier accepted the confirmed sequence only as the confirmed manifest): its sequence
            // was attempted long ago, so the attempt is recorded as its own, as durably, before the slot is touched
            repairAttempt = new RepairAttempt(m.sequence(), io.edgeloop.api.provenance.Sha256.hex(v.manifestBytes()));
        }
        highestAttempted = Math.max(highestAttempted, m.sequence());
        try {
            writeCounters();
        } catch (IOException e) {
            throw slotWriteFailed(COUNTERS, e);
        }
        crash.reached(InstallStep.ATTEMPT_RECORDED);
        storage.delete(slotName(slot, "slot.json"));
        // without its record the slot is no fallback any more: its manifest and signatures go now, so that their
        // replacements do not need room beside them (checkSlotSpace counts on it)
        storage.delete(slotName(slot, "manifest.json"));
        storage.delete(slotName(slot, "signatures.json"));
        crash.reached(InstallStep.SLOT_INVALIDATED);
        long acceptedBy = verifier.trust().version();
        String file = slotName(slot, "artifact");
        try {
            storage.write(file, v.bytes(a), () -> crash.reached(InstallStep.ARTIFACT_PARTIAL));
            crash.reached(InstallStep.ARTIFACT_WRITTEN);
            file = slotName(slot, "manifest.json");
            storage.writeAtomic(file, v.manifestBytes());
            file = slotName(slot, "signatures.json");
            storage.writeAtomic(file, v.signaturesBytes());
            file = slotName(slot, "slot.json");
            writeSlotMeta(slot, a.path(), m, acceptedBy, false);
        } catch (IOException e) {
            throw slotWriteFailed(file, e);
        }
        crash.reached(InstallStep.SLOT_WRITTEN);
        Optional<Slot> staged = readSlot(slot, v, model);
        if (staged.isEmpty()) {
            return new Staged(report(new InstallReport(InstallOutcome.REFUSED, Optional.of(Check.DIGEST),
                    "digest: the staged slot does not read back as written", m.sequence())), null);
        }
        crash.reached(InstallStep.GOLDEN_PASSED);
        String old = active;
        try {
            writeBoot(slot, old, true);
        } catch (IOException e) {
            throw slotWriteFailed(BOOT, e);
        }
        crash.reached(InstallStep.SWITCHED);
        return new Staged(null, new Trial(slot, old, m, a, acceptedBy, staged.get(), verifier, v));
    }

    /**
     * Runs the health check of a trial outside {@code lock} (inference keeps serving the confirmed model), then
     * confirms or rolls back under it. A trust rotation may land while the check runs: the confirm then verifies
     * the trial slot again, from storage, under the root now in use (at its own threshold, with its revocations,
     * as an install started now would be), and rolls back when that root does not accept it. Called holding
     * {@code installLock} only.
     */
    private InstallReport finish(Staged staged) throws IOException {
        if (staged.done() != null) {
            return staged.done();
        }
        Trial t = staged.trial();
        long seq = t.manifest().sequence();
        String repairOf;
        long next;
        synchronized (lock) {
            repairOf = fellBack() && seq == confirmedSequence ? (activeManifest == null ? "no model"
                    : "sequence " + activeManifest.sequence()) : null;
            next = minimumSequence();
        }
        // a failed repair leaves the device as it was, fallen back; its attempt stays recorded
        String failedRepair = repairOf == null ? "" : "; the repair of sequence " + seq + " failed and is not "
                + "attempted again: the device runs " + repairOf + " and accepts sequence " + next + " or higher";
        Optional<String> unhealthy;
        VirtualMachineError fatal = null;
        try {
            unhealthy = checkHealth(t.staged().model, seq);
        } catch (VirtualMachineError e) {
            fatal = e;
            unhealthy = Optional.of("health check failed: " + e);
        }
        synchronized (lock) {
            if (unhealthy.isPresent()) {
                writeBoot(t.old(), null, false);
                activateFromStorage();
                InstallReport r = report(new InstallReport(InstallOutcome.ROLLED_BACK, Optional.of(Check.HEALTH),
                        "health: " + unhealthy.get() + "; rolled back" + failedRepair, seq));
                if (fatal != null) {
                    throw fatal;
                }
                return r;
            }
            Slot confirmed = t.staged();
            long acceptedBy = t.acceptedBy();
            if (verifier != t.verifiedBy()) {
                // a rotation landed during the health check: the trial is still an install, so the root in use
                // must accept it as it would the same bundle shipped now (a revoked signer's model is not confirmed)
                TrustRoot now = verifier.trust();
                Optional<Slot> again = readSlot(t.slot(), t.verified(), t.staged().model, now);
                if (again.isEmpty()) {
                    String why = slotFailure;
                    // no check behind it: a file of the slot is missing or unreadable, as for a bad read-back
                    Check check = slotFailureCheck == null ? Check.DIGEST : slotFailureCheck;
                    // back to the confirmed model, which kept serving throughout: as after a rotation with no
                    // install in flight, it keeps running until the next restart even when the rotation also
                    // revoked its signers (slotProblem says so)
                    writeBoot(t.old(), null, false);
                    LOG.warn("device {}: trust version {} arrived during the health check of sequence {} and does "
                            + "not accept it ({}); rolled back", deviceId, now.version(), seq, why);
                    return report(new InstallReport(InstallOutcome.ROLLED_BACK, Optional.of(check), check.id()
                            + ": trust version " + now.version() + ", rotated in during the health check, does not "
                            + "accept sequence " + seq + " (" + why + "); rolled back" + failedRepair, seq));
                }
                confirmed = again.get();
                acceptedBy = now.version();
            }
            crash.reached(InstallStep.HEALTHY);
            writeBoot(t.slot(), t.old(), false);
            crash.reached(InstallStep.CONFIRMED);
            writeSlotMeta(t.slot(), t.artifact().path(), t.manifest(), acceptedBy, true);
            crash.reached(InstallStep.SLOT_CONFIRMED);
            commit(confirmed);
            crash.reached(InstallStep.COMMITTED);
            active = t.slot();
            previous = t.old();
            activeModel = confirmed.model;
            activeManifest = confirmed.manifest;
            slotProblem = null;
            BundleManifest m = t.manifest();
            return report(new InstallReport(InstallOutcome.INSTALLED, Optional.empty(), "installed " + m.name() + " "
                    + m.version() + " (sequence " + seq + ") into slot " + t.slot() + (repairOf == null ? ""
                    : " (a repair: the device ran " + repairOf + " after the slot holding it was lost or damaged)"),
                    seq));
        }
    }

    /**
     * Runs the health check on its own thread with the {@link Builder#healthTimeout} deadline. Unhealthy: the
     * check's reason, a timeout (the check's thread is interrupted and left to end on its own), or anything it
     * throws except a {@link VirtualMachineError} other than {@link StackOverflowError} (the check's own thread
     * overflowed), which is rethrown after the caller rolls back.
     */
    private Optional<String> checkHealth(IntegerModel model, long sequence) {
        FutureTask<Optional<String>> task = new FutureTask<>(() -> health.check(model));
        Thread t = new Thread(task, "edgeloop-health-" + deviceId + "-" + sequence);
        t.setDaemon(true);
        t.start();
        try {
            Optional<String> r = task.get(healthTimeout.toNanos(), TimeUnit.NANOSECONDS);
            return r == null ? Optional.of("the health check returned null instead of a result") : r;
        } catch (TimeoutException e) {
            task.cancel(true);
            LOG.warn("device {}: the health check of sequence {} did not finish within {}; rolling back", deviceId,
                    sequence, healthTimeout);
            return Optional.of("the health check did not finish within " + healthTimeout.toMillis() + " ms "
                    + "(Builder.healthTimeout)");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof VirtualMachineError vme && !(c instanceof StackOverflowError)) {
                throw vme;
            }
            // a user check that crashes is a failed check: take the rollback path, never leave the trial half done
            LOG.warn("device {}: the health check of sequence {} threw; rolling back", deviceId, sequence, c);
            return Optional.of("health check failed: " + c);
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while waiting for the health check");
        }
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
        // the same check bundle create and bundle verify run: version constraint, load, golden vectors bit-exact
        return ArtifactCheck.loadAndCheck(a, bytes, rt);
    }

    private static String slotName(String slot, String file) {
        return "slot-" + slot + "/" + file;
    }

    private static String other(String slot) {
        return "a".equals(slot) ? "b" : "a";
    }

    /** A slot that verified: signed manifest, matching artifact, bit-exact golden vectors. */
    private static final class Slot {
        final String name;
        final BundleManifest manifest;
        final IntegerModel model;
        final long sequence;
        final long epoch;
        final String path;
        final long trustVersion;
        /** True or false as recorded; null for a record written before the flag existed. */
        final Boolean confirmed;
        /** The SHA-256 of the stored (signed) manifest.json. */
        final String manifestSha256;

        Slot(String name, BundleManifest manifest, IntegerModel model, String path, long trustVersion,
                Boolean confirmed, String manifestSha256) {
            this.name = name;
            this.manifest = manifest;
            this.model = model;
            this.sequence = manifest.sequence();
            this.epoch = manifest.securityEpoch();
            this.path = path;
            this.trustVersion = trustVersion;
            this.confirmed = confirmed;
            this.manifestSha256 = manifestSha256;
        }
    }

    private void writeSlotMeta(String slot, String path, BundleManifest m, long trustVersion, boolean confirmed)
            throws IOException {
        ObjectNode meta = CanonicalJson.object();
        meta.put("formatVersion", STATE_FORMAT);
        meta.put("path", path);
        meta.put("model", m.name());
        meta.put("sequence", m.sequence());
        meta.put("securityEpoch", m.securityEpoch());
        meta.put("trustVersion", trustVersion);
        meta.put("confirmed", confirmed);
        storage.writeAtomic(slotName(slot, "slot.json"), CanonicalJson.bytes(meta));
    }

    private Optional<Slot> readSlot(String slot) throws IOException {
        return readSlot(slot, null, null, null);
    }

    private Optional<Slot> readSlot(String slot, VerifiedBundle justVerified, IntegerModel verifiedModel)
            throws IOException {
        return readSlot(slot, justVerified, verifiedModel, null);
    }

    /**
     * Reads and verifies a slot. When {@code justVerified} is given and the stored manifest and signatures are
     * byte-identical to it, the signature count is not repeated (those exact bytes were verified moments ago);
     * the artifact digest and target are always checked on what storage returns, and the golden vectors too
     * unless storage returned exactly the artifact bytes {@code verifiedModel} was loaded from and passed them on
     * (the integer runtime is deterministic, so running them again on the same bytes under the lock would only
     * delay {@link #predict}). Otherwise the
     * signatures are counted against the root of the verified chain that accepted the install (recorded in
     * slot.json; for records written before that field, any root of the chain, newest first), with the current
     * root's revocations applied. Unreadable or inconsistent metadata, another model's bundle, or any failed
     * check make the slot invalid (empty); only storage failures throw. With {@code onlyRoot}, the signatures are
     * always counted, by that root alone at its own threshold (as for a new install).
     */
    private Optional<Slot> readSlot(String slot, VerifiedBundle justVerified, IntegerModel verifiedModel,
            TrustRoot onlyRoot) throws IOException {
        Optional<SignedSlot> signed = signedSlot(slot, justVerified, onlyRoot);
        if (signed.isEmpty()) {
            return Optional.empty();
        }
        SignedSlot v = signed.get();
        ArtifactEntry a = v.artifact;
        if (!v.manifest.name().equals(modelName)) {
            return invalidSlot(slot, "it holds model " + v.manifest.name() + ", this device runs " + modelName);
        }
        if (!a.target().equals(target.id()) || !a.hardwareVariant().equals(target.hardwareVariant())) {
            return invalidSlot(slot, "its artifact is for " + a.target() + " (" + a.hardwareVariant() + "), the device is "
                    + target.id() + " (" + target.hardwareVariant() + ")");
        }
        boolean sameBytes = verifiedModel != null && justVerified != null && justVerified.selected().isPresent()
                && justVerified.selected().get().path().equals(a.path())
                && java.util.Arrays.equals(v.bytes, justVerified.bytes(justVerified.selected().get()));
        try {
            IntegerModel model = sameBytes ? verifiedModel : load(a, v.bytes);
            return Optional.of(new Slot(slot, v.manifest, model, a.path(), v.acceptedBy, v.confirmed,
                    v.manifestSha256));
        } catch (BundleVerificationException e) {
            return invalidSlot(slot, e.check(), e.getMessage());
        }
    }

    /** A slot whose manifest is signed by the verified chain and whose artifact matches it (any model). */
    private record SignedSlot(BundleManifest manifest, ArtifactEntry artifact, byte[] bytes, long acceptedBy,
            Boolean confirmed, String manifestSha256) {
    }

    /** Records why a slot is invalid (for {@link #slotProblem}) and returns empty. */
    private <T> Optional<T> invalidSlot(String slot, String why) {
        return invalidSlot(slot, null, why);
    }

    /** Records why a slot is invalid and the check that failed (null when none applies), and returns empty. */
    private <T> Optional<T> invalidSlot(String slot, Check check, String why) {
        slotFailure = "slot " + slot + ": " + why;
        slotFailureCheck = check;
        return Optional.empty();
    }

    /**
     * The signature and digest part of {@link #readSlot}: no model name, target or golden-vector checks. With
     * {@code onlyRoot}, the signatures are counted by that root alone, even when the bytes were just verified.
     */
    private Optional<SignedSlot> signedSlot(String slot, VerifiedBundle justVerified, TrustRoot onlyRoot)
            throws IOException {
        if (slot == null) {
            slotFailure = "no slot";
            return Optional.empty();
        }
        Optional<byte[]> meta = storage.read(slotName(slot, "slot.json"));
        Optional<byte[]> man = storage.read(slotName(slot, "manifest.json"));
        Optional<byte[]> sig = storage.read(slotName(slot, "signatures.json"));
        Optional<byte[]> art = storage.read(slotName(slot, "artifact"));
        if (meta.isEmpty() || man.isEmpty() || sig.isEmpty() || art.isEmpty()) {
            return invalidSlot(slot, "a file is missing (slot.json, manifest.json, signatures.json or artifact)");
        }
        JsonNode mj;
        try {
            mj = CanonicalJson.parse(meta.get());
        } catch (IOException e) {
            LOG.warn("device {}: slot {} metadata is unreadable ({}); the slot is invalid", deviceId, slot,
                    e.getMessage());
            return invalidSlot(slot, "slot.json is unreadable (" + e.getMessage() + ")");
        }
        if (!mj.isObject() || !mj.path("path").isTextual()) {
            return invalidSlot(slot, "slot.json has no 'path'");
        }
        String fv = mj.path("formatVersion").asText("1.0");
        if (!fv.startsWith("1.") && !fv.startsWith("2.")) {
            LOG.warn("device {}: slot {} metadata has formatVersion {} (this SDK reads 1.x and 2.x); the slot is "
                    + "invalid", deviceId, slot, fv);
            return invalidSlot(slot, "slot.json has formatVersion " + fv + " (this SDK reads 1.x and 2.x)");
        }
        String path = mj.get("path").textValue();
        Boolean confirmed = mj.path("confirmed").isBoolean() ? mj.get("confirmed").booleanValue() : null;
        long recordedTrust = mj.path("trustVersion").canConvertToLong() && mj.path("trustVersion").isIntegralNumber()
                ? mj.get("trustVersion").longValue() : -1;
        try {
            BundleManifest m;
            long acceptedBy = recordedTrust;
            if (onlyRoot == null && justVerified != null
                    && java.util.Arrays.equals(man.get(), justVerified.manifestBytes())
                    && java.util.Arrays.equals(sig.get(), justVerified.signaturesBytes())) {
                m = justVerified.manifest();
                ArtifactEntry a = m.artifacts().stream().filter(x -> x.path().equals(path)).findFirst().orElse(null);
                if (a == null || art.get().length != a.size()
                        || !io.edgeloop.api.provenance.Sha256.hex(art.get()).equals(a.sha256())) {
                    return invalidSlot(slot, "the stored artifact does not match its manifest entry");
                }
            } else {
                m = null;
                BundleVerificationException failure = null;
                for (TrustRoot root : onlyRoot != null ? List.of(onlyRoot) : rootsFor(recordedTrust)) {
                    try {
                        m = verifier.verifyInstalledManifest(man.get(), sig.get(), path, art.get(), root);
                        acceptedBy = root.version();
                        break;
                    } catch (BundleVerificationException e) {
                        failure = e;
                    }
                }
                if (m == null) {
                    throw failure != null ? failure
                            : new BundleVerificationException(Check.THRESHOLD, "no verified trust root for slot " + slot);
                }
            }
            ArtifactEntry a = m.artifacts().stream().filter(x -> x.path().equals(path)).findFirst().orElseThrow();
            return Optional.of(new SignedSlot(m, a, art.get(), acceptedBy, confirmed,
                    io.edgeloop.api.provenance.Sha256.hex(man.get())));
        } catch (BundleVerificationException e) {
            return invalidSlot(slot, e.check(), e.getMessage());
        }
    }

    /** The roots to check a slot against: the one that accepted it, or (legacy records) every root newest first. */
    private List<TrustRoot> rootsFor(long recordedTrust) {
        List<TrustRoot> roots = new ArrayList<>();
        for (int i = chain.size() - 1; i >= 0; i--) {
            if (recordedTrust < 0 || chain.get(i).version() == recordedTrust) {
                roots.add(chain.get(i));
            }
        }
        if (roots.isEmpty()) {
            // recorded by a root that is not (or no longer) in the verified chain: only the current root may vouch
            roots.add(verifier.trust());
        }
        return roots;
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
        c.put("formatVersion", COUNTERS_FORMAT);
        ObjectNode models = c.putObject("models");
        for (Map.Entry<String, JsonNode> e : otherCounters.entrySet()) {
            models.set(e.getKey(), e.getValue());
        }
        ObjectNode mine = models.putObject(modelName);
        mine.put("confirmedSequence", confirmedSequence);
        mine.put("confirmedEpoch", confirmedEpoch);
        mine.put("highestAttempted", highestAttempted);
        if (confirmedManifest != null && confirmedManifest.sequence() == confirmedSequence) {
            ObjectNode id = mine.putObject("confirmedManifest");
            id.put("securityEpoch", confirmedManifest.securityEpoch());
            id.put("sequence", confirmedManifest.sequence());
            id.put("sha256", confirmedManifest.sha256());
        }
        if (repairAttempt != null && repairAttempt.sequence() == confirmedSequence) {
            ObjectNode r = mine.putObject("repairAttempted");
            r.put("sequence", repairAttempt.sequence());
            // a damaged record is written back as the attempt of any manifest at that sequence, a form that reads
            // back as valid (so its WARN is logged once, when the damage is found)
            r.put("sha256", repairAttempt.sha256() == null ? ANY_MANIFEST : repairAttempt.sha256());
        }
        byte[] bytes = CanonicalJson.bytes(c);
        storage.writeAtomic(COUNTERS, bytes);
        writeCopy(bytes);
    }

    /**
     * Writes counters.json's copy. A failure is logged, not thrown: counters.json itself is written, and the copy
     * is brought up to date at the next change or start (a copy behind counters.json is only ever used when
     * counters.json is unreadable, and the counters are then still raised to what the slots prove).
     */
    private void writeCopy(byte[] bytes) {
        try {
            storage.writeAtomic(COUNTERS_COPY, bytes);
        } catch (IOException e) {
            LOG.warn("device {}: cannot write {} ({}); {} is written, and the copy is brought up to date at the next "
                    + "change or start", deviceId, COUNTERS_COPY, e.getMessage(), COUNTERS);
        }
    }

    private void commit(Slot s) throws IOException {
        boolean raise = s.sequence > confirmedSequence || s.epoch > confirmedEpoch;
        if (raise) {
            confirmedSequence = Math.max(confirmedSequence, s.sequence);
            confirmedEpoch = Math.max(confirmedEpoch, s.epoch);
            highestAttempted = Math.max(highestAttempted, s.sequence);
        }
        // a repair that ran as the confirmed model ends its record: the record stops a crash or a failed health
        // check from being retried, and a later loss of the slot may repair again (the same manifest, once)
        boolean repaired = repairAttempt != null && repairAttempt.sequence() == s.sequence
                && s.sequence == confirmedSequence
                && (repairAttempt.sha256() == null || repairAttempt.sha256().equals(s.manifestSha256));
        if (repaired) {
            repairAttempt = null;
        }
        if (learnIdentity(s) || raise || repaired) {
            writeCounters();
        }
    }

    /**
     * Takes a confirmed slot's manifest digest and epoch as the confirmed install's identity when the slot holds
     * the confirmed sequence and no identity of that sequence is stored (at the commit of an install, and at start
     * for a commit a restart interrupted or counters written before the identity was stored). The slot verified
     * under the chain and ran as the confirmed model, so it is the bundle the device confirmed. An identity stored
     * for that sequence is kept.
     *
     * @return whether the identity changed (counters.json is to be written)
     */
    private boolean learnIdentity(Slot s) {
        if (s.sequence != confirmedSequence
                || confirmedManifest != null && confirmedManifest.sequence() == confirmedSequence) {
            return false;
        }
        confirmedManifest = new ConfirmedManifest(s.sequence, s.manifestSha256, s.epoch);
        return true;
    }

    /**
     * Replaces the device's trust root with a newer one, after checking that it is signed by the current root's
     * threshold and its own ({@link TrustRoot#acceptRotation}); the new root is appended to the persisted chain
     * and used from now on, also after restarts. Installed models stay valid: each is re-verified against the
     * root that accepted it, unless a newer root revokes its signers explicitly ({@code revokedKeys}) so that
     * fewer than that root's threshold remain <em>and</em> the new root does not accept the model at its own
     * threshold either. When the running model no longer verifies, it keeps running until the next restart and
     * {@link AgentStatus#slotProblem} says why. Clears {@link AgentStatus#trustDegraded}: the stored chain is
     * rewritten from the verified one. A publication remembered as refused for a reason the root decided (a signer
     * it did not list or revoked, too few signers, the root expired) is forgotten, so the next poll fetches it again.
     *
     * @param next the proposed trust root
     * @throws io.edgeloop.ota.trust.TrustException when the rotation is not properly signed, older, or expired
     * @throws IOException                          when storage fails
     */
    public void rotateTrust(TrustRoot next) throws IOException {
        synchronized (lock) {
            TrustRoot accepted = verifier.trust().acceptRotation(next, clock.instant());
            List<TrustRoot> extended = new ArrayList<>(chain);
            extended.add(accepted);
            writeChain(extended);
            chain.add(accepted);
            verifier = new BundleVerifier(accepted, limits, clock);
            trustDegraded = null; // the stored chain is whole again: exactly the roots verified in memory
            if (refused != null && TRUST_REFUSALS.contains(refused.check())) {
                // refused under the old root (a signer it did not list or revoked, too few signers, the root
                // expired): the new root may accept the same publication, so the next poll fetches it again
                forgetRefused();
            }
            if (active != null && activeModel != null && readSlot(active).isEmpty()) {
                slotProblem = slotFailure + " under trust version " + accepted.version() + "; the model keeps "
                        + "running until the next restart, which falls back to the other slot only if that one "
                        + "verifies";
                LOG.warn("device {}: {}", deviceId, slotProblem);
            }
        }
    }

    /** @return the trust root in use */
    public TrustRoot trust() {
        synchronized (lock) {
            return verifier.trust();
        }
    }

    /** @return the verified trust chain: the provisioned root first, the root in use last */
    public List<TrustRoot> trustChain() {
        synchronized (lock) {
            return List.copyOf(chain);
        }
    }

    private void writeChain(List<TrustRoot> roots) throws IOException {
        ObjectNode o = CanonicalJson.object();
        o.put("type", CHAIN_TYPE);
        o.put("formatVersion", "1.0");
        ArrayNode arr = o.putArray("roots");
        for (TrustRoot r : roots.subList(1, roots.size())) {
            arr.add(CanonicalJson.parse(r.toBytes()));
        }
        storage.writeAtomic(TRUST_CHAIN, CanonicalJson.bytes(o));
    }

    /**
     * The stored rotations, oldest first: the roots of the chain file, or a legacy single trust.json. Each is kept
     * as stored (a tree or raw bytes) and only turned into a root by {@link #loadChain}, so one damaged entry is
     * one failed link.
     */
    private List<StoredRoot> storedRotations() throws IOException {
        List<StoredRoot> out = new ArrayList<>();
        Optional<byte[]> c = storage.read(TRUST_CHAIN);
        Optional<String> there = c.isPresent() ? Optional.empty() : storage.obstruction(TRUST_CHAIN);
        if (there.isPresent()) {
            // damaged, not absent: as for an unreadable file, say so rather than run on an older root silently
            trustDegraded = TRUST_CHAIN + " is unreadable (it is " + there.get() + ", not a file); running on the "
                    + "provisioned trust version " + chain.get(0).version();
            LOG.warn("device {}: {}", deviceId, trustDegraded);
            return out;
        }
        if (c.isPresent()) {
            try {
                JsonNode n = CanonicalJson.parse(c.get());
                String fv = n.path("formatVersion").asText("");
                if (!CHAIN_TYPE.equals(n.path("type").asText("")) || !fv.startsWith("1.")) {
                    trustDegraded = TRUST_CHAIN + " is not a 1.x trust chain (type '" + n.path("type").asText("")
                            + "', formatVersion '" + fv + "'); running on the provisioned trust version "
                            + chain.get(0).version();
                    LOG.warn("device {}: {}", deviceId, trustDegraded);
                    return out;
                }
                for (JsonNode r : n.path("roots")) {
                    out.add(new StoredRoot(r, null));
                }
            } catch (IOException e) {
                trustDegraded = TRUST_CHAIN + " is unreadable (" + e.getMessage()
                        + "); running on the provisioned trust version " + chain.get(0).version();
                LOG.warn("device {}: {}", deviceId, trustDegraded);
            }
            return out;
        }
        storage.read(LEGACY_TRUST).ifPresent(b -> out.add(new StoredRoot(null, b)));
        return out;
    }

    /** A stored trust root: a tree from trust-chain.json or the bytes of a legacy trust.json. */
    private record StoredRoot(JsonNode tree, byte[] legacyBytes) {
        TrustRoot parse() throws TrustException {
            return TrustRoot.parse(legacyBytes != null ? legacyBytes : CanonicalJson.bytes(tree));
        }
    }

    /**
     * Rebuilds the verified chain from the provisioned root: each stored root must be accepted by the one before
     * it (its threshold and its own), as TUF clients walk root versions. The first link that does not verify
     * (bad signatures, or a damaged entry of any kind: a root holding a non-integer number cannot even be
     * canonicalised) is logged and ignored with everything after it; the device then uses the last root that
     * verified.
     */
    private void loadChain() throws IOException {
        for (StoredRoot stored : storedRotations()) {
            TrustRoot current = chain.get(chain.size() - 1);
            try {
                TrustRoot next = stored.parse();
                if (next.version() <= current.version()) {
                    continue; // provisioned with a newer root than this stored one
                }
                // an intermediate root only had to be valid when it was installed; expiry applies to the last one
                chain.add(current.acceptRotation(next, next.createdAt()));
            } catch (TrustException | RuntimeException e) {
                if (stored.legacyBytes() != null) {
                    // SDKs before the chain file kept only the latest root: after two rotations the roots between
                    // are gone and the provisioned root cannot vouch for the stored one
                    trustDegraded = LEGACY_TRUST + " (written by an SDK before " + TRUST_CHAIN + ") is not accepted "
                            + "by the provisioned trust version " + current.version() + " (" + e.getMessage() + "); "
                            + "if the device rotated trust more than once under that SDK the roots between were not "
                            + "kept. Running on trust version " + current.version() + ": re-provision the device "
                            + "with the current trust root";
                    LOG.error("device {}: {}", deviceId, trustDegraded);
                } else {
                    trustDegraded = "a stored trust root after version " + current.version() + " does not verify "
                            + "and is ignored, with any later ones (" + e.getMessage() + "); running on trust version "
                            + current.version();
                    LOG.warn("device {}: {}", deviceId, trustDegraded);
                }
                break;
            }
        }
        verifier = new BundleVerifier(chain.get(chain.size() - 1), limits, clock);
    }

    /** Start-up recovery: the trust chain, the counters, the boot record, and a verified active slot. */
    private void recover() throws IOException {
        loadChain();
        readRefused();
        boolean countersValid = readCounters();
        Optional<byte[]> b = storage.read(BOOT);
        BootRecord boot = null;
        if (b.isPresent()) {
            try {
                boot = BootRecord.parse(b.get());
            } catch (IOException e) {
                LOG.warn("device {}: {} is unreadable ({}); probing both slots", deviceId, BOOT, e.getMessage());
                boot = null;
            }
        }
        Optional<String> bootObstructed = b.isPresent() ? Optional.empty() : storage.obstruction(BOOT);
        if (bootObstructed.isPresent()) {
            // as unreadable, not as a new device: the record is rewritten (storage moves the entry aside)
            LOG.warn("device {}: {} is unreadable (it is {}, not a file); probing both slots", deviceId, BOOT,
                    bootObstructed.get());
            probeSlots(countersValid);
        } else if (b.isEmpty() && (storage.read(slotName("a", "slot.json")).isPresent()
                || storage.read(slotName("b", "slot.json")).isPresent())) {
            LOG.warn("device {}: {} is missing (or not a regular file) but a slot record exists; probing both slots",
                    deviceId, BOOT);
            probeSlots(countersValid);
        } else if (b.isPresent() && boot == null) {
            probeSlots(countersValid);
        } else if (boot != null) {
            active = boot.active();
            previous = boot.previous();
            if (boot.trial()) {
                // crashed between switch and confirm: revert, as a trial boot that was never confirmed
                writeBoot(previous, null, false);
                active = previous;
                previous = null;
                last = new InstallReport(InstallOutcome.ROLLED_BACK, Optional.of(Check.HEALTH),
                        "health: restarted before the new model was confirmed; rolled back", -1);
            }
        }
        boolean written = raiseCountersToSlots(!countersValid || countersFromCopy);
        countersFromCopy = false;
        if ((repairRecordDamaged || manifestIdentityDamaged) && !written) {
            // written back in a form that reads back as valid (the attempt as the same attempt; a damaged identity
            // dropped, or replaced by the one the confirmed slot proves): the WARN is not repeated at every start
            writeCounters();
        }
        repairRecordDamaged = false;
        manifestIdentityDamaged = false;
        activateFromStorage();
        String attempt = unconfirmedAttempt();
        String below = belowConfirmed(attempt == null);
        String note = below == null ? attempt : attempt == null ? below : below + "; " + attempt;
        if (note != null) {
            if (last != null) {
                last = new InstallReport(last.outcome(), last.check(), last.message() + "; " + note,
                        last.sequence());
            } else {
                startNote = "no install since the restart; " + note;
            }
        }
    }

    /**
     * A boot record as written by {@link #writeBoot}: {@code active} and {@code previous} are {@code "a"},
     * {@code "b"} or absent (null), {@code trial} is always present. Parsing is strict: a record of any other
     * shape (an unknown or missing key, a value of the wrong type, a slot name other than a or b, one slot both
     * active and previous) is unreadable, so start-up probes the slots instead of reading a damaged field as a
     * default (a flipped bit in the {@code trial} key once read as "not on trial" and confirmed a candidate that
     * never passed its health check).
     */
    private record BootRecord(String active, String previous, boolean trial) {
        static BootRecord parse(byte[] bytes) throws IOException {
            JsonNode n = CanonicalJson.parse(bytes);
            if (!n.isObject()) {
                throw new IOException("not a JSON object");
            }
            for (java.util.Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!k.equals("active") && !k.equals("previous") && !k.equals("trial")) {
                    throw new IOException("unknown field " + quoted(k));
                }
            }
            if (!n.path("trial").isBoolean()) {
                throw new IOException("\"trial\" is " + (n.has("trial") ? "not true or false" : "missing"));
            }
            String active = slot(n, "active");
            String previous = slot(n, "previous");
            if (active != null && active.equals(previous)) {
                throw new IOException("slot " + active + " is both active and previous");
            }
            return new BootRecord(active, previous, n.get("trial").booleanValue());
        }

        private static String slot(JsonNode n, String field) throws IOException {
            if (!n.has(field)) {
                return null;
            }
            JsonNode v = n.get(field);
            if (!v.isTextual() || !(v.textValue().equals("a") || v.textValue().equals("b"))) {
                throw new IOException("\"" + field + "\" is not \"a\" or \"b\"");
            }
            return v.textValue();
        }

        private static String quoted(String k) {
            StringBuilder q = new StringBuilder("\"");
            k.codePoints().limit(40).forEach(c -> q.append(c < 0x20 || c == 0x7f ? '?' : Character.toString(c)));
            return q.append(k.codePointCount(0, k.length()) > 40 ? "...\"" : "\"").toString();
        }
    }

    /**
     * Reads this model's counters from counters.json, keeping every other model's entry for rewriting; when that
     * is unreadable or missing while its copy exists, from counters.copy.json (both are then rewritten at start,
     * keeping other models' entries still readable in the damaged file, never lowered). Returns false when neither can be trusted as stored (see {@link #parseCounters}): the caller then
     * rebuilds them from the slots, never lower. A missing file without a copy and a 2.x file without an entry
     * for this model are valid (a new device, a new model); the slots are consulted at every start anyway. A
     * readable counters.json whose copy is missing or differs has its copy rewritten.
     *
     * @throws IOException when a file is of a newer major version (lowering its counters is not an option)
     */
    private boolean readCounters() throws IOException {
        Optional<byte[]> c = storage.read(COUNTERS);
        Optional<byte[]> copy = storage.read(COUNTERS_COPY);
        Optional<String> there = c.isEmpty() ? storage.obstruction(COUNTERS) : Optional.empty();
        Optional<String> copyThere = copy.isEmpty() ? storage.obstruction(COUNTERS_COPY) : Optional.empty();
        if (c.isEmpty() && there.isEmpty() && copy.isEmpty() && copyThere.isEmpty()) {
            return true;
        }
        String problem = c.isPresent() ? parseCounters(COUNTERS, c.get())
                : there.map(t -> "it is " + t + ", not a file").orElse("it is missing");
        if (copy.isEmpty() || c.isPresent() && Arrays.equals(copy.get(), c.get())) {
            if (problem != null) {
                return unreadableCounters(problem + (copy.isPresent() ? "; its copy " + COUNTERS_COPY + " is the "
                        + "same" : copyThere.map(t -> "; its copy " + COUNTERS_COPY + " is " + t + ", not a file")
                        .orElse("")));
            }
            if (copy.isEmpty()) {
                writeCopy(c.get()); // a copy that is a directory or link is moved aside by the write (logged)
            }
            return true;
        }
        CounterState fromFile = counterState();
        resetCounters();
        String copyProblem;
        try {
            copyProblem = parseCounters(COUNTERS_COPY, copy.get());
        } catch (IOException newerMajor) {
            if (problem != null) {
                throw newerMajor; // nothing readable says the counters may be lowered to what this SDK can read
            }
            // beside a readable counters.json no SDK wrote it: one flipped bit ('2' to '3') must not stop the start
            copyProblem = newerMajor.getMessage();
        }
        if (copyProblem != null) {
            Map<String, JsonNode> fromCopy = new TreeMap<>(otherCounters);
            restore(fromFile);
            // other models' entries still readable in the damaged copy are kept too, never lowered
            boolean raised = mergeOthers(fromCopy, false);
            if (problem != null) {
                return unreadableCounters(problem + "; its copy " + COUNTERS_COPY + " too: " + copyProblem);
            }
            LOG.warn("device {}: {} is unreadable ({}); rewritten from {}", deviceId, COUNTERS_COPY, copyProblem,
                    COUNTERS);
            if (raised) {
                countersFromCopy = true; // both rewritten at start, with the other models' higher entries
            } else {
                writeCopy(c.get());
            }
            return true;
        }
        if (problem != null) {
            LOG.warn("device {}: {} is unreadable ({}); the counters of {} are read from its copy {}, and both are "
                    + "rewritten at start", deviceId, COUNTERS, problem, modelName, COUNTERS_COPY);
            // other models' entries still readable in the damaged file are kept too, never lowered
            mergeOthers(fromFile.others(), true);
        } else {
            // both readable but different: the copy's write failed after counters.json's, or a power cut fell
            // between the two writes (the copy is then behind: INFO), or one of them was damaged or replaced by
            // another valid file (an older counters.json put back is a rollback of the device's state: WARN)
            mergeHigher(fromFile);
            if (counterState().equals(fromFile)) {
                LOG.info("device {}: {} was behind {} (its write failed or was cut off); brought up to date at start",
                        deviceId, COUNTERS_COPY, COUNTERS);
            } else {
                LOG.warn("device {}: {} differs from {} and holds higher counters; each counter takes the higher "
                        + "of the two, and both are rewritten at start", deviceId, COUNTERS_COPY, COUNTERS);
            }
        }
        countersFromCopy = true;
        return true;
    }

    /**
     * Merges other models' entries read from the second counters file into {@link #otherCounters} (read from the
     * first), never lowering a counter (see {@link #higherCounters}).
     *
     * @param entries        the second file's other-model entries
     * @param entriesAreFile whether {@code entries} are counters.json's (otherwise the copy's)
     * @return whether anything in {@link #otherCounters} changed
     */
    private boolean mergeOthers(Map<String, JsonNode> entries, boolean entriesAreFile) {
        boolean changed = false;
        for (Map.Entry<String, JsonNode> e : entries.entrySet()) {
            JsonNode before = otherCounters.get(e.getKey());
            JsonNode after = before == null ? e.getValue() : entriesAreFile
                    ? higherCounters(before, e.getValue()) : higherCounters(e.getValue(), before);
            otherCounters.put(e.getKey(), after);
            changed |= !after.equals(before);
        }
        return changed;
    }

    /** What a parse of a counters file set: this model's counters and records, and the other models' entries. */
    private record CounterState(long confirmedSequence, long confirmedEpoch, long highestAttempted,
            ConfirmedManifest manifest, RepairAttempt repair, boolean repairDamaged, boolean manifestDamaged,
            Map<String, JsonNode> others) {
    }

    private CounterState counterState() {
        return new CounterState(confirmedSequence, confirmedEpoch, highestAttempted, confirmedManifest,
                repairAttempt, repairRecordDamaged, manifestIdentityDamaged, new TreeMap<>(otherCounters));
    }

    private void restore(CounterState st) {
        confirmedSequence = st.confirmedSequence();
        confirmedEpoch = st.confirmedEpoch();
        highestAttempted = st.highestAttempted();
        confirmedManifest = st.manifest();
        repairAttempt = st.repair();
        repairRecordDamaged = st.repairDamaged();
        manifestIdentityDamaged = st.manifestDamaged();
        otherCounters.clear();
        otherCounters.putAll(st.others());
    }

    /**
     * Raises the counters parsed last (the copy's) to those of {@code other} (counters.json's) where those are
     * higher, field by field; the confirmed manifest and repair record are those that belong to the resulting
     * confirmed sequence (counters.json's first); other models' entries are merged the same way.
     */
    private void mergeHigher(CounterState other) {
        CounterState mine = counterState();
        confirmedSequence = Math.max(mine.confirmedSequence(), other.confirmedSequence());
        confirmedEpoch = Math.max(mine.confirmedEpoch(), other.confirmedEpoch());
        highestAttempted = Math.max(mine.highestAttempted(), other.highestAttempted());
        confirmedManifest = at(other.manifest(), mine.manifest());
        RepairAttempt r = other.repair() != null && other.repair().sequence() == confirmedSequence ? other.repair()
                : mine.repair() != null && mine.repair().sequence() == confirmedSequence ? mine.repair() : null;
        repairAttempt = r;
        repairRecordDamaged = r != null && (r == other.repair() ? other.repairDamaged() : mine.repairDamaged());
        manifestIdentityDamaged = confirmedManifest == null && (other.manifestDamaged() || mine.manifestDamaged());
        mergeOthers(other.others(), true);
    }

    /** The first identity of the confirmed sequence among {@code a} and {@code b}, or null. */
    private ConfirmedManifest at(ConfirmedManifest a, ConfirmedManifest b) {
        if (a != null && a.sequence() == confirmedSequence) {
            return a;
        }
        return b != null && b.sequence() == confirmedSequence ? b : null;
    }

    /**
     * Two entries of one model, the copy's and counters.json's: the one with the higher {@code confirmedSequence}
     * (counters.json's on a tie), whose records ({@code confirmedManifest}, {@code repairAttempted}) belong to that
     * sequence, with each integer field the other holds higher raised to it.
     */
    private static JsonNode higherCounters(JsonNode fromCopy, JsonNode fromFile) {
        if (!fromCopy.isObject() || !fromFile.isObject()) {
            return fromFile.isObject() ? fromFile : fromCopy;
        }
        boolean copyAhead = fromCopy.path("confirmedSequence").isIntegralNumber()
                && (!fromFile.path("confirmedSequence").isIntegralNumber() || fromCopy.get("confirmedSequence")
                .bigIntegerValue().compareTo(fromFile.get("confirmedSequence").bigIntegerValue()) > 0);
        JsonNode base = copyAhead ? fromCopy : fromFile;
        JsonNode other = copyAhead ? fromFile : fromCopy;
        ObjectNode merged = ((ObjectNode) base).deepCopy();
        for (Map.Entry<String, JsonNode> f : other.properties()) {
            JsonNode mine = merged.get(f.getKey());
            if (f.getValue().isIntegralNumber() && (mine == null
                    || mine.isIntegralNumber() && mine.bigIntegerValue().compareTo(f.getValue().bigIntegerValue()) < 0)) {
                merged.set(f.getKey(), f.getValue());
            }
        }
        return merged;
    }

    /** Forgets what a parse of an unreadable counters file left behind, before the next one is parsed. */
    private void resetCounters() {
        otherCounters.clear();
        confirmedSequence = -1;
        confirmedEpoch = 0;
        highestAttempted = -1;
        confirmedManifest = null;
        repairAttempt = null;
        repairRecordDamaged = false;
        manifestIdentityDamaged = false;
    }

    /**
     * Parses a counters file ({@code name}, for the error) into this model's counters and the other models' entries. Returns why this model's
     * counters cannot be trusted as stored, or null when they can: the file does not parse; a 2.x file without a
     * {@code models} object, with a damaged {@code formatVersion}, or with this model's entry missing a field or
     * holding a non-integer; an unversioned file that is not exactly the 1.x layout.
     *
     * @throws IOException when the file is of a newer major version (lowering its counters is not an option)
     */
    private String parseCounters(String name, byte[] bytes) throws IOException {
        JsonNode n;
        try {
            n = CanonicalJson.parse(bytes);
            if (!n.isObject()) {
                throw new IOException("not a JSON object");
            }
        } catch (IOException e) {
            return e.getMessage();
        }
        if (n.path("models").isObject()) {
            for (Map.Entry<String, JsonNode> e : n.get("models").properties()) {
                if (!e.getKey().equals(modelName)) {
                    otherCounters.put(e.getKey(), rewritable(e.getValue()));
                }
            }
        }
        if (!n.has("formatVersion")) {
            if (n.has("models")) {
                return "no formatVersion but a 'models' member: a 2.x file with a damaged "
                        + "formatVersion key";
            }
            // 1.x: one unversioned set, for the model the device was running
            Optional<long[]> legacy = counterValues(n);
            if (legacy.isEmpty()) {
                return "neither the 2.x layout nor the complete 1.x layout";
            }
            String owner = legacyCountersOwner();
            if (owner.equals(modelName)) {
                apply(legacy.get());
            } else {
                LOG.info("device {}: 1.x counters belong to {} (the model in the active slot), not {}; {} starts "
                        + "from its own counters", deviceId, owner, modelName, modelName);
                otherCounters.put(owner, rewritable(n));
            }
            return null;
        }
        String fv = n.get("formatVersion").isTextual() ? n.get("formatVersion").textValue() : "";
        java.util.regex.Matcher version = java.util.regex.Pattern.compile("(\\d{1,9})\\.\\d{1,9}").matcher(fv);
        if (!version.matches()) {
            return "formatVersion " + n.get("formatVersion") + " is not a version";
        }
        int major = Integer.parseInt(version.group(1));
        if (major > 2) {
            throw new IOException(name + " has formatVersion '" + fv + "'; this SDK reads 2.x and the "
                    + "unversioned 1.x layout. Upgrade the SDK rather than lower the anti-rollback counters");
        }
        if (major < 2) {
            return "formatVersion " + fv + " was never written (1.x files are unversioned)";
        }
        if (!n.path("models").isObject()) {
            return "a 2.x file without a 'models' object";
        }
        JsonNode mine = n.get("models").get(modelName);
        if (mine == null) {
            return null;
        }
        Optional<long[]> values = counterValues(mine);
        if (values.isEmpty()) {
            return "the counters of " + modelName + " are not three integers";
        }
        apply(values.get());
        readRepairFields(name, mine);
        return null;
    }

    /**
     * Reads the optional 2.1 fields of this model's entry: {@code confirmedManifest} (absent in 2.0 files: no
     * repair; a damaged one is ignored, logged, with the same effect) and {@code repairAttempted} (a damaged one
     * still counts as the attempt of the confirmed sequence, logged once: it is written back with the sha256
     * {@code "any"}, which reads back as that attempt).
     */
    private void readRepairFields(String name, JsonNode mine) {
        JsonNode id = mine.get("confirmedManifest");
        if (id != null) {
            if (id.path("sequence").isIntegralNumber() && id.path("sequence").canConvertToLong()
                    && id.path("securityEpoch").isIntegralNumber() && id.path("securityEpoch").canConvertToLong()
                    && id.path("sha256").isTextual() && id.get("sha256").textValue().matches("[0-9a-f]{64}")) {
                confirmedManifest = new ConfirmedManifest(id.get("sequence").longValue(), id.get("sha256").textValue(),
                        id.get("securityEpoch").longValue());
            } else {
                // dropped when counters.json is written back at the end of start-up (or replaced by the identity
                // of an intact confirmed slot), so the WARN is logged once, when the damage is found
                manifestIdentityDamaged = true;
                LOG.warn("device {}: the confirmedManifest of {} in {} is damaged ({}); not used: without the "
                        + "identity (from the other counters file or the intact confirmed slot) the device does not "
                        + "reinstall its confirmed sequence should its slot be lost", deviceId, modelName, name, id);
            }
        }
        JsonNode r = mine.get("repairAttempted");
        if (r != null) {
            boolean seqOk = r.path("sequence").isIntegralNumber() && r.path("sequence").canConvertToLong();
            boolean anySha = r.path("sha256").isTextual() && r.get("sha256").textValue().equals(ANY_MANIFEST);
            boolean shaOk = r.path("sha256").isTextual() && r.get("sha256").textValue().matches("[0-9a-f]{64}");
            if (!seqOk || !shaOk && !anySha) {
                repairRecordDamaged = true;
                LOG.warn("device {}: the repairAttempted of {} in {} is damaged ({}); it counts as the attempt of "
                        + "sequence {}", deviceId, modelName, name, r,
                        seqOk ? r.get("sequence") : confirmedSequence);
            }
            repairAttempt = new RepairAttempt(seqOk ? r.get("sequence").longValue() : confirmedSequence,
                    shaOk ? r.get("sha256").textValue() : null);
        }
    }

    private boolean unreadableCounters(String why) {
        LOG.warn("device {}: {} is unreadable ({}); rebuilding the counters of {} from the slots", deviceId,
                COUNTERS, why, modelName);
        return false;
    }

    /** confirmedSequence, confirmedEpoch, highestAttempted when all three are integers in range; else empty. */
    private static Optional<long[]> counterValues(JsonNode n) {
        String[] fields = {"confirmedSequence", "confirmedEpoch", "highestAttempted"};
        long[] min = {-1, 0, -1};
        long[] out = new long[3];
        for (int i = 0; i < 3; i++) {
            JsonNode v = n.path(fields[i]);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min[i]) {
                return Optional.empty();
            }
            out[i] = v.longValue();
        }
        return Optional.of(out);
    }

    private void apply(long[] values) {
        confirmedSequence = values[0];
        confirmedEpoch = values[1];
        highestAttempted = values[2];
    }

    /**
     * Another model's entry as it can be written back: verbatim, or (a damaged entry holding non-integer numbers,
     * which canonical JSON cannot hold) with its numbers rounded up, never down, and anything else dropped.
     */
    private static JsonNode rewritable(JsonNode entry) {
        try {
            CanonicalJson.bytes(entry);
            return entry;
        } catch (IllegalArgumentException e) {
            ObjectNode o = CanonicalJson.object();
            for (Map.Entry<String, JsonNode> f : entry.properties()) {
                JsonNode v = f.getValue();
                if (v.isIntegralNumber()) {
                    o.set(f.getKey(), v);
                } else if (v.isNumber() && Double.isFinite(v.doubleValue())) {
                    o.put(f.getKey(), (long) Math.ceil(v.doubleValue()));
                }
            }
            return o;
        }
    }

    /**
     * The model 1.x counters belong to: the one named in the verified manifest of the slot the device was
     * running (boot.json's active slot, or its previous one during a trial). 1.x had no model binding, so the
     * device may have been given a new model name together with this SDK. When that slot cannot be read or
     * verified, the configured model (never lowering its counters is the safe side).
     */
    private String legacyCountersOwner() throws IOException {
        String running = null;
        Optional<byte[]> b = storage.read(BOOT);
        if (b.isPresent()) {
            try {
                BootRecord boot = BootRecord.parse(b.get());
                running = boot.trial() ? boot.previous() : boot.active();
            } catch (IOException e) {
                running = null;
            }
        }
        Optional<SignedSlot> s = signedSlot(running, null, null);
        if (s.isEmpty()) {
            LOG.warn("device {}: migrating 1.x counters without a verified running slot to tell whose they are; "
                    + "giving them to the configured model {}", deviceId, modelName);
            return modelName;
        }
        return s.get().manifest().name();
    }

    /**
     * At every start: never keep counters below what the slots prove (the stored ones may be damaged, missing
     * or of another shape). A confirmed slot proves its sequence and epoch were committed; any verifying slot
     * proves its sequence was attempted. The file is written when this raised anything or when
     * {@code rewrite} says it must be (it was unreadable); returns whether it was written.
     */
    private boolean raiseCountersToSlots(boolean rewrite) throws IOException {
        long seq = confirmedSequence;
        long epoch = confirmedEpoch;
        long attempted = highestAttempted;
        List<Slot> verifying = new ArrayList<>();
        for (String slot : List.of("a", "b")) {
            Optional<Slot> s = readSlot(slot);
            if (s.isEmpty()) {
                continue;
            }
            verifying.add(s.get());
            highestAttempted = Math.max(highestAttempted, s.get().sequence);
            if (isConfirmed(s.get())) {
                confirmedSequence = Math.max(confirmedSequence, s.get().sequence);
                confirmedEpoch = Math.max(confirmedEpoch, s.get().epoch);
            }
        }
        boolean identity = false;
        for (Slot s : verifying) {
            if (isConfirmed(s)) {
                identity |= learnIdentity(s);
            } else if (s.sequence == confirmedSequence && (repairAttempt == null
                    || repairAttempt.sequence() != confirmedSequence)) {
                // an unconfirmed slot at the confirmed sequence is a reinstall that was attempted (the counters'
                // record of it was lost with a damaged counters.json): it counts, as any verifying slot does
                repairAttempt = new RepairAttempt(s.sequence, s.manifestSha256);
                identity = true;
            }
        }
        boolean raised = seq != confirmedSequence || epoch != confirmedEpoch || attempted != highestAttempted;
        if (raised && !rewrite && attempted == highestAttempted && interruptedCommit()) {
            // the documented normal path after a power loss between the confirm and the counters' commit: the
            // attempt was recorded before the slot was written, only the commit of the confirmed active slot is due
            LOG.info("device {}: committing the confirmed install of {} (sequence {}, epoch {}) that a restart "
                    + "interrupted", deviceId, modelName, confirmedSequence, confirmedEpoch);
        } else if (raised) {
            LOG.warn("device {}: the counters of {} were below what the slots prove; raised to confirmed sequence "
                    + "{}, epoch {}, attempted {}", deviceId, modelName, confirmedSequence, confirmedEpoch,
                    highestAttempted);
        }
        if (raised || rewrite || identity) {
            writeCounters();
            return true;
        }
        return false;
    }

    /**
     * True when the raised confirmed counters are exactly those of the boot record's active slot (confirmed, not
     * on trial): what a power loss after the confirm and before the commit leaves.
     */
    private boolean interruptedCommit() throws IOException {
        Optional<Slot> s = readSlot(active);
        return s.isPresent() && isConfirmed(s.get()) && s.get().sequence == confirmedSequence
                && s.get().epoch == confirmedEpoch;
    }

    /**
     * True when the slot ran as the confirmed model once: its record says so, or it is the boot record's
     * confirmed active slot (a crash between the boot record's confirm and the slot record's), or, for records
     * written before the flag existed, it is the boot record's previous slot.
     */
    private boolean isConfirmed(Slot s) {
        if (Boolean.TRUE.equals(s.confirmed)) {
            return true;
        }
        if (s.name.equals(active)) {
            return true; // only called with a non-trial boot record
        }
        return s.confirmed == null && s.name.equals(previous);
    }

    /** The boot record is unreadable: boot the confirmed slot with the highest sequence, or none. */
    private void probeSlots(boolean countersValid) throws IOException {
        active = null;
        previous = null;
        Slot best = null;
        for (String slot : List.of("a", "b")) {
            Optional<Slot> s = readSlot(slot);
            boolean confirmed = s.isPresent() && (Boolean.TRUE.equals(s.get().confirmed)
                    || (s.get().confirmed == null && countersValid && s.get().sequence <= confirmedSequence));
            if (confirmed && (best == null || s.get().sequence > best.sequence)) {
                best = s.get();
            }
        }
        if (best != null) {
            active = best.name;
        }
        writeBoot(active, null, false);
    }

    private void activateFromStorage() throws IOException {
        Optional<byte[]> b = storage.read(BOOT);
        if (b.isPresent()) {
            try {
                BootRecord n = BootRecord.parse(b.get());
                active = n.active();
                previous = n.previous();
            } catch (IOException e) {
                LOG.warn("device {}: {} became unreadable ({}); keeping the slots in memory", deviceId, BOOT,
                        e.getMessage());
            }
        }
        Optional<Slot> s = readSlot(active);
        String why = s.isEmpty() ? slotFailure : "slot " + active + ": its security epoch " + s.get().epoch
                + " is below the committed " + confirmedEpoch;
        slotProblem = null;
        if (s.isPresent() && !Boolean.TRUE.equals(s.get().confirmed)) {
            // the boot record confirmed it but the crash came before the slot record said so
            writeSlotMeta(active, s.get().path, s.get().manifest, s.get().trustVersion, true);
        }
        if (active != null && (s.isEmpty() || s.get().epoch < confirmedEpoch)) {
            // the active slot no longer verifies (storage corruption): fall back to the other slot only if it
            // verifies and ran as the confirmed model once; never to a staged or health-failed candidate
            String other = other(active);
            Optional<Slot> o = readSlot(other);
            if (o.isPresent() && isConfirmed(o.get()) && o.get().epoch >= confirmedEpoch) {
                slotProblem = why + "; running the previous slot " + other + " instead";
                writeBoot(other, null, false);
                active = other;
                previous = null;
                s = o;
            } else {
                slotProblem = why + "; no other slot verifies and ran as the confirmed model, so no model runs";
                s = Optional.empty();
            }
            LOG.warn("device {}: {}", deviceId, slotProblem);
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
        private String model;
        private TargetProfile target;
        private TrustRoot trust;
        private DeviceStorage storage;
        private BundleLimits limits = BundleLimits.DEFAULT;
        private Clock clock = Clock.systemUTC();
        private Function<String, ModelRuntime> runtimes = name -> ProviderLoader.of(ModelRuntimeProvider.class)
                .select(name).create(ComponentConfig.empty());
        private CrashInjector crash = CrashInjector.NONE;
        private HealthCheck health = HealthCheck.GOLDEN_ONLY;
        private Duration healthTimeout = DEFAULT_HEALTH_TIMEOUT;
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
         * @param name the model this device runs (the manifest {@code name} every bundle must carry); required
         * @return this builder
         */
        public Builder model(String name) {
            this.model = Objects.requireNonNull(name, "name");
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
         * How long the health check may run (default {@link DeviceAgent#DEFAULT_HEALTH_TIMEOUT}, 30 s). It runs on its own
         * thread outside the agent's lock, so {@link #predict} keeps serving the confirmed model meanwhile; a check
         * that does not finish in time counts as unhealthy: its thread is interrupted and the install is rolled
         * back.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException when not positive
         */
        public Builder healthTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("healthTimeout must be positive, got " + timeout);
            }
            this.healthTimeout = timeout;
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
            if (deviceId == null || model == null || target == null || trust == null || storage == null) {
                throw new IllegalArgumentException("a device agent needs deviceId, model, target, trust and storage");
            }
            if (model.isBlank()) {
                throw new IllegalArgumentException("the model name must not be blank");
            }
            DeviceAgent a = new DeviceAgent(this);
            synchronized (a.lock) {
                a.recover();
            }
            return a;
        }
    }
}
