package io.edgeloop.ota.bundle;

import java.util.Locale;

/**
 * The verification checks, in the order a verifier runs them. A refused bundle names exactly one.
 *
 * <p>Thread-safe: immutable.
 */
public enum Check {
    /** The bytes are not a readable tar (or gzip-compressed tar) archive, or it is truncated. */
    ARCHIVE,
    /** An entry or the whole archive exceeds a size limit, or the compression ratio suggests a bomb. */
    SIZE_LIMIT,
    /** An entry name is absolute, contains {@code ..}, or lies outside the allowed layout. */
    PATH,
    /** An entry is not a regular file (symlink, hard link, device, FIFO, directory). */
    ENTRY_TYPE,
    /** Two entries have the same name. */
    DUPLICATE_ENTRY,
    /** manifest.json is missing, malformed, not canonical, or of an unknown format version. */
    MANIFEST,
    /** signatures.json is missing, malformed, or holds no signature. */
    SIGNATURES_MISSING,
    /** A signature is by a key the trust file does not list. */
    UNKNOWN_KEY,
    /** A signature is by a revoked key. */
    REVOKED_KEY,
    /** A signature does not verify (the manifest was changed after signing). */
    SIGNATURE_INVALID,
    /** Fewer distinct trusted keys signed than the trust file's threshold. */
    THRESHOLD,
    /** The trust file itself has expired. */
    TRUST_EXPIRED,
    /** The bundle has expired. */
    EXPIRED,
    /** The manifest's model name is not the model the device runs (model substitution). */
    MODEL_NAME,
    /** The sequence is not above the device's (rollback or replay). */
    ROLLBACK,
    /** The security epoch is below the device's committed epoch. */
    SECURITY_EPOCH,
    /** No artifact matches the device's target profile and hardware variant. */
    TARGET,
    /** The artifact's runtime or runtime version constraint does not match the device. */
    RUNTIME,
    /** An archive entry is not listed in the manifest, or a listed artifact is missing. */
    ENTRY_SET,
    /** An artifact's size or SHA-256 does not match the manifest. */
    DIGEST,
    /** The model does not load, or its outputs on the golden vectors are not bit-exact. */
    GOLDEN_VECTORS,
    /** The model failed its health check after the switch. */
    HEALTH;

    /** @return the lower-kebab name used in messages and JSON ({@code signature-invalid}) */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
