package io.edgeloop.ota.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.trust.SignatureRecord;
import io.edgeloop.ota.trust.ThresholdResult;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether a bundle may be installed. Checks, in order: the archive ({@link BundleArchive}); signatures
 * present; signatures by the trust root's threshold of distinct, trusted, unrevoked keys over the manifest's
 * exact canonical bytes; the trust root's expiry; the manifest's canonical form and format version; at the
 * repair sequence ({@link VerificationPolicy#repairSequence}) the manifest's digest, otherwise the bundle's expiry;
 * the model name (substitution); the sequence (rollback, replay) and security epoch; the entry set (no extra or
 * missing artifacts); every artifact's size and SHA-256; the artifact for the device's target and variant; its
 * runtime.
 * The first failure is thrown as a {@link BundleVerificationException} naming the {@link Check}.
 *
 * <p>Verification is done in memory: nothing is written anywhere. Thread-safe: immutable.
 */
public final class BundleVerifier {
    private final TrustRoot trust;
    private final BundleLimits limits;
    private final Clock clock;

    /**
     * @param trust  the trust root
     * @param limits the archive limits
     * @param clock  the clock for expiry checks
     */
    public BundleVerifier(TrustRoot trust, BundleLimits limits, Clock clock) {
        this.trust = Objects.requireNonNull(trust, "trust");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param trust the trust root; default limits and the system clock
     */
    public BundleVerifier(TrustRoot trust) {
        this(trust, BundleLimits.DEFAULT, Clock.systemUTC());
    }

    /**
     * The refusal of every bundle under an expired trust file, with what the operator does about it: a trust file's
     * expiry is signed, so it is made again as the next version, which devices (and an update server's store) take
     * as a rotation. The same text reaches a device's install report and {@code edgeloop bundle verify}.
     *
     * @param trust the expired trust root
     * @return one line
     */
    public static String trustExpired(TrustRoot trust) {
        return "the trust file (version " + trust.version() + ") expired at " + trust.expiresAt() + ": every bundle"
                + " is refused. Make its next version with a later expiry, signed to its threshold ("
                + trust.threshold() + "): edgeloop bundle trust --previous <this file> --key <public.pem>..."
                + " --threshold <k> --sign <private.pem>... --expires-days <days> --out <next.json>; rotate devices"
                + " (DeviceAgent.rotateTrust) and the update server to it";
    }

    /**
     * The highest sequence a bundle may carry: {@code Long.MAX_VALUE - 1}. A device that installed
     * {@code Long.MAX_VALUE} could never accept another bundle (no sequence is above it), so that one value is refused
     * when a bundle is made ({@code bundle create}) and verified (devices; an update server with a trust file).
     */
    public static final long MAX_SEQUENCE = Long.MAX_VALUE - 1;

    /**
     * Refuses a manifest whose sequence is above {@link #MAX_SEQUENCE}.
     *
     * @param m a parsed manifest
     * @throws BundleVerificationException ({@link Check#MANIFEST}) naming the sequence and the range allowed
     */
    public static void refuseLastSequence(BundleManifest m) throws BundleVerificationException {
        if (m.sequence() > MAX_SEQUENCE) {
            throw new BundleVerificationException(Check.MANIFEST, "sequence " + m.sequence() + " is out of range: "
                    + "sequences run from 0 to " + MAX_SEQUENCE + ", since no bundle could follow this one "
                    + "(a device that installed it could never update again)");
        }
    }

    /** @return the clock expiries are judged by */
    public Clock clock() {
        return clock;
    }

    /** @return the archive limits every bundle is read with (a store verifying as devices do reads with them too) */
    public BundleLimits limits() {
        return limits;
    }

    /** @return the trust root */
    public TrustRoot trust() {
        return trust;
    }

    /**
     * Verifies a bundle file.
     *
     * @param bundle the file
     * @param policy the device's requirements
     * @return the verified bundle
     * @throws BundleVerificationException naming the failed check
     * @throws IOException                 when the file cannot be read
     */
    public VerifiedBundle verify(Path bundle, VerificationPolicy policy) throws IOException {
        try (InputStream in = Files.newInputStream(bundle)) {
            return verify(in, policy);
        }
    }

    /**
     * Verifies bundle bytes.
     *
     * @param bundle the bytes
     * @param policy the device's requirements
     * @return the verified bundle
     * @throws BundleVerificationException naming the failed check
     */
    public VerifiedBundle verify(byte[] bundle, VerificationPolicy policy) throws BundleVerificationException {
        try {
            return verify(new ByteArrayInputStream(bundle), policy);
        } catch (BundleVerificationException e) {
            throw e;
        } catch (IOException e) {
            throw new BundleVerificationException(Check.ARCHIVE, e.getMessage(), e);
        }
    }

    /**
     * Verifies a bundle stream.
     *
     * @param in     the archive bytes (not closed)
     * @param policy the device's requirements
     * @return the verified bundle
     * @throws BundleVerificationException naming the failed check
     * @throws IOException                 when the stream fails
     */
    public VerifiedBundle verify(InputStream in, VerificationPolicy policy) throws IOException {
        Objects.requireNonNull(policy, "policy");
        return verify(BundleArchive.read(in, limits), policy);
    }

    /**
     * Verifies an archive already read.
     *
     * @param archive the archive
     * @param policy  the device's requirements
     * @return the verified bundle
     * @throws BundleVerificationException naming the failed check
     */
    public VerifiedBundle verify(BundleArchive archive, VerificationPolicy policy) throws BundleVerificationException {
        Map<String, byte[]> entries = archive.entries();
        byte[] manifestBytes = entries.get(EntryNames.MANIFEST);
        if (manifestBytes == null) {
            throw new BundleVerificationException(Check.MANIFEST, "the archive has no manifest.json");
        }
        byte[] sigBytes = entries.get(EntryNames.SIGNATURES);
        if (sigBytes == null) {
            throw new BundleVerificationException(Check.SIGNATURES_MISSING, "the archive has no signatures.json");
        }
        List<SignatureRecord> sigs = parseSignatures(sigBytes);
        ThresholdResult t = trust.check(BundleManifest.signedBytes(manifestBytes), sigs);
        if (!t.met()) {
            throw new BundleVerificationException(failedCheck(t), t.describe());
        }
        Instant now = clock.instant();
        if (trust.isExpired(now)) {
            throw new BundleVerificationException(Check.TRUST_EXPIRED, trustExpired(trust));
        }
        BundleManifest m;
        try {
            JsonNode tree = CanonicalJson.parse(manifestBytes);
            if (!CanonicalJson.isCanonical(manifestBytes, tree)) {
                throw new BundleVerificationException(Check.MANIFEST, "manifest.json is not in canonical form");
            }
            m = BundleManifest.fromJson(tree);
        } catch (BundleVerificationException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new BundleVerificationException(Check.MANIFEST, "malformed manifest.json: " + e.getMessage(), e);
        }
        refuseLastSequence(m);
        // another model's bundle is no repair: it goes on to be refused for its name (or its expiry)
        boolean repair = policy.repairSequence().isPresent() && m.sequence() == policy.repairSequence().getAsLong()
                && policy.modelName().map(m.name()::equals).orElse(true);
        if (repair) {
            // the digest first: any other bundle at the confirmed sequence is a rollback, expired or not
            String confirmed = policy.repairManifestSha256().orElseThrow();
            String offered = Sha256.hex(manifestBytes);
            if (!offered.equals(confirmed)) {
                throw new BundleVerificationException(Check.ROLLBACK, "sequence " + m.sequence() + " is confirmed "
                        + "here as manifest " + confirmed + "; this bundle's manifest is " + offered + " (another "
                        + "build at that sequence): the device reinstalls only the manifest it confirmed, and accepts "
                        + "sequence " + policy.minimumSequence() + " or higher");
            }
        } else if (now.isAfter(m.expiresAt())) {
            // not for the repair: the device ran and confirmed exactly this manifest (the digest pins it), and an
            // installed model is not checked for expiry either (verifyInstalled); a re-issue with a new expiresAt
            // would be another manifest, so an expired confirmed model could never be reinstalled
            throw new BundleVerificationException(Check.EXPIRED, "bundle " + m.name() + " " + m.version()
                    + " expired at " + m.expiresAt());
        }
        if (policy.modelName().isPresent() && !policy.modelName().get().equals(m.name())) {
            throw new BundleVerificationException(Check.MODEL_NAME, "bundle is for model '" + m.name()
                    + "'; this device runs '" + policy.modelName().get() + "'");
        }
        if (!repair && m.sequence() < policy.minimumSequence()) {
            if (policy.notRepairedSequence().isPresent() && m.sequence() == policy.notRepairedSequence().getAsLong()) {
                throw new BundleVerificationException(Check.ROLLBACK, "sequence " + m.sequence() + " is confirmed "
                        + "here and its slot was lost, but the device does not reinstall it: "
                        + policy.notRepairedReason().orElseThrow() + "; it accepts sequence "
                        + policy.minimumSequence() + " or higher");
            }
            if (policy.confirmedSequence().isPresent() && m.sequence() > policy.confirmedSequence().getAsLong()) {
                throw new BundleVerificationException(Check.ROLLBACK, "sequence " + m.sequence() + " was attempted "
                        + "on this device before and not confirmed (an install interrupted by a restart, or one "
                        + "whose health check failed), and a sequence is attempted once: the device accepts "
                        + "sequence " + policy.minimumSequence() + " or higher; publish the bundle with a new sequence");
            }
            throw new BundleVerificationException(Check.ROLLBACK, "sequence " + m.sequence()
                    + " is below the device's minimum " + policy.minimumSequence() + " (rollback or replay)");
        }
        if (m.securityEpoch() < policy.minimumEpoch()) {
            throw new BundleVerificationException(Check.SECURITY_EPOCH, "security epoch " + m.securityEpoch()
                    + " is below the device's committed epoch " + policy.minimumEpoch());
        }
        Map<String, byte[]> arts = new HashMap<>();
        for (String name : entries.keySet()) {
            if (name.startsWith("artifacts/") && m.artifacts().stream().noneMatch(a -> a.path().equals(name))) {
                throw new BundleVerificationException(Check.ENTRY_SET, "entry '" + name
                        + "' is not listed in the manifest");
            }
        }
        for (ArtifactEntry a : m.artifacts()) {
            byte[] b = entries.get(a.path());
            if (b == null) {
                throw new BundleVerificationException(Check.ENTRY_SET, "artifact '" + a.path()
                        + "' listed in the manifest is missing from the archive");
            }
            if (b.length != a.size()) {
                throw new BundleVerificationException(Check.DIGEST, "artifact '" + a.path() + "' is " + b.length
                        + " bytes; the manifest says " + a.size());
            }
            String d = Sha256.hex(b);
            if (!d.equals(a.sha256())) {
                throw new BundleVerificationException(Check.DIGEST, "artifact '" + a.path() + "' has SHA-256 "
                        + d.substring(0, 16) + "..., the manifest says " + a.sha256().substring(0, 16) + "...");
            }
            arts.put(a.path(), b);
        }
        ArtifactEntry selected = null;
        if (policy.target().isPresent()) {
            TargetProfile p = policy.target().get();
            selected = m.artifactFor(p.id(), p.hardwareVariant()).orElseThrow(() -> new BundleVerificationException(
                    Check.TARGET, "no artifact for target " + p.id() + " (" + p.hardwareVariant() + "); the bundle has "
                            + variants(m)));
            if (policy.runtimeName().isPresent()) {
                String rn = policy.runtimeName().get();
                String rv = policy.runtimeVersion().orElseThrow();
                if (!selected.runtime().equals(rn) || !selected.runtimeVersions().matches(rv)) {
                    throw new BundleVerificationException(Check.RUNTIME, "artifact needs runtime " + selected.runtime()
                            + " " + selected.runtimeVersions() + "; the device has " + rn + " " + rv);
                }
            }
        }
        Set<String> signers = new TreeSet<>(t.validKeys());
        return new VerifiedBundle(m, selected, arts, signers, manifestBytes, sigBytes);
    }

    /**
     * Re-verifies an installed artifact (a device's slot at boot): the manifest is canonical and signed by the
     * trust root's threshold, and the artifact matches its entry. Expiry and sequence are not checked: an
     * installed, once-accepted model stays runnable.
     *
     * @param manifestBytes   the stored canonical manifest
     * @param signaturesBytes the stored signatures.json
     * @param path            the artifact's path in the manifest
     * @param artifact        the stored artifact bytes
     * @return the artifact's entry
     * @throws BundleVerificationException naming the failed check
     */
    public ArtifactEntry verifyInstalled(byte[] manifestBytes, byte[] signaturesBytes, String path, byte[] artifact)
            throws BundleVerificationException {
        BundleManifest m = verifyInstalledManifest(manifestBytes, signaturesBytes, path, artifact);
        return m.artifacts().stream().filter(x -> x.path().equals(path)).findFirst().orElseThrow();
    }

    /**
     * As {@link #verifyInstalled}, returning the whole verified manifest.
     *
     * @param manifestBytes   the stored canonical manifest
     * @param signaturesBytes the stored signatures.json
     * @param path            the artifact's path in the manifest
     * @param artifact        the stored artifact bytes
     * @return the manifest
     * @throws BundleVerificationException naming the failed check
     */
    public BundleManifest verifyInstalledManifest(byte[] manifestBytes, byte[] signaturesBytes, String path,
            byte[] artifact) throws BundleVerificationException {
        return verifyInstalledManifest(manifestBytes, signaturesBytes, path, artifact, trust);
    }

    /**
     * As {@link #verifyInstalled}, with the signatures counted against the trust root that accepted the install
     * ({@code acceptedBy}, an earlier root of the device's verified chain) instead of the current one. A newer
     * root revokes an installed model only explicitly: signatures by keys this verifier's (current) root lists as
     * revoked do not count. A key merely dropped from a newer root does not invalidate what it signed earlier.
     * The installed manifest is valid when {@code acceptedBy}, with the current revocations applied, meets its own
     * threshold, <em>or</em> the current root accepts it at the current threshold (a rotation that revokes one
     * signer of a 2-of-2 bundle and lowers the threshold to 1 keeps it valid, as the bundle shipped today would
     * be).
     *
     * @param manifestBytes   the stored canonical manifest
     * @param signaturesBytes the stored signatures.json
     * @param path            the artifact's path in the manifest
     * @param artifact        the stored artifact bytes
     * @param acceptedBy      the root that accepted the install
     * @return the manifest
     * @throws BundleVerificationException naming the failed check
     */
    public BundleManifest verifyInstalledManifest(byte[] manifestBytes, byte[] signaturesBytes, String path,
            byte[] artifact, TrustRoot acceptedBy) throws BundleVerificationException {
        Objects.requireNonNull(acceptedBy, "acceptedBy");
        byte[] signed = BundleManifest.signedBytes(manifestBytes);
        List<SignatureRecord> signatures = parseSignatures(signaturesBytes);
        ThresholdResult t = acceptedBy.check(signed, signatures);
        long stillTrusted = t.validKeys().stream().filter(k -> !trust.revokedKeys().contains(k)).count();
        if (!t.met() || stillTrusted < acceptedBy.threshold()) {
            // the accepting root no longer vouches for it (a signer revoked since, or it never did): the current
            // root may still accept it on its own terms, as it would accept the same bundle shipped today
            ThresholdResult now = acceptedBy == trust ? t : trust.check(signed, signatures);
            if (!now.met()) {
                String why = !t.met() ? "installed manifest: " + t.describe()
                        : "installed manifest: trust version " + trust.version() + " revokes a signer; "
                                + stillTrusted + " of the " + acceptedBy.threshold() + " signatures trust version "
                                + acceptedBy.version() + " required remain";
                if (acceptedBy != trust) {
                    why += ", and trust version " + trust.version() + " does not accept it either ("
                            + now.describe() + ")";
                }
                throw new BundleVerificationException(t.met() ? Check.REVOKED_KEY : failedCheck(t), why);
            }
        }
        BundleManifest m;
        try {
            JsonNode tree = CanonicalJson.parse(manifestBytes);
            if (!CanonicalJson.isCanonical(manifestBytes, tree)) {
                throw new BundleVerificationException(Check.MANIFEST, "installed manifest is not canonical");
            }
            m = BundleManifest.fromJson(tree);
        } catch (IOException | IllegalArgumentException e) {
            throw new BundleVerificationException(Check.MANIFEST, "installed manifest: " + e.getMessage(), e);
        }
        ArtifactEntry a = m.artifacts().stream().filter(x -> x.path().equals(path)).findFirst().orElseThrow(
                () -> new BundleVerificationException(Check.ENTRY_SET, "installed artifact " + path + " not in manifest"));
        if (artifact.length != a.size() || !Sha256.hex(artifact).equals(a.sha256())) {
            throw new BundleVerificationException(Check.DIGEST, "installed artifact " + path
                    + " does not match its manifest entry");
        }
        return m;
    }

    /** The check a threshold that was not met failed: the same classification for bundles and installed slots. */
    private static Check failedCheck(ThresholdResult t) {
        return !t.revokedKeys().isEmpty() ? Check.REVOKED_KEY
                : !t.invalidKeys().isEmpty() ? Check.SIGNATURE_INVALID
                : !t.unknownKeys().isEmpty() && t.validKeys().isEmpty() && t.repeated() == 0 ? Check.UNKNOWN_KEY
                : Check.THRESHOLD;
    }

    /**
     * Parses a stored canonical manifest without checking signatures (the caller has verified it).
     *
     * @param manifestBytes canonical manifest bytes
     * @return the manifest
     * @throws BundleVerificationException when malformed
     */
    public static BundleManifest parseManifest(byte[] manifestBytes) throws BundleVerificationException {
        try {
            return BundleManifest.fromJson(CanonicalJson.parse(manifestBytes));
        } catch (IOException | IllegalArgumentException e) {
            throw new BundleVerificationException(Check.MANIFEST, e.getMessage(), e);
        }
    }

    private static String variants(BundleManifest m) {
        List<String> v = new ArrayList<>();
        for (ArtifactEntry a : m.artifacts()) {
            v.add(a.target() + " (" + a.hardwareVariant() + ")");
        }
        return String.join(", ", v);
    }

    static List<SignatureRecord> parseSignatures(byte[] bytes) throws BundleVerificationException {
        try {
            JsonNode n = CanonicalJson.parse(bytes);
            if (!n.has("formatVersion")) {
                throw new BundleVerificationException(Check.SIGNATURES_MISSING,
                        "signatures.json has no formatVersion key (this SDK reads 1.x)");
            }
            String fv = n.path("formatVersion").asText("");
            if (!fv.matches("1\\.\\d+")) {
                throw new BundleVerificationException(Check.SIGNATURES_MISSING,
                        "unsupported signatures.json formatVersion '" + fv + "' (this SDK reads 1.x)");
            }
            JsonNode arr = n.get("signatures");
            if (arr == null || !arr.isArray() || arr.size() == 0) {
                throw new BundleVerificationException(Check.SIGNATURES_MISSING, "signatures.json holds no signature");
            }
            if (arr.size() > 64) {
                throw new BundleVerificationException(Check.SIZE_LIMIT, "more than 64 signatures");
            }
            List<SignatureRecord> out = new ArrayList<>();
            for (JsonNode s : arr) {
                out.add(SignatureRecord.fromJson(s));
            }
            return out;
        } catch (BundleVerificationException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new BundleVerificationException(Check.SIGNATURES_MISSING, "malformed signatures.json: "
                    + e.getMessage(), e);
        }
    }
}
