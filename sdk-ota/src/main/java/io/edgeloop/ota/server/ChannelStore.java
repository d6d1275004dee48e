package io.edgeloop.ota.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.ota.bundle.BundleArchive;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleVerificationException;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.bundle.VerificationPolicy;
import io.edgeloop.ota.bundle.PrintableText;
import io.edgeloop.ota.file.AtomicFiles;
import io.edgeloop.ota.file.RegularFileChannel;
import io.edgeloop.ota.file.TemporaryFile;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Channels of published bundles in a directory: {@code channels/<channel>/<sha256>.bundle} (named by digest),
 * {@code channels/<channel>/latest.json} (the publication devices poll) and {@code channels/<channel>/names.json}
 * (per model name, the highest sequence published and its digest; see {@code docs/formats/channel-store.md}). The store reads each bundle's manifest and
 * refuses ({@link PublicationRefusedException}) a file that is not a readable bundle, a bundle of another model
 * than the one the channel carries (a channel has one latest publication, so a second model would hide the first
 * model's releases from its devices), and a (name, sequence) not above the highest published for that name on the
 * channel: publishing the same bytes again is allowed (and
 * repairs the stored copy), anything older or a different bundle with the same sequence is not, so nobody can
 * replace the latest with something devices would refuse anyway (a freeze).
 *
 * <p>Verification: a store given a {@link BundleVerifier} ({@link #ChannelStore(Path, BundleVerifier)}, holding the
 * trust root its devices hold) verifies every bundle as devices do, except for each device's own state (model name,
 * sequence floor, security epoch, target): signatures and threshold, the trust root's and the bundle's expiry, the
 * manifest, the entry set and every artifact's digest, before it takes the channel's lock; a bundle that fails is
 * refused ({@link PublicationRefusedException.Reason#UNVERIFIED}, naming the check) and changes nothing. Without
 * it, which takes the named opt-out {@link #withoutVerification(Path)} (for stores whose publishers verify, and for
 * the device side of the {@code directory} deployer without a {@code trust} setting), only readability is checked, so a bundle signed by a key outside the devices' trust
 * root can still raise the channel's sequence floor, up to {@link Long#MAX_VALUE}, and freeze the channel:
 * {@link #withdraw} undoes such a publication.
 *
 * <p>Durability: the bundle is written to a temporary file ({@code .incoming.<pid>.<n>.tmp}, locked while in use,
 * see {@link #deleteStaleTemporaryFiles}) that is fsynced before it is renamed into place; an
 * existing {@code <sha256>.bundle} is re-hashed and replaced when its size or digest differ (a power cut can leave
 * a renamed but unsynced file empty); {@code names.json} and {@code latest.json} are written to temporary files
 * with unique names, fsynced and renamed; the channel directory is fsynced after each rename, and a new channel's
 * directory is synced into its parent. A publish or withdrawal whose directory sync fails throws (the server
 * answers 500): what it renamed may be seen by readers but not survive a power loss, so it is not reported done
 * (publishing the same bundle again completes it). A publish renames
 * {@code latest.json} first (the commit) and then {@code names.json}; a withdrawal writes {@code names.json} first
 * and then {@code latest.json} (the commit); the floor of the model {@code latest.json} names is always read from
 * {@code latest.json}, so a failure or a kill between the two leaves the change done or not done, as readers and the
 * next publish see it (see {@code docs/formats/channel-store.md}).
 *
 * <p>Thread-safe: publishes to one channel are serialised within the JVM (across instances) and across processes
 * (a file lock on {@code channels/<channel>/.lock}); readers see the old or the new publication.
 */
public final class ChannelStore {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelStore.class);
    private static final Pattern CHANNEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final String NAMES_FORMAT_VERSION = "1.0";
    /** One monitor per channel directory for the whole JVM: a FileLock is held per process, not per thread. */
    private static final ConcurrentHashMap<Path, Object> CHANNEL_LOCKS = new ConcurrentHashMap<>();
    /** What the store requires of a bundle beyond its authenticity: nothing (a device's own state is its own). */
    private static final VerificationPolicy ANY_DEVICE = VerificationPolicy.builder().build();
    /** What {@link #withoutVerification(Path)} tells a reader to do instead: the Java calls. */
    private static final String JAVA_REMEDY = "give the store the devices' trust file (new ChannelStore(root, new "
            + "BundleVerifier(TrustRoot.read(file))) instead of ChannelStore.withoutVerification(root))";
    private final Path root;
    private final BundleVerifier verifier;
    private final String unverifiedRemedy;

    private ChannelStore(Path root, BundleVerifier verifier, String unverifiedRemedy) throws IOException {
        // synced into its parent when created: a store whose directory a power loss takes back loses every channel
        AtomicFiles.createDirectoriesDurably(Objects.requireNonNull(root, "root"));
        this.root = root.toRealPath();
        this.verifier = verifier;
        this.unverifiedRemedy = unverifiedRemedy;
    }

    /**
     * A store that checks only that a bundle is readable, not its signatures: the named opt-out from
     * verification, for the device side of the {@code directory} deployer without a {@code trust} setting and for
     * stores whose every publisher verifies first. Risky for a store publishers reach over a network: a bundle
     * signed with a key outside the devices' trust root can raise a channel's sequence floor, up to
     * {@link Long#MAX_VALUE}, and freeze the channel ({@link #withdraw} undoes that). This method and
     * {@link #withoutVerification(Path, String)} are the only ways to get a store that skips verification; a store
     * made with {@link #ChannelStore(Path, BundleVerifier)} always verifies. An {@link UpdateServer} on this store
     * logs a WARN naming the risk and the Java calls that make a verifying store.
     *
     * @param root the directory (created when missing)
     * @return the store
     * @throws IOException when it cannot be created
     */
    public static ChannelStore withoutVerification(Path root) throws IOException {
        return new ChannelStore(root, null, JAVA_REMEDY);
    }

    /**
     * {@link #withoutVerification(Path)} for a program with its own way to give the store a trust root: the WARN
     * an {@link UpdateServer} on this store logs ends with {@code remedy} instead of the Java calls (a command line
     * names its option, e.g. {@code "pass --trust TRUST.json (the devices' trust file) instead of --no-verify"}).
     *
     * @param root   the directory (created when missing)
     * @param remedy what the reader should do to have uploads verified, one line
     * @return the store
     * @throws IOException when it cannot be created
     */
    public static ChannelStore withoutVerification(Path root, String remedy) throws IOException {
        return new ChannelStore(root, null, Objects.requireNonNull(remedy, "remedy"));
    }

    /**
     * A store that verifies every bundle before publishing it, as devices holding the verifier's trust root do
     * (not against any device's own state): see the class documentation.
     *
     * @param root     the directory (created when missing)
     * @param verifier the trust root (usually the devices' trust file, {@link io.edgeloop.ota.trust.TrustRoot#read}),
     *                 archive limits and clock to verify with
     * @throws IOException when the directory cannot be created
     */
    public ChannelStore(Path root, BundleVerifier verifier) throws IOException {
        this(root, Objects.requireNonNull(verifier, "verifier"), null);
    }

    /** @return the root directory */
    public Path root() {
        return root;
    }

    /** @return the verifier every publish passes through; empty when the store checks readability only */
    public Optional<BundleVerifier> verifier() {
        return Optional.ofNullable(verifier);
    }

    /** What the WARN of a server on a store without a trust root tells its reader to do; null with a trust root. */
    String unverifiedRemedy() {
        return unverifiedRemedy;
    }

    /**
     * Verifies each channel's latest publication with the store's trust root, as a publish of it would be verified
     * now: a store served with another fleet's trust file (or after a rotation the store was not given) shows up
     * here before its first refused publish. Reads only; best effort against concurrent publishes.
     *
     * @return one line per channel whose latest publication the trust root refuses, or whose stored bundle is
     *         missing or unreadable, in channel order; empty without a trust root
     * @throws IOException when the channels directory cannot be listed
     */
    List<String> latestRefusedByTrustRoot() throws IOException {
        List<String> refused = new ArrayList<>();
        Path channels = root.resolve("channels");
        if (verifier == null || !Files.isDirectory(channels, LinkOption.NOFOLLOW_LINKS)) {
            return refused;
        }
        List<String> names = new ArrayList<>();
        try (java.util.stream.Stream<Path> s = Files.list(channels)) {
            s.map(d -> d.getFileName().toString()).filter(n -> CHANNEL.matcher(n).matches()).sorted()
                    .forEach(names::add);
        }
        String under = "the store's trust root (version " + verifier.trust().version() + ", "
                + verifier.trust().threshold() + " of " + verifier.trust().keys().size() + " keys)";
        for (String channel : names) {
            try {
                Optional<Publication> latest = latest(channel);
                if (latest.isEmpty()) {
                    continue;
                }
                Publication p = latest.get();
                String what = "channel " + channel + "'s latest publication (" + p.name() + " sequence "
                        + p.sequence() + ")";
                Path file = channelDir(channel).resolve(p.sha256() + ".bundle");
                try (FileChannel c = openStored(file).orElse(null)) {
                    if (c == null) {
                        refused.add(what + " has no stored bundle (" + root.relativize(file) + " is missing)");
                        continue;
                    }
                    verifier.verify(from(c, 0), ANY_DEVICE);
                } catch (BundleVerificationException e) {
                    refused.add(what + " does not verify under " + under + ": " + e.getMessage()
                            + (SIGNER_CHECKS.contains(e.check()) ? "; is this the fleet's trust file? Publishes "
                            + "signed for the fleet will be refused (unknown-key) while bundles this trust root "
                            + "accepts move the channel" : ""));
                }
            } catch (IOException e) {
                refused.add("channel " + channel + "'s latest publication cannot be checked against " + under + ": "
                        + e.getMessage());
            }
        }
        return refused;
    }

    private Path channelDir(String channel) throws InvalidChannelNameException {
        checkChannel(channel);
        return root.resolve("channels").resolve(channel);
    }

    /**
     * @param channel a channel name
     * @throws InvalidChannelNameException when it is not 1-64 of {@code [a-z0-9._-]} starting with a letter or digit
     */
    public static void checkChannel(String channel) throws InvalidChannelNameException {
        if (channel == null || !CHANNEL.matcher(channel).matches()) {
            throw new InvalidChannelNameException(String.valueOf(channel));
        }
    }

    /**
     * Publishes a bundle file on a channel.
     *
     * @param bundle  the file
     * @param channel the channel
     * @return the publication; its location is the stored file's absolute path
     * @throws PublicationRefusedException when the file is not a readable bundle, the store's trust root does not
     *                                     accept it, its model is not the one the channel carries, or its sequence
     *                                     is not above the channel's highest for its name (nothing is changed)
     * @throws DamagedStoreException       when the channel's directory, its {@code .lock}, {@code latest.json},
     *                                     {@code names.json} or the bundle's own {@code <sha256>.bundle} is
     *                                     something the store never writes (a directory, a link, a FIFO): nothing
     *                                     is changed
     * @throws FileSystemException         naming the channel's directory (or, when it does not exist, the nearest
     *                                     one above it) when this process may not write there (a read-only
     *                                     mount, an immutable directory): checked first, nothing is changed
     * @throws IOException                 when the file cannot be read or stored
     */
    public Publication publish(Path bundle, String channel) throws IOException {
        Path dir = channelDir(channel);
        try (InputStream in = Files.newInputStream(bundle)) {
            return publish(in, bundle.toString(), dir, channel);
        }
    }

    /**
     * Publishes the bundle {@code in} reads ({@link UpdateServer}'s upload, read through its own locked temporary
     * file: a second descriptor of that file, once closed, would drop its lock).
     *
     * @param in     the bundle's bytes (not closed here)
     * @param source names the bundle in refusals
     */
    Publication publish(InputStream in, String source, String channel) throws IOException {
        return publish(in, source, channelDir(channel), channel);
    }

    private Publication publish(InputStream in, String source, Path dir, String channel) throws IOException {
        boolean exists = channelDirectory(dir);
        requireWritable(dir, "nothing was published on channel " + channel);
        if (!exists) {
            // synced into its parent: a channel whose directory a power cut takes back loses every publication in it
            AtomicFiles.createDirectoriesDurably(dir);
        }
        try (TemporaryFile incoming = AtomicFiles.createTemporary(dir.resolve("incoming"))) {
            MessageDigest md = Sha256.newDigest();
            long size = 0;
            try (OutputStream out = incoming.output()) {
                byte[] buf = new byte[64 * 1024];
                int r;
                while ((r = in.read(buf)) > 0) {
                    md.update(buf, 0, r);
                    out.write(buf, 0, r);
                    size += r;
                }
            }
            incoming.sync();
            String sha = HexFormat.of().formatHex(md.digest());
            BundleManifest parsed;
            try (InputStream stored = incoming.input()) {
                // the verifier's limits, not the defaults: a store built with its devices' tighter limits must
                // refuse the bundle they refuse as size-limit (a freeze even with a trusted signature)
                BundleArchive archive = BundleArchive.read(stored, readLimits());
                byte[] m = archive.entries().get("manifest.json");
                if (m == null) {
                    throw new BundleVerificationException(Check.MANIFEST, "the archive has no manifest.json");
                }
                parsed = BundleVerifier.parseManifest(m);
                if (verifier != null) {
                    // before the channel's lock: a bundle no device would accept must not move its floor
                    parsed = verifier.verify(archive, ANY_DEVICE).manifest();
                }
            } catch (BundleVerificationException e) {
                throw refusal(source, e);
            }
            BundleManifest manifest = parsed;
            long sizeBytes = size;
            Path target = dir.resolve(sha + ".bundle");
            return underChannelLock(dir, channel, target, () -> {
                ObjectNode names = readNames(dir);
                Optional<String> carried = carriedModel(dir, names);
                if (carried.isPresent() && !carried.get().equals(manifest.name())) {
                    throw new PublicationRefusedException(PublicationRefusedException.Reason.OTHER_MODEL,
                            "channel " + channel + " carries model " + carried.get() + "; " + source
                                    + " is model " + manifest.name() + ": a channel carries one model (its"
                                    + " devices poll one latest publication), publish "
                                    + manifest.name() + " on a channel of its own", null);
                }
                // names.json: {"formatVersion":"1.0","names":{"<name>":{"sequence":N,"sha256":"..."}}}
                JsonNode prev = names.get(manifest.name());
                if (prev != null) {
                    long highest = prev.path("sequence").asLong();
                    String prevSha = prev.path("sha256").asText();
                    if (manifest.sequence() < highest || manifest.sequence() == highest && !prevSha.equals(sha)) {
                        throw new PublicationRefusedException(PublicationRefusedException.Reason.NOT_NEWER,
                                "channel " + channel + " already has " + manifest.name() + " sequence " + highest
                                        + "; " + source + " has sequence " + manifest.sequence()
                                        + (manifest.sequence() == highest ? " with other bytes" : "")
                                        + (highest == Long.MAX_VALUE
                                                // no higher sequence exists: "publish a higher one" was no way out
                                                ? ": the channel is frozen at the highest sequence there is; if its"
                                                        + " devices refuse that publication, take it off with"
                                                        + " ChannelStore.withdraw (edgeloop bundle withdraw)"
                                                : ": publish a bundle with a higher sequence"), null);
                    }
                }
                if (!intact(target, sizeBytes, sha)) {
                    incoming.replaceDurably(target); // and syncs the directory, throwing when that fails
                }
                Publication p = new Publication(channel, manifest.name(), manifest.sequence(), sha, sizeBytes,
                        target.toString());
                ObjectNode entry = names.putObject(manifest.name());
                entry.put("sequence", manifest.sequence());
                entry.put("sha256", sha);
                // latest.json first: its rename is the commit, and readNames takes it as its model's floor, so
                // names.json behind it is harmless. names.json first raised the floor of a publish whose
                // latest.json then failed (an immutable file, a full disk, a kill): a different bundle at that
                // sequence was refused while devices still saw the old one.
                commitLatest(dir, CanonicalJson.bytes(toJson(p)), manifest.name(), manifest.sequence(), channel);
                betweenWrites.run(dir.resolve("latest.json"));
                try {
                    writeNames(dir, names);
                } catch (IOException e) {
                    // published: readers and the next publish go by latest.json, which will rewrite names.json
                    LOG.warn("published {} sequence {} on channel {} (latest.json names it), but could not update "
                            + "{}; the next publish on the channel rewrites it", manifest.name(),
                            manifest.sequence(), channel, dir.resolve("names.json"), e);
                }
                return p;
            });
        }
    }

    /** The limits bundles are read with: the verifier's (its devices'), else the defaults. */
    private BundleLimits readLimits() {
        return verifier == null ? BundleLimits.DEFAULT : verifier.limits();
    }

    /**
     * Renames a publish's {@code latest.json} into place (the commit) and syncs the channel directory. A failed sync
     * is thrown, naming what happened: readers may already see the publication, but a power loss may take it back
     * (the directory sync was best effort until 2026-12-03, so such a publish was answered 200 and then lost).
     */
    private static void commitLatest(Path dir, byte[] bytes, String name, long sequence, String channel)
            throws IOException {
        Path latest = dir.resolve("latest.json");
        try (TemporaryFile t = AtomicFiles.writeTemporary(latest, out -> out.write(bytes))) {
            try {
                t.replaceDurably(latest);
            } catch (IOException e) {
                if (!t.moved()) {
                    throw e; // not renamed: nothing changed
                }
                throw new IOException("publishing " + name + " sequence " + sequence + " on channel " + channel
                        + " did not complete: latest.json names it, but " + dir + " could not be synced (" + e
                        + "), so a power loss may take the channel back to its previous publication; publish the"
                        + " same bundle again once the store's storage is healthy", e);
            }
        }
    }

    private static void writeNames(Path dir, ObjectNode names) throws IOException {
        ObjectNode file = CanonicalJson.object();
        file.put("formatVersion", NAMES_FORMAT_VERSION);
        file.set("names", names);
        writeAtomically(dir, "names.json", CanonicalJson.bytes(file));
    }

    /** The checks that fail when the bundle was signed for another trust root. */
    private static final Set<Check> SIGNER_CHECKS = EnumSet.of(Check.SIGNATURES_MISSING, Check.UNKNOWN_KEY,
            Check.SIGNATURE_INVALID, Check.THRESHOLD);
    /**
     * Checks that no device holding the trust root can have installed a bundle: those that fail before any
     * signature is counted, on the signatures themselves (unknown keys, invalid, below the threshold), or on the
     * artifacts, but not those refused only for a revoked key, an expiry or the store's own trust root having
     * expired (they were once accepted, and may be installed).
     */
    private static final Set<Check> NEVER_ACCEPTED = EnumSet.of(Check.ARCHIVE, Check.SIZE_LIMIT, Check.PATH,
            Check.ENTRY_TYPE, Check.DUPLICATE_ENTRY, Check.MANIFEST, Check.SIGNATURES_MISSING, Check.UNKNOWN_KEY,
            Check.SIGNATURE_INVALID, Check.THRESHOLD, Check.ENTRY_SET, Check.DIGEST);

    /**
     * The check that shows no device holding the trust root, nor any of the {@code earlier} roots, installed
     * {@code bundle} (the store's root's check); empty when one may have.
     */
    private Optional<Check> neverAccepted(FileChannel bundle, List<BundleVerifier> earlier) throws IOException {
        Optional<Check> check = neverAccepted(bundle, verifier);
        for (BundleVerifier v : earlier) {
            if (check.isEmpty()) {
                break;
            }
            if (neverAccepted(bundle, v).isEmpty()) {
                return Optional.empty(); // signed by a key a rotation since dropped: devices may have installed it
            }
        }
        return check;
    }

    private static Optional<Check> neverAccepted(FileChannel bundle, BundleVerifier v) throws IOException {
        try {
            v.verify(from(bundle, 0), ANY_DEVICE);
            return Optional.empty();
        } catch (BundleVerificationException e) {
            return NEVER_ACCEPTED.contains(e.check()) ? Optional.of(e.check()) : Optional.empty();
        }
    }

    /**
     * {@link #withdraw(String, boolean) withdraw(channel, false)}: refused when the trust root accepts none of the
     * model's bundles stored on the channel.
     *
     * @param channel the channel
     * @return what was withdrawn and what the channel publishes now
     * @throws IOException as {@link #withdraw(String, boolean)}
     */
    public Withdrawal withdraw(String channel) throws IOException {
        return withdraw(channel, false);
    }

    /**
     * Withdraws a channel's latest publication when the store's trust root refuses it as no device holding that
     * root could ever have accepted it (signed by keys outside it, below its threshold, not verifying, not a bundle,
     * or artifacts not matching), and lowers the channel's sequence floor back: the way out of a channel frozen by a
     * bundle published without verification (a store without a trust root, or an SDK before 2026-12-02), for
     * example at sequence {@link Long#MAX_VALUE}, which refused every later correct publication.
     *
     * <p>Under the channel's lock, the new latest publication and floor become the highest-sequence bundle of the
     * same model stored on the channel whose verification does not show it was never accepted (one a device may
     * have installed, expired or signed by a since-revoked key included), so a device that installed sequence N
     * from this channel is never offered a lower one as new; with none, the model's entry and {@code latest.json}
     * are removed. The withdrawn bundle is moved to {@code <root>/withdrawn/<channel>/<sha256>.bundle} (kept for
     * inspection, no longer served). Whoever may write the store's directory may withdraw: there is no HTTP
     * endpoint. A device's own anti-rollback floor is its own and is not lowered: a device that had attempted the
     * withdrawn sequence (impossible with the same trust root) keeps refusing lower ones.
     *
     * <p>A trust root that accepts none of the model's bundles stored on the channel is refused unless
     * {@code leaveEmpty}: a wrong trust file (another fleet's, a fresh one) shows every bundle as {@code unknown-key},
     * and would otherwise withdraw a healthy channel's trusted latest and leave it publishing nothing (every device
     * polling 404). A frozen channel whose bad bundle is the only one of its model ever stored looks the same to the
     * store, so withdrawing it to an empty channel needs {@code leaveEmpty}, given after checking that the trust
     * file is the devices'.
     *
     * @param channel    the channel
     * @param leaveEmpty withdraw even when the trust root accepts none of the model's stored bundles, leaving the
     *                   channel publishing nothing (for a frozen channel whose bad bundle is the only one stored)
     * @return what was withdrawn and what the channel publishes now
     * @throws IllegalStateException       when the store has no trust root to judge with
     * @throws WithdrawalRefusedException  when nothing is published on the channel, the trust root accepts or may
     *                                     once have accepted its latest publication, or it accepts none of the
     *                                     model's stored bundles and {@code leaveEmpty} is false (nothing is
     *                                     changed)
     * @throws DamagedStoreException       when a channel entry is something the store never writes, or a stored
     *                                     bundle's bytes do not have the digest its name gives (cut, overwritten,
     *                                     another file copied in): nothing is changed
     * @throws FileSystemException         naming the channel's directory or {@code withdrawn/} (or the nearest
     *                                     directory above it) when this process may not write there: checked
     *                                     first, nothing is changed
     * @throws IOException                 when the store cannot be read or written
     */
    public Withdrawal withdraw(String channel, boolean leaveEmpty) throws IOException {
        return withdraw(channel, leaveEmpty, List.of());
    }

    /**
     * {@link #withdraw(String, boolean)}, judged by the trust roots devices held before the store's as well: a
     * bundle counts as one devices may have installed when any of them, or the store's root, may have accepted it.
     * Give them when a rotation removed a key (rather than revoking it): bundles that key signed look never
     * accepted to the newer root alone ({@code unknown-key}), so the withdrawal would take off a bundle devices
     * installed, or skip it for a lower sequence. A root a rotation revoked a key in needs none (a revoked key's
     * bundles may once have been accepted). The store's root must be the devices' newest: the store cannot tell a
     * key only a newer root lists from a stranger's.
     *
     * @param channel    the channel
     * @param leaveEmpty as {@link #withdraw(String, boolean)}
     * @param earlier    the devices' earlier trust roots, oldest first; each must accept the next as its rotation
     *                   ({@link TrustRoot#acceptRotation}), the last one the store's root
     * @return what was withdrawn and what the channel publishes now
     * @throws WithdrawalRefusedException as {@link #withdraw(String, boolean)}, and when the store's root has expired
     *                                    (no device holding it accepts any bundle: it is not their current root)
     *                                    or {@code earlier} is not a chain of rotations ending at it
     * @throws IOException                as {@link #withdraw(String, boolean)}
     */
    public Withdrawal withdraw(String channel, boolean leaveEmpty, List<TrustRoot> earlier) throws IOException {
        Objects.requireNonNull(earlier, "earlier");
        if (verifier == null) {
            throw new IllegalStateException("withdrawing needs a store made with the devices' trust root (new "
                    + "ChannelStore(root, new BundleVerifier(TrustRoot.read(trustFile)))): it withdraws only what "
                    + "that root refuses");
        }
        TrustRoot current = verifier.trust();
        if (current.isExpired(verifier.clock().instant())) {
            // checked first: an expired root refuses no signature as such, so every bundle would be judged by it
            throw new WithdrawalRefusedException("the trust file (version " + current.version() + ") expired at "
                    + current.expiresAt() + ": devices holding it accept no bundle (trust-expired), so it is not the"
                    + " trust file devices use now; withdraw with their current one. Nothing was changed");
        }
        List<BundleVerifier> judges = new ArrayList<>();
        for (int i = 0; i < earlier.size(); i++) {
            TrustRoot before = Objects.requireNonNull(earlier.get(i), "earlier root");
            TrustRoot next = i + 1 < earlier.size() ? earlier.get(i + 1) : current;
            try {
                before.acceptRotation(next, next.createdAt()); // as a device rebuilding its chain judges it
            } catch (io.edgeloop.ota.trust.TrustException e) {
                throw new WithdrawalRefusedException("the earlier trust files are not the devices' rotations up to "
                        + "the trust file (version " + current.version() + "): version " + before.version()
                        + " does not accept version " + next.version() + " (" + e.getMessage() + "); give them "
                        + "oldest first. Nothing was changed");
            }
            // their own expiry does not matter: a bundle they accepted then may be installed
            judges.add(new BundleVerifier(before, verifier.limits(), verifier.clock()));
        }
        Path dir = channelDir(channel);
        if (!channelDirectory(dir)) {
            throw new WithdrawalRefusedException("nothing is published on channel " + channel);
        }
        // both before any change: with only the channel writable, names.json and latest.json were rewritten and
        // then the move to withdrawn/ failed, leaving the channel lowered and the bundle still in it
        requireWritable(dir, "nothing was withdrawn from channel " + channel);
        requireWritable(root.resolve("withdrawn").resolve(channel), "nothing was withdrawn from channel " + channel);
        return underChannelLock(dir, channel, dir.resolve("latest.json"), () -> {
            Optional<Publication> latest = latest(channel);
            if (latest.isEmpty()) {
                throw new WithdrawalRefusedException("nothing is published on channel " + channel);
            }
            Publication bad = latest.get();
            Path file = dir.resolve(bad.sha256() + ".bundle");
            Optional<Check> refused;
            try (FileChannel c = openStored(file).orElse(null)) {
                if (c == null) {
                    throw new WithdrawalRefusedException("channel " + channel + "'s latest publication ("
                            + bad.name() + " sequence " + bad.sequence() + ") has no stored bundle to judge; publish"
                            + " it again or restore " + root.relativize(file));
                }
                // a damaged copy of a trusted bundle no longer verifies: judged by it, it would look never accepted
                requireNamedDigest(c, file, bad.sha256());
                refused = neverAccepted(c, judges);
            }
            if (refused.isEmpty()) {
                throw new WithdrawalRefusedException("channel " + channel + "'s latest publication ("
                        + bad.name() + " sequence " + bad.sequence() + ") is accepted, or may once have been, by "
                        + "the trust root (version " + verifier.trust().version() + (judges.isEmpty() ? ""
                        : " or an earlier one given") + "), so devices may have "
                        + "installed it and withdrawing it would offer them lower sequences as new; publish a "
                        + "higher sequence instead");
            }
            StoredBundles stored = storedOfModel(dir, channel, bad, judges);
            Optional<Publication> restored = stored.highestAcceptable();
            if (restored.isEmpty() && !leaveEmpty) {
                // a wrong trust file sees every bundle as unknown-key: it must not empty a healthy channel
                throw new WithdrawalRefusedException("the trust file (version " + verifier.trust().version()
                        + ") accepts none of the " + stored.count() + " bundle" + (stored.count() == 1 ? "" : "s")
                        + " of " + bad.name() + " stored on channel " + channel + ": is it the devices' trust file?"
                        + " Nothing was changed; withdrawing would leave the channel publishing nothing (when it is"
                        + " the devices' and " + bad.name() + " sequence " + bad.sequence() + " is the only bundle"
                        + " ever stored, confirm with --leave-empty, or withdraw(channel, true))");
            }
            ObjectNode names = readNames(dir);
            if (restored.isPresent()) {
                ObjectNode entry = names.putObject(bad.name());
                entry.put("sequence", restored.get().sequence());
                entry.put("sha256", restored.get().sha256());
            } else {
                names.remove(bad.name());
            }
            // names.json first, harmless alone: readNames takes latest.json for its model, so a failure or a kill
            // before latest.json is rewritten leaves the withdrawal undone (the bad one latest and the floor), to
            // withdraw again; latest.json's rename (or removal) is the commit
            writeNames(dir, names);
            betweenWrites.run(dir.resolve("names.json"));
            if (restored.isPresent()) {
                writeAtomically(dir, "latest.json", CanonicalJson.bytes(toJson(restored.get())));
            } else {
                Files.delete(dir.resolve("latest.json"));
                try {
                    AtomicFiles.syncDirectoryOrThrow(dir);
                } catch (IOException e) {
                    throw new IOException("withdrew " + bad.name() + " sequence " + bad.sequence() + " from channel "
                            + channel + " (latest.json removed), but " + dir + " could not be synced (" + e + "), so"
                            + " a power loss may bring it back; check the channel once the store's storage is"
                            + " healthy and withdraw again if it is", e);
                }
            }
            Path kept = root.resolve("withdrawn").resolve(channel).resolve(bad.sha256() + ".bundle");
            try {
                AtomicFiles.createDirectoriesDurably(kept.getParent());
                Files.move(file, kept, StandardCopyOption.REPLACE_EXISTING);
                AtomicFiles.syncDirectoryOrThrow(kept.getParent());
                AtomicFiles.syncDirectoryOrThrow(dir);
            } catch (IOException e) {
                // committed: say so, or the caller takes a done withdrawal for one that changed nothing
                throw new IOException("withdrew " + bad.name() + " sequence " + bad.sequence() + " from channel "
                        + channel + " (latest.json now " + restored.map(r -> "names sequence " + r.sequence())
                        .orElse("removed") + "), but could not move its bundle to " + kept + ": " + e
                        + "; it stays in the channel (or, if only a directory sync failed, may return there after a power"
                        + " loss), no longer offered: move it by hand", e);
            }
            return new Withdrawal(bad, refused.get(), kept, restored);
        });
    }

    /**
     * The model's bundles stored on a channel: how many (the withdrawn one included) and the highest-sequence one,
     * other than the withdrawn one, that a device holding the trust root may have installed.
     */
    private record StoredBundles(int count, Optional<Publication> highestAcceptable) {
    }

    /**
     * The bundles of {@code bad}'s model stored on the channel: their count ({@code bad}'s included; files that are
     * not readable bundles within the verifier's limits are no model's) and the highest-sequence one, other than
     * {@code bad}'s, that a device holding the trust root may have installed.
     */
    private StoredBundles storedOfModel(Path dir, String channel, Publication bad, List<BundleVerifier> earlier)
            throws IOException {
        Publication best = null;
        int count = 1; // bad's own, whatever it holds
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                String n = f.getFileName().toString();
                if (!STORED_BUNDLE.matcher(n).matches() || n.startsWith(bad.sha256())) {
                    continue;
                }
                try (FileChannel c = openStored(f).orElse(null)) {
                    if (c == null) {
                        continue; // gone since the listing
                    }
                    // any of them may be the model's highest: a damaged one is neither skipped nor published again
                    requireNamedDigest(c, f, n.substring(0, 64));
                    BundleManifest m;
                    try {
                        byte[] manifest = BundleArchive.read(from(c, 0), readLimits()).entries().get("manifest.json");
                        if (manifest == null) {
                            continue;
                        }
                        m = BundleVerifier.parseManifest(manifest);
                    } catch (BundleVerificationException e) {
                        continue; // not a bundle, so no model's
                    }
                    if (!m.name().equals(bad.name())) {
                        continue;
                    }
                    count++;
                    if (neverAccepted(c, earlier).isPresent()) {
                        continue;
                    }
                    if (best == null || m.sequence() > best.sequence()) {
                        best = new Publication(channel, m.name(), m.sequence(), n.substring(0, 64), c.size(),
                                f.toString());
                    }
                }
            }
        }
        return new StoredBundles(count, Optional.ofNullable(best));
    }

    private static final Pattern STORED_BUNDLE = Pattern.compile("[0-9a-f]{64}\\.bundle");

    /**
     * Checks that a stored bundle's bytes have the digest its name gives. A withdrawal judges the channel's bundles
     * by their bytes: one cut by a power loss, overwritten or copied in from elsewhere must not be taken for the
     * bundle it is named after (withdrawn as never accepted, skipped for a lower sequence, or published again under
     * a digest it does not have, which every device would refuse after downloading it).
     *
     * @throws DamagedStoreException when they do not
     */
    private void requireNamedDigest(FileChannel c, Path f, String sha) throws IOException {
        String actual = sha256(c);
        if (!actual.equals(sha)) {
            throw new DamagedStoreException(f, root.relativize(f).toString(), "a file of " + c.size()
                    + " bytes whose SHA-256 is " + actual, "the bundle its name gives", "the store names each bundle"
                    + " by its SHA-256 and never changes it", "Put the bundle with that digest back (the file that"
                    + " was published), or move this one out of the store, then withdraw again");
        }
    }

    /** Work done under a channel's lock. */
    private interface Locked<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code work} holding the channel's JVM monitor and its {@code .lock} file lock, after checking that
     * {@code .lock}, {@code latest.json}, {@code names.json} and {@code entry} are regular files or missing.
     */
    private <T> T underChannelLock(Path dir, String channel, Path entry, Locked<T> work) throws IOException {
        Object monitor = CHANNEL_LOCKS.computeIfAbsent(dir, k -> new Object());
        synchronized (monitor) {
            Path lockFile = dir.resolve(".lock");
            regularFile(lockFile);
            // read and write: opened for writing alone, a FIFO put there waited for a reader for good
            try (FileChannel lc = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS); FileLock fl = lc.lock()) {
                if (!fl.isValid()) {
                    throw new IOException("lost the lock on channel " + channel);
                }
                // an entry something else replaced (a directory, a link, a FIFO): refused before any change,
                // not overwritten nor read as missing (a names.json read as missing lost its floor)
                regularFile(entry);
                regularFile(dir.resolve("latest.json"));
                regularFile(dir.resolve("names.json"));
                return work.run();
            }
        }
    }

    /** The refusal of a bundle that failed {@code e}'s check: unreadable, or (readable) refused by the trust root. */
    private PublicationRefusedException refusal(String source, BundleVerificationException e) {
        if (verifier == null || UNREADABLE_CHECKS.contains(e.check())) {
            String what = verifier != null && e.check() == Check.SIZE_LIMIT
                    ? " exceeds the archive limits the channel store verifies with (its devices')"
                    : " is not a readable bundle";
            return new PublicationRefusedException(PublicationRefusedException.Reason.UNREADABLE, e.check(), source
                    + what + ", so devices would refuse it: " + e.getMessage(), e);
        }
        return new PublicationRefusedException(PublicationRefusedException.Reason.UNVERIFIED, e.check(), source
                + " fails verification against the channel store's trust root (version " + verifier.trust().version()
                + "), so devices holding it would refuse it: " + e.getMessage() + "; nothing was published (sign it"
                + " with the trust file's keys, or fix it, and publish again)", e);
    }

    /** The checks whose failure means the bytes are not a bundle at all (refused alike without a trust root). */
    private static final Set<Check> UNREADABLE_CHECKS = EnumSet.of(Check.ARCHIVE, Check.SIZE_LIMIT, Check.PATH,
            Check.ENTRY_TYPE, Check.DUPLICATE_ENTRY, Check.MANIFEST);

    /**
     * The model a channel carries: the name of its latest publication, else the only name in names.json (a
     * channel published by an older SDK may list several; its latest decides).
     */
    private Optional<String> carriedModel(Path dir, ObjectNode names) throws IOException {
        Optional<byte[]> latest = readStored(dir.resolve("latest.json"));
        if (latest.isPresent()) {
            return Optional.of(fromJson(CanonicalJson.parse(latest.get())).name());
        }
        if (names.size() == 1) {
            return Optional.of(names.fieldNames().next());
        }
        return Optional.empty();
    }

    /** True when the stored file is a regular file of the size and digest wanted. */
    private boolean intact(Path target, long size, String sha) throws IOException {
        try (FileChannel c = openStored(target).orElse(null)) {
            return c != null && c.size() == size && sha256(c).equals(sha);
        }
    }

    /**
     * The channel's floors: {@code names.json}'s entries, except that the model {@code latest.json} names takes
     * {@code latest.json}'s sequence and digest. latest.json is what devices act on and what a publish commits last,
     * so names.json differing from it for its model is a publish or withdrawal that did not finish: a publish
     * killed after raising names.json (SDKs before 2026-12-03 wrote it first) or one whose names.json failed after
     * the commit, or a withdrawal killed after lowering it. Taking latest.json undoes the unfinished withdrawal and
     * the unfinished old publish and keeps the finished new one. A channel published before names.json existed has
     * only latest.json.
     */
    private ObjectNode readNames(Path dir) throws IOException {
        ObjectNode names = readNamesFile(dir);
        Optional<byte[]> latest = readStored(dir.resolve("latest.json"));
        if (latest.isPresent()) {
            Publication p = fromJson(CanonicalJson.parse(latest.get()));
            ObjectNode e = names.putObject(p.name());
            e.put("sequence", p.sequence());
            e.put("sha256", p.sha256());
        }
        return names;
    }

    /** {@code names.json}'s {@code names} object; empty when there is no names.json. */
    private ObjectNode readNamesFile(Path dir) throws IOException {
        Path f = dir.resolve("names.json");
        Optional<byte[]> bytes = readStored(f);
        if (bytes.isEmpty()) {
            return CanonicalJson.object();
        }
        JsonNode n = CanonicalJson.parse(bytes.get());
        JsonNode fv = n.get("formatVersion");
        if (fv == null || !fv.isTextual() || !fv.textValue().startsWith("1.")) {
            throw new IOException(f + " has formatVersion " + fv + "; this SDK reads 1.x");
        }
        JsonNode names = n.get("names");
        if (names == null || !names.isObject()) {
            throw new IOException(f + " must hold a 'names' object of model names");
        }
        return (ObjectNode) names;
    }

    /**
     * Unique temporary name per writer, fsync, rename, directory fsync (a failed one thrown): readers never see a
     * torn file, and a write that returns survives a power loss.
     */
    private static void writeAtomically(Path dir, String name, byte[] bytes) throws IOException {
        AtomicFiles.writeDurably(dir.resolve(name), bytes);
    }

    /**
     * Deletes the temporary files that processes killed mid-publish (or, in the root, an {@link UpdateServer}
     * killed mid-upload) left in the root and in each channel directory: those named
     * {@code .<name>.<pid>.<n>.tmp} that no live writer holds locked (a writer holds its temporary file's OS lock
     * from creation until its rename, in whatever PID namespace it runs), whose pid is no longer a live process here
     * or is this process's own (a predecessor's, when the server is always PID 1); see
     * {@link AtomicFiles#deleteStaleTemporaryFiles}. Before, they had random names and stayed for good, each up to
     * a bundle's size. Locks are per kernel: on a root shared between hosts, call it only where the file system
     * carries locks between them (NFS with its lock service), else a publish running on another host could lose its
     * temporary file and fail. Writers of SDKs before 2026-12-02 hold no lock: theirs are judged by pid alone, as
     * before. Best effort: a file that cannot be deleted is left.
     *
     * @return how many files were deleted
     * @throws IOException when the channels directory cannot be listed
     */
    public int deleteStaleTemporaryFiles() throws IOException {
        int deleted = AtomicFiles.deleteStaleTemporaryFiles(root);
        Path channels = root.resolve("channels");
        if (Files.isDirectory(channels, LinkOption.NOFOLLOW_LINKS)) {
            try (java.util.stream.Stream<Path> s = Files.list(channels)) {
                for (Path d : (Iterable<Path>) s::iterator) {
                    if (CHANNEL.matcher(d.getFileName().toString()).matches()) {
                        deleted += AtomicFiles.deleteStaleTemporaryFiles(d);
                    }
                }
            }
        }
        return deleted;
    }

    /**
     * @param channel the channel
     * @return its current publication; empty when nothing was published on it
     * @throws DamagedStoreException when {@code latest.json} or the channel's directory is something the store
     *                               never writes there (a directory, a link, a FIFO), rather than missing
     * @throws IOException           when the channel cannot be read
     */
    public Optional<Publication> latest(String channel) throws IOException {
        Path dir = channelDir(channel);
        if (!channelDirectory(dir)) {
            return Optional.empty();
        }
        Optional<byte[]> f = readStored(dir.resolve("latest.json"));
        return f.isEmpty() ? Optional.empty() : Optional.of(fromJson(CanonicalJson.parse(f.get())));
    }

    /**
     * Resolves a stored bundle file.
     *
     * @param channel the channel
     * @param sha256  the digest
     * @return the file, when stored
     * @throws DamagedStoreException when something other than a regular file is at the bundle's name
     * @throws IOException           when the names are invalid
     */
    public Optional<Path> file(String channel, String sha256) throws IOException {
        if (!sha256.matches("[0-9a-f]{64}")) {
            return Optional.empty();
        }
        Path dir = channelDir(channel);
        Path f = dir.resolve(sha256 + ".bundle");
        return channelDirectory(dir) && regularFile(f) ? Optional.of(f) : Optional.empty();
    }

    /**
     * Opens a stored bundle for a download ({@link UpdateServer}): as {@link #file} (a name that is not a digest is
     * no bundle), through {@link #openStored}, so a FIFO put there cannot hold the server's worker.
     *
     * @return the open file, positioned at 0; empty when not stored
     * @throws DamagedStoreException when something other than a regular file is at the bundle's name
     */
    Optional<FileChannel> openBundle(String channel, String sha256) throws IOException {
        if (!sha256.matches("[0-9a-f]{64}")) {
            return Optional.empty();
        }
        Path dir = channelDir(channel);
        return channelDirectory(dir) ? openStored(dir.resolve(sha256 + ".bundle")) : Optional.empty();
    }

    /**
     * Opens a store entry for reading (only) through {@link RegularFileChannel#open}, so a FIFO at the name, or
     * swapped in after a check, cannot make the open wait for a writer for good (holding a server worker, or a
     * publish and the channel's lock).
     *
     * @return the open file, positioned at 0; empty when nothing is there
     * @throws DamagedStoreException when a directory, a link or a special file is there
     */
    private Optional<FileChannel> openStored(Path f) throws IOException {
        beforeOpen.accept(f);
        try {
            return Optional.of(RegularFileChannel.open(f));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (RegularFileChannel.NotRegularFileException e) {
            if (!regularFile(f)) { // names what is there now
                return Optional.empty();
            }
            throw new DamagedStoreException(f, root.relativize(f).toString(),
                    "a special file (a FIFO, socket or device)", "a regular file");
        }
    }

    /** The whole entry, read through {@link #openStored}; empty when nothing is there. */
    private Optional<byte[]> readStored(Path f) throws IOException {
        try (FileChannel c = openStored(f).orElse(null)) {
            return c == null ? Optional.empty() : Optional.of(from(c, 0).readAllBytes());
        }
    }

    /**
     * A stream of {@code c} from {@code position}; closing it would close {@code c}, so callers leave that to
     * whoever opened {@code c}.
     */
    private static InputStream from(FileChannel c, long position) throws IOException {
        return java.nio.channels.Channels.newInputStream(c.position(position));
    }

    /** The SHA-256 of {@code c}'s whole content, in hex. */
    private static String sha256(FileChannel c) throws IOException {
        MessageDigest md = Sha256.newDigest();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64 * 1024);
        c.position(0);
        while (c.read(buf) >= 0) {
            buf.flip();
            md.update(buf);
            buf.clear();
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Refuses a change in {@code dir} (when missing, in the nearest directory above it that exists, where it would be
     * created) when this process may not write there: a read-only mount, an immutable directory ({@code chattr +i},
     * which binds root too) or no write permission ({@code access(2)}, so ACLs count). Checked before anything is
     * written, so a read-only store is left as it was, and named: the error used to name a temporary file the
     * store was creating ({@code .incoming.<pid>.<n>.tmp: Operation not permitted}). Reads need no such check.
     *
     * @param consequence what the caller did not do, for the message
     * @throws FileSystemException naming the directory
     */
    void requireWritable(Path dir, String consequence) throws IOException {
        Path d = dir;
        while (d != null && !Files.exists(d)) {
            d = d.getParent();
        }
        if (d != null && !Files.isWritable(d)) {
            throw new FileSystemException(d.toString(), null, "the channel store cannot write here (a read-only "
                    + "mount, an immutable directory (chattr +i) or no write permission): " + consequence
                    + "; reads of the store still work");
        }
    }

    /** A step of a publish or withdrawal that may fail. */
    interface Step {
        void run(Path written) throws IOException;
    }

    /**
     * Test seam: runs between a publish's or a withdrawal's first and second write of {@code latest.json} and
     * {@code names.json}, given the file just written (a test fails there, or kills the process).
     */
    static volatile Step betweenWrites = f -> {
    };

    /** Test seam: runs just before an entry is opened for reading (a test swaps a FIFO in there). */
    static volatile java.util.function.Consumer<Path> beforeOpen = f -> {
    };

    /**
     * Whether {@code f} holds a regular file (true) or nothing (false).
     *
     * @throws DamagedStoreException when something else is there (not followed: the store writes no links)
     */
    private boolean regularFile(Path f) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (a.isRegularFile()) {
            return true;
        }
        throw damaged(f, a, "a regular file");
    }

    /**
     * Whether {@code channels/} and the channel's directory exist (true) or not (false), followed when links (an
     * operator may keep a channel on another disk).
     *
     * @throws DamagedStoreException when either is something other than a directory
     */
    private boolean channelDirectory(Path dir) throws IOException {
        for (Path d : new Path[] {root.resolve("channels"), dir}) {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(d, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                return false;
            }
            if (!a.isDirectory()) {
                throw damaged(d, a, "a directory");
            }
        }
        return true;
    }

    private DamagedStoreException damaged(Path f, BasicFileAttributes a, String wanted) {
        String found = a.isDirectory() ? "a directory" : a.isSymbolicLink() ? "a symbolic link"
                : a.isRegularFile() ? "a regular file" : "a special file (a FIFO, socket or device)";
        return new DamagedStoreException(f, root.relativize(f).toString(), found, wanted);
    }

    /**
     * @param p a publication
     * @return its JSON form
     */
    public static ObjectNode toJson(Publication p) {
        ObjectNode o = CanonicalJson.object();
        o.put("channel", p.channel());
        o.put("name", p.name());
        o.put("sequence", p.sequence());
        o.put("sha256", p.sha256());
        o.put("sizeBytes", p.sizeBytes());
        o.put("location", p.location());
        return o;
    }

    /**
     * Reads a publication strictly: the text fields must be strings and {@code sequence} and {@code sizeBytes}
     * integers (a device decides what to fetch from them, and an update server's answer is untrusted input: they
     * used to be coerced, so {@code "sequence":"9"}, {@code 9.5} and an integer beyond 64 bits were read as some
     * number). The error names the field and quotes at most 100 characters of what was sent.
     *
     * @param n the JSON form
     * @return the publication
     * @throws IOException when malformed
     */
    public static Publication fromJson(JsonNode n) throws IOException {
        if (n == null || !n.isObject()) {
            throw new IOException("malformed publication JSON: not an object: " + quoted(n));
        }
        try {
            return new Publication(text(n, "channel"), text(n, "name"), integer(n, "sequence"), text(n, "sha256"),
                    integer(n, "sizeBytes"), text(n, "location"));
        } catch (IllegalArgumentException e) {
            throw new IOException("malformed publication JSON: "
                    + PrintableText.of(e.getMessage(), 2 * QUOTED_CHARS), e);
        }
    }

    /** The most characters of a malformed value an error message quotes. */
    private static final int QUOTED_CHARS = 100;

    private static String text(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException("malformed publication JSON: '" + field + "' is " + (v == null ? "missing"
                    : "not a string: " + quoted(v)));
        }
        return v.textValue();
    }

    private static long integer(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IOException("malformed publication JSON: '" + field + "' is " + (v == null ? "missing"
                    : "not a 64-bit integer: " + quoted(v)));
        }
        return v.longValue();
    }

    private static String quoted(JsonNode v) {
        String s = String.valueOf(v);
        return PrintableText.of(s, QUOTED_CHARS) + (s.length() > QUOTED_CHARS ? "..." : "");
    }
}
