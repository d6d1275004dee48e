package io.edgeloop.ota.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.ota.file.AtomicFiles;
import io.edgeloop.ota.json.CanonicalJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trust file: the keys allowed to sign bundles, how many of them must sign (k of n), which keys are revoked,
 * and when the file expires. A new trust file replaces the current one only when signed by the current file's
 * threshold and by its own ({@link #acceptRotation}). Format: {@code docs/formats/trust.md}.
 *
 * <p>Thread-safe: immutable.
 */
public final class TrustRoot {
    /** The {@code type} field of every trust file. */
    public static final String TYPE = "edgeloop-trust";
    /** Format version written; readers accept major version 1. */
    public static final String FORMAT_VERSION = "1.0";
    /** Largest trust file read. */
    public static final int MAX_BYTES = 256 * 1024;
    /** Prefix of the signed bytes, so a trust signature can never be replayed as a bundle signature. */
    static final byte[] DOMAIN = "edgeloop-trust/v1\n".getBytes(StandardCharsets.US_ASCII);
    private static final Logger LOG = LoggerFactory.getLogger(TrustRoot.class);
    /** What every key id is: the lowercase hex SHA-256 of a canonical SubjectPublicKeyInfo. */
    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{64}");

    private final long version;
    private final Instant createdAt;
    private final Instant expiresAt;
    private final int threshold;
    private final Map<String, VerificationKey> keys;
    private final Set<String> revoked;
    private final List<SignatureRecord> signatures;

    private TrustRoot(Builder b, List<SignatureRecord> signatures) {
        this.version = b.version;
        this.createdAt = b.createdAt;
        this.expiresAt = b.expiresAt;
        this.threshold = b.threshold;
        this.keys = Collections.unmodifiableMap(new LinkedHashMap<>(b.keys));
        this.revoked = Collections.unmodifiableSet(new TreeSet<>(b.revoked));
        this.signatures = List.copyOf(signatures);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this file's content (without signatures), for the next version */
    public Builder toBuilder() {
        Builder b = new Builder().version(version).createdAt(createdAt).expiresAt(expiresAt).threshold(threshold);
        keys.values().forEach(b::key);
        revoked.forEach(b::revoke);
        return b;
    }

    /** @return the monotonically increasing version */
    public long version() {
        return version;
    }

    /** @return when the file was made */
    public Instant createdAt() {
        return createdAt;
    }

    /** @return after this instant the file is no longer trusted */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** @return how many distinct keys must sign */
    public int threshold() {
        return threshold;
    }

    /** @return the listed keys by key id (revoked ones included) */
    public Map<String, VerificationKey> keys() {
        return keys;
    }

    /** @return revoked key ids */
    public Set<String> revokedKeys() {
        return revoked;
    }

    /** @return the signatures over this file (empty for a provisioned first root) */
    public List<SignatureRecord> signatures() {
        return signatures;
    }

    /**
     * @param now the current time
     * @return true when {@code now} is after {@link #expiresAt()}
     */
    public boolean isExpired(Instant now) {
        return now.isAfter(expiresAt);
    }

    /**
     * Counts valid signatures over a message by trusted, unrevoked keys, each key once.
     *
     * @param message    the signed bytes
     * @param signatures the signatures
     * @return the count and what was ignored
     */
    public ThresholdResult check(byte[] message, List<SignatureRecord> signatures) {
        Set<String> valid = new TreeSet<>();
        List<String> unknown = new ArrayList<>();
        List<String> rev = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        int repeated = 0;
        for (SignatureRecord s : signatures) {
            if (revoked.contains(s.keyId())) {
                rev.add(s.keyId());
                continue;
            }
            VerificationKey k = keys.get(s.keyId());
            if (k == null) {
                unknown.add(s.keyId());
            } else if (valid.contains(s.keyId())) {
                repeated++;
            } else if (k.algorithm() == s.algorithm() && k.verify(message, s.signature())) {
                valid.add(s.keyId());
            } else {
                invalid.add(s.keyId());
            }
        }
        return new ThresholdResult(threshold, valid, unknown, rev, invalid, repeated);
    }

    /**
     * Returns the bytes that trust-file signatures cover: a domain prefix and the canonical {@code signed}
     * object.
     *
     * @return the signed bytes
     */
    public byte[] signedBytes() {
        byte[] body = CanonicalJson.bytes(signedJson());
        byte[] out = new byte[DOMAIN.length + body.length];
        System.arraycopy(DOMAIN, 0, out, 0, DOMAIN.length);
        System.arraycopy(body, 0, out, DOMAIN.length, body.length);
        return out;
    }

    /**
     * Returns a copy signed by the given keys (existing signatures by other keys are kept).
     *
     * @param signers the keys
     * @return the signed copy
     */
    public TrustRoot signedBy(SigningKey... signers) {
        List<SignatureRecord> sigs = new ArrayList<>(signatures);
        byte[] msg = signedBytes();
        for (SigningKey k : signers) {
            sigs.removeIf(s -> s.keyId().equals(k.keyId()));
            sigs.add(k.signRecord(msg));
        }
        return new TrustRoot(toBuilder(), sigs);
    }

    /**
     * Counts this file's own signatures over its {@link #signedBytes()} by its own unrevoked keys: the second half of
     * what {@link #acceptRotation} requires of a new root.
     *
     * @return the count against this file's own threshold
     */
    public ThresholdResult ownSignatures() {
        return check(signedBytes(), signatures);
    }

    /**
     * Checks what can be checked of a rotated root without the root before it: a file above version 1 must be
     * signed by its own threshold of its own unrevoked keys over its current content, so a file edited after it was
     * signed is refused. A version 1 file is a provisioned root and is taken as given. When the previous root is at
     * hand, use {@link #acceptRotation} as well.
     *
     * @return this root
     * @throws TrustException when a rotated root does not meet its own threshold
     */
    public TrustRoot requireOwnSignatures() throws TrustException {
        if (version > 1) {
            ThresholdResult own = ownSignatures();
            if (!own.met()) {
                throw new TrustException("trust version " + version + " is not signed by its own threshold over its "
                        + "content (" + own.describe() + "): it was edited after signing or never signed, and a "
                        + "device never adopts it");
            }
        }
        return this;
    }

    /**
     * Returns the revoked key ids that name no key this root lists, nor a key the previous root listed or had
     * already revoked: most likely a mistyped or wrong id, which revokes nothing that was ever trusted while the key
     * meant stays trusted. {@link #acceptRotation} logs them as a warning.
     *
     * @param previous the root this one replaces
     * @return the unmatched revocations, sorted; empty when every revocation names a known key
     */
    public Set<String> revocationsMatchingNoKey(TrustRoot previous) {
        Objects.requireNonNull(previous, "previous");
        Set<String> out = new TreeSet<>();
        for (String id : revoked) {
            if (!keys.containsKey(id) && !previous.keys.containsKey(id) && !previous.revoked.contains(id)) {
                out.add(id);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /**
     * Checks that {@code next} may replace this trust root: a higher version, not expired, signed by this root's
     * threshold of its unrevoked keys and by the new root's own threshold of its unrevoked keys (so keys being
     * revoked by {@code next} can still vote it in, but never count for it).
     *
     * @param next the proposed trust root
     * @param now  the current time
     * @return {@code next}
     * @throws TrustException naming the failed check
     */
    public TrustRoot acceptRotation(TrustRoot next, Instant now) throws TrustException {
        Objects.requireNonNull(next, "next");
        if (next.version <= version) {
            throw new TrustException("trust rotation refused: version " + next.version + " is not above the current "
                    + version);
        }
        if (next.isExpired(now)) {
            throw new TrustException("trust rotation refused: the new trust file expired at " + next.expiresAt);
        }
        byte[] msg = next.signedBytes();
        ThresholdResult old = check(msg, next.signatures);
        if (!old.met()) {
            throw new TrustException("trust rotation refused: not signed by the current threshold (" + old.describe()
                    + ")");
        }
        ThresholdResult own = next.ownSignatures();
        if (!own.met()) {
            throw new TrustException("trust rotation refused: not signed by the new file's own threshold ("
                    + own.describe() + ")");
        }
        Set<String> unmatched = next.revocationsMatchingNoKey(this);
        if (!unmatched.isEmpty()) {
            LOG.warn("trust version {} revokes key ids listed in neither version {} nor {}: {}; unless these keys "
                    + "were dropped before version {}, an id is wrong and the key meant is still trusted",
                    next.version, version, next.version, unmatched, version);
        }
        return next;
    }

    private ObjectNode signedJson() {
        ObjectNode o = CanonicalJson.object();
        o.put("type", TYPE);
        o.put("formatVersion", FORMAT_VERSION);
        o.put("version", version);
        o.put("createdAt", createdAt.toString());
        o.put("expiresAt", expiresAt.toString());
        o.put("threshold", threshold);
        ArrayNode ks = o.putArray("keys");
        for (VerificationKey k : keys.values()) {
            ObjectNode kn = ks.addObject();
            kn.put("keyId", k.keyId());
            kn.put("alg", k.algorithm().id());
            kn.put("publicKey", Base64.getEncoder().encodeToString(k.encoded()));
        }
        ArrayNode rv = o.putArray("revokedKeys");
        revoked.forEach(rv::add);
        return o;
    }

    /** @return the file bytes: canonical JSON {@code {"signatures":[...],"signed":{...}}} */
    public byte[] toBytes() {
        ObjectNode o = CanonicalJson.object();
        o.set("signed", signedJson());
        ArrayNode sigs = o.putArray("signatures");
        signatures.forEach(s -> sigs.add(s.toJson()));
        return CanonicalJson.bytes(o);
    }

    /**
     * Writes the file atomically: a temporary file of this call's own, synced, then renamed over the file, and the
     * directory synced; concurrent writers of one file each leave a whole trust file (the last rename wins). Once
     * this returns the file survives a power loss: a failed sync of the directory after the rename is thrown (the
     * file then holds the new trust root, which a power loss may take back; write it again). Then deletes the
     * temporary files that writers of this file killed before their rename left beside it (only those no live
     * writer holds locked, see {@code AtomicFiles.deleteStaleTemporaryFilesOf}).
     *
     * @param file the destination
     * @throws IOException when writing fails, or the directory's sync after the rename
     */
    public void write(Path file) throws IOException {
        // A temporary file of this writer's own: a shared "<file>.tmp" let two writers tear or lose the file.
        // Durably: a write whose directory sync failed returned, and a power cut took the new trust root back.
        AtomicFiles.writeDurably(file, toBytes());
        AtomicFiles.deleteStaleTemporaryFilesOf(file); // those of writers killed before their rename
    }

    /**
     * Reads a trust file.
     *
     * @param file the file
     * @return the trust root
     * @throws IOException when unreadable; {@link TrustException} when malformed
     */
    public static TrustRoot read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new TrustException("trust file " + file + " is a directory, not a trust file");
        }
        // At most MAX_BYTES + 1 bytes whatever Files.size says: it is 0 for /dev/zero, a FIFO or a pipe.
        byte[] bytes;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (java.nio.file.FileSystemException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("cannot read trust file " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new TrustException("trust file " + file + " is larger than " + MAX_BYTES + " bytes");
        }
        try {
            return parse(bytes);
        } catch (TrustException e) {
            throw new TrustException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses trust-file bytes. Checks structure, format version and key ids; does not check expiry or
     * signatures (see {@link #acceptRotation}).
     *
     * @param bytes the file content
     * @return the trust root
     * @throws TrustException when malformed or of an unknown major version
     */
    public static TrustRoot parse(byte[] bytes) throws TrustException {
        if (bytes.length > MAX_BYTES) {
            throw new TrustException("trust file is larger than " + MAX_BYTES + " bytes");
        }
        String head = new String(bytes, 0, Math.min(bytes.length, 64), java.nio.charset.StandardCharsets.US_ASCII)
                .stripLeading();
        if (head.startsWith("-----BEGIN")) {
            // a key given where the trust file goes: it said "invalid JSON at line 1, column 2 ... expected digit"
            throw new TrustException("a PEM " + (head.startsWith("-----BEGIN PUBLIC") ? "public key" : "file") + ", "
                    + "not a trust file: make one from the public keys with 'edgeloop bundle trust --key "
                    + "public.pem --out trust.json' and pass that");
        }
        try {
            JsonNode root = CanonicalJson.parse(bytes);
            JsonNode s = root.get("signed");
            if (s == null || !s.isObject()) {
                throw new TrustException("trust file has no 'signed' object");
            }
            if (!TYPE.equals(text(s, "type"))) {
                throw new TrustException("not a trust file: type is '" + text(s, "type") + "', expected " + TYPE);
            }
            String fv = text(s, "formatVersion");
            if (!fv.startsWith("1.")) {
                throw new TrustException("unsupported trust file formatVersion " + fv + " (this SDK reads 1.x)");
            }
            Builder b = builder().version(integer(s, "version")).createdAt(instant(s, "createdAt"))
                    .expiresAt(instant(s, "expiresAt")).threshold(int32(s, "threshold", 1, Integer.MAX_VALUE));
            JsonNode ks = s.get("keys");
            if (ks == null || !ks.isArray()) {
                throw new TrustException("trust file 'keys' must be an array");
            }
            for (JsonNode kn : ks) {
                KeyAlgorithm alg = KeyAlgorithm.of(text(kn, "alg"));
                VerificationKey k = VerificationKey.of(alg, Base64.getDecoder().decode(text(kn, "publicKey")));
                if (!k.keyId().equals(text(kn, "keyId"))) {
                    throw new TrustException("trust file key id " + text(kn, "keyId")
                            + " does not match its public key (expected " + k.keyId() + ")");
                }
                b.key(k);
            }
            JsonNode rv = s.get("revokedKeys");
            if (rv != null) {
                if (!rv.isArray()) {
                    throw new TrustException("trust file 'revokedKeys' must be an array of key ids");
                }
                for (int i = 0; i < rv.size(); i++) {
                    JsonNode r = rv.get(i);
                    if (!r.isTextual() || !KEY_ID.matcher(r.textValue()).matches()) {
                        throw new TrustException("trust file revokedKeys[" + i + "] is " + r + ", not a key id: "
                                + "expected 64 lowercase hex digits, as in keys[].keyId");
                    }
                    b.revoke(r.textValue());
                }
            }
            List<SignatureRecord> sigs = new ArrayList<>();
            JsonNode sn = root.get("signatures");
            if (sn != null) {
                if (!sn.isArray() || sn.size() > 64) {
                    throw new TrustException("trust file 'signatures' must be an array of at most 64");
                }
                for (JsonNode x : sn) {
                    sigs.add(SignatureRecord.fromJson(x));
                }
            }
            return new TrustRoot(b.validated(), sigs);
        } catch (TrustException e) {
            throw e;
        } catch (IOException | IllegalArgumentException | GeneralSecurityException | DateTimeParseException e) {
            throw new TrustException("malformed trust file: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode o, String f) throws TrustException {
        JsonNode n = o.get(f);
        if (n == null || !n.isTextual()) {
            throw new TrustException("trust file field '" + f + "' must be a string");
        }
        return n.textValue();
    }

    private static long integer(JsonNode o, String f) throws TrustException {
        JsonNode n = o.get(f);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new TrustException("trust file field '" + f + "' must be an integer");
        }
        return n.longValue();
    }

    /** Range-checks before narrowing, so 2^32 + 1 is refused rather than read as 1. */
    private static int int32(JsonNode o, String f, int min, int max) throws TrustException {
        long v = integer(o, f);
        if (v < min || v > max) {
            throw new TrustException("trust file field '" + f + "' is " + v + "; it must be between " + min + " and "
                    + max);
        }
        return (int) v;
    }

    private static Instant instant(JsonNode o, String f) throws TrustException {
        return Instant.parse(text(o, f));
    }

    /** Builder for {@link TrustRoot}. Not thread-safe. */
    public static final class Builder {
        private long version = 1;
        private Instant createdAt;
        private Instant expiresAt;
        private int threshold = 1;
        private final Map<String, VerificationKey> keys = new LinkedHashMap<>();
        private final Set<String> revoked = new TreeSet<>();

        private Builder() {
        }

        /**
         * @param version the version, at least 1
         * @return this builder
         */
        public Builder version(long version) {
            this.version = version;
            return this;
        }

        /**
         * @param createdAt creation time
         * @return this builder
         */
        public Builder createdAt(Instant createdAt) {
            this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
            return this;
        }

        /**
         * @param expiresAt expiry time
         * @return this builder
         */
        public Builder expiresAt(Instant expiresAt) {
            this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
            return this;
        }

        /**
         * @param threshold how many distinct keys must sign, 1..number of unrevoked keys
         * @return this builder
         */
        public Builder threshold(int threshold) {
            this.threshold = threshold;
            return this;
        }

        /**
         * @param key a trusted key (listed once; adding it again is a no-op)
         * @return this builder
         */
        public Builder key(VerificationKey key) {
            Objects.requireNonNull(key, "key");
            keys.putIfAbsent(key.keyId(), key);
            return this;
        }

        /**
         * @param keyId a key id never to count again: 64 lowercase hex digits ({@link VerificationKey#keyId()}),
         *              checked by {@link #build()}
         * @return this builder
         */
        public Builder revoke(String keyId) {
            revoked.add(Objects.requireNonNull(keyId, "keyId"));
            return this;
        }

        /**
         * @param keyId a key id to remove from the listed keys
         * @return this builder
         */
        public Builder removeKey(String keyId) {
            keys.remove(Objects.requireNonNull(keyId, "keyId"));
            return this;
        }

        private Builder validated() {
            for (String id : revoked) {
                if (!KEY_ID.matcher(id).matches()) {
                    throw new IllegalArgumentException("revoked key id '" + id + "' is not a key id: expected 64 "
                            + "lowercase hex digits (VerificationKey.keyId())");
                }
            }
            if (version < 1) {
                throw new IllegalArgumentException("trust version must be at least 1, got " + version);
            }
            if (createdAt == null || expiresAt == null) {
                throw new IllegalArgumentException("trust root needs createdAt and expiresAt");
            }
            if (!expiresAt.isAfter(createdAt)) {
                throw new IllegalArgumentException("trust root expiresAt must be after createdAt");
            }
            long active = keys.keySet().stream().filter(k -> !revoked.contains(k)).count();
            if (threshold < 1 || threshold > active) {
                throw new IllegalArgumentException("threshold must be between 1 and the " + active
                        + " unrevoked keys, got " + threshold);
            }
            return this;
        }

        /**
         * @return the unsigned trust root
         * @throws IllegalArgumentException when the threshold exceeds the unrevoked keys, times are missing or a
         *                                  revoked key id is not 64 lowercase hex digits
         */
        public TrustRoot build() {
            return new TrustRoot(validated(), List.of());
        }
    }
}
