package io.edgeloop.ota.trust;

import java.util.Locale;

/**
 * Signature algorithms accepted for bundles and trust files.
 *
 * <p>Thread-safe: immutable.
 */
public enum KeyAlgorithm {
    /** Ed25519 (RFC 8032), deterministic. */
    ED25519("ed25519", "Ed25519", "Ed25519", "Ed25519"),
    /** ECDSA over NIST P-256 with SHA-256; signatures are DER, signing uses deterministic nonces (RFC 6979). */
    P256("p256", "EC", "SHA256withECDDSA", "SHA256withECDSA");

    private final String id;
    private final String keyFactory;
    private final String signAlgorithm;
    private final String verifyAlgorithm;

    KeyAlgorithm(String id, String keyFactory, String signAlgorithm, String verifyAlgorithm) {
        this.id = id;
        this.keyFactory = keyFactory;
        this.signAlgorithm = signAlgorithm;
        this.verifyAlgorithm = verifyAlgorithm;
    }

    /** @return the identifier used in files ({@code ed25519}, {@code p256}) */
    public String id() {
        return id;
    }

    String keyFactory() {
        return keyFactory;
    }

    String signAlgorithm() {
        return signAlgorithm;
    }

    String verifyAlgorithm() {
        return verifyAlgorithm;
    }

    /**
     * Parses an identifier.
     *
     * @param id {@code ed25519} or {@code p256}
     * @return the algorithm
     * @throws IllegalArgumentException when unknown
     */
    public static KeyAlgorithm of(String id) {
        String k = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        for (KeyAlgorithm a : values()) {
            if (a.id.equals(k)) {
                return a;
            }
        }
        throw new IllegalArgumentException("Unknown key algorithm '" + id + "'; allowed: ed25519, p256");
    }
}
