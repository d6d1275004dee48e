package io.edgeloop.cli.bundle;

import io.edgeloop.cli.OutputPath;
import io.edgeloop.ota.trust.KeyPairFiles;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop bundle trust}: writes a trust file listing public keys and a k-of-n threshold. With
 * {@code --previous}, writes the next version (rotation) signed by {@code --sign} keys, and checks that it
 * would be accepted by devices holding the previous file. A rotation that newly revokes a key of the previous
 * file prints a warning: bundles that key signed (installed on devices or published) stay valid only when their
 * other signatures meet the previous threshold or the new one.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "trust", mixinStandardHelpOptions = true,
        description = "Write a trust file: the public keys allowed to sign bundles and how many must sign.")
public final class BundleTrustCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--key", required = true, paramLabel = "PUBLIC.pem", description = "A trusted public key (repeat).")
    private List<Path> keys = new ArrayList<>();

    @Option(names = "--threshold", required = true, paramLabel = "K", description = "Distinct keys that must sign.")
    private int threshold;

    @Option(names = "--out", required = true, paramLabel = "TRUST.json", description = "The trust file to write "
            + "(it may replace a trust file; another existing file only with --force; never an input, --previous "
            + "included).")
    private Path out;

    @Option(names = "--force", description = "Replace an existing --out file that is not a trust file.")
    private boolean force;

    /** The longest {@code --expires-days}: 100 years, the limit bundle create puts on a bundle's validity. */
    static final long MAX_EXPIRES_DAYS = 36_525;

    @Option(names = "--expires-days", defaultValue = "365", description = "Validity in days, 1 to 36525 (100 years) "
            + "(default: ${DEFAULT-VALUE}).")
    private long expiresDays;

    @Option(names = "--revoke", paramLabel = "PUBLIC.pem", description = "A key never to count again (repeat).")
    private List<Path> revoke = new ArrayList<>();

    @Option(names = "--previous", paramLabel = "TRUST.json",
            description = "Rotate: the trust file devices hold now; the new file gets the next version.")
    private Path previous;

    @Option(names = "--sign", paramLabel = "PRIVATE.pem",
            description = "Rotate: keys signing the new file (old threshold and new threshold must be met).")
    private List<Path> sign = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        // The output first: it must not destroy an input (the previous version is what devices hold and what
        // verify --previous checks) or a file of another kind.
        for (Path k : keys) {
            OutputPath.refuseInput("--out", out, "--key", k);
        }
        for (Path k : revoke) {
            OutputPath.refuseInput("--out", out, "--revoke", k);
        }
        for (Path k : sign) {
            OutputPath.refuseInput("--out", out, "--sign", k);
        }
        OutputPath.refuseInput("--out", out, "--previous", previous);
        if (!force && Files.exists(out) && !Files.isDirectory(out)) {
            try {
                TrustRoot.read(out);
            } catch (IOException e) {
                IllegalArgumentException x = new IllegalArgumentException("--out " + out + " exists and is not a "
                        + "trust file (" + e.getMessage() + "); bundle trust replaces only a trust file: choose another "
                        + "path, or add --force to replace it");
                x.addSuppressed(e);
                throw x;
            }
        }
        if (expiresDays < 1 || expiresDays > MAX_EXPIRES_DAYS) {
            throw new IllegalArgumentException("--expires-days must be between 1 and " + MAX_EXPIRES_DAYS
                    + " (100 years, as bundle create's --expires), got " + expiresDays);
        }
        Instant now = Instant.now();
        TrustRoot prev = previous == null ? null : TrustRoot.read(previous);
        TrustRoot.Builder b = TrustRoot.builder().version(prev == null ? 1 : prev.version() + 1).createdAt(now)
                .expiresAt(now.plus(Duration.ofDays(expiresDays))).threshold(threshold);
        java.util.Map<String, Path> given = new java.util.HashMap<>();
        for (Path k : keys) {
            io.edgeloop.ota.trust.VerificationKey key = KeyPairFiles.readVerificationKey(k);
            Path first = given.putIfAbsent(key.keyId(), k);
            if (first != null) {
                // the trust file would list it once, so a threshold counting it twice could never be met
                throw new IllegalArgumentException("--key " + k + (first.equals(k) ? " is given more than once"
                        : " holds the same key as --key " + first) + " (key id " + key.keyId() + "); each key "
                        + "counts once toward --threshold");
            }
            b.key(key);
        }
        if (prev != null) {
            prev.revokedKeys().forEach(b::revoke);
        }
        for (Path k : revoke) {
            b.revoke(KeyPairFiles.readVerificationKey(k).keyId());
        }
        TrustRoot t;
        try {
            t = b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("threshold") ? "--threshold " + threshold
                    + ": " + e.getMessage() : e.getMessage(), e);
        }
        if (!sign.isEmpty()) {
            List<SigningKey> signers = new ArrayList<>();
            for (Path p : sign) {
                signers.add(KeyPairFiles.readSigningKey(p));
            }
            t = t.signedBy(signers.toArray(new SigningKey[0]));
        }
        if (prev != null) {
            prev.acceptRotation(t, now);
        }
        t.write(out);
        if (prev != null) {
            warnAboutRevocations(prev, t);
        }
        spec.commandLine().getOut().println("wrote " + out + ": version " + t.version() + ", " + t.threshold() + " of "
                + t.keys().size() + " keys, expires " + t.expiresAt());
        return 0;
    }

    /** Warns when the new file revokes keys the previous one trusted: what that key signed may become invalid. */
    private void warnAboutRevocations(TrustRoot prev, TrustRoot next) {
        List<String> newlyRevoked = new ArrayList<>();
        for (String id : next.revokedKeys()) {
            if (prev.keys().containsKey(id) && !prev.revokedKeys().contains(id)) {
                newlyRevoked.add(id);
            }
        }
        if (newlyRevoked.isEmpty()) {
            return;
        }
        spec.commandLine().getErr().println("edgeloop: warning: version " + next.version() + " revokes " + String.join(", ",
                newlyRevoked) + ": a bundle signed with it (installed on devices or published) stays valid only when "
                + "its other signatures meet version " + prev.version() + "'s threshold (" + prev.threshold()
                + ") or this version's (" + next.threshold() + " of its keys); devices drop other such models at "
                + "their next restart and run the other slot or none, until a bundle signed under version "
                + next.version() + " reaches them");
    }
}
