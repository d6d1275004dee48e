package io.edgeloop.ota.bundle;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A bundle that passed every check of a {@link VerificationPolicy}: its manifest, the artifact selected for
 * the device (when the policy named a target), every artifact's verified bytes, and the keys that signed.
 *
 * <p>Thread-safe: immutable (byte arrays are shared: do not modify).
 */
public final class VerifiedBundle {
    private final BundleManifest manifest;
    private final ArtifactEntry selected;
    private final Map<String, byte[]> artifacts;
    private final Set<String> signers;
    private final byte[] manifestBytes;
    private final byte[] signaturesBytes;

    VerifiedBundle(BundleManifest manifest, ArtifactEntry selected, Map<String, byte[]> artifacts, Set<String> signers,
            byte[] manifestBytes, byte[] signaturesBytes) {
        this.manifestBytes = manifestBytes;
        this.signaturesBytes = signaturesBytes;
        this.manifest = manifest;
        this.selected = selected;
        this.artifacts = Map.copyOf(artifacts);
        this.signers = Set.copyOf(signers);
    }

    /** @return the manifest */
    public BundleManifest manifest() {
        return manifest;
    }

    /** @return the artifact for the policy's target, if one was requested */
    public Optional<ArtifactEntry> selected() {
        return Optional.ofNullable(selected);
    }

    /**
     * @param entry an artifact of this bundle
     * @return its verified bytes
     */
    public byte[] bytes(ArtifactEntry entry) {
        byte[] b = artifacts.get(entry.path());
        if (b == null) {
            throw new IllegalArgumentException("no artifact " + entry.path() + " in this bundle");
        }
        return b;
    }

    /** @return the canonical manifest bytes as signed (shared: do not modify) */
    public byte[] manifestBytes() {
        return manifestBytes;
    }

    /** @return the signatures.json bytes (shared: do not modify) */
    public byte[] signaturesBytes() {
        return signaturesBytes;
    }

    /** @return key ids of the trusted keys that signed */
    public Set<String> signers() {
        return signers;
    }
}
