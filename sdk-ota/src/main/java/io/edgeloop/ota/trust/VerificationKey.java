package io.edgeloop.ota.trust;

import io.edgeloop.api.provenance.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Objects;

/**
 * A public key that verifies signatures. Its key id is the lower-case hex SHA-256 of its canonical X.509
 * SubjectPublicKeyInfo DER encoding: P-256 keys as the named curve {@code secp256r1} (by OID) with an
 * uncompressed point, Ed25519 keys as the 32 raw bytes. Every accepted encoding of one key (compressed or
 * uncompressed point, for instance) therefore has the same id and counts once toward a threshold.
 *
 * <p>Thread-safe: immutable.
 */
public final class VerificationKey {
    private final KeyAlgorithm algorithm;
    private final byte[] spki;
    private final PublicKey key;
    private final String keyId;

    private VerificationKey(KeyAlgorithm algorithm, byte[] spki, PublicKey key) {
        // spki is canonical here (see of)
        this.algorithm = algorithm;
        this.spki = spki.clone();
        this.key = key;
        this.keyId = Sha256.hex(spki);
    }

    /**
     * Decodes a SubjectPublicKeyInfo and canonicalises it (see the class description).
     *
     * @param algorithm the expected algorithm
     * @param spki      the DER bytes
     * @return the key
     * @throws GeneralSecurityException when the bytes are not a key of that algorithm, or an EC key is not on the
     *                                  named curve secp256r1 (P-256)
     */
    public static VerificationKey of(KeyAlgorithm algorithm, byte[] spki) throws GeneralSecurityException {
        Objects.requireNonNull(algorithm, "algorithm");
        byte[] canonical = Crypto.canonicalPublic(algorithm, spki);
        return new VerificationKey(algorithm, canonical, Crypto.publicKey(algorithm, canonical));
    }

    /**
     * Reads a PEM {@code PUBLIC KEY} file (Ed25519 or P-256).
     *
     * @param file the file
     * @return the key
     * @throws IOException when the file cannot be read or is not such a key
     */
    public static VerificationKey readPem(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory, not a PEM public key file");
        }
        return fromPem(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    /**
     * Parses a PEM {@code PUBLIC KEY}.
     *
     * @param pem  the text
     * @param what a name for messages
     * @return the key
     * @throws IOException when it is not an Ed25519 or P-256 public key
     */
    public static VerificationKey fromPem(String pem, String what) throws IOException {
        byte[] der = Pem.decode(pem, "PUBLIC KEY", what);
        try {
            return of(Crypto.algorithmOfPublic(der), der);
        } catch (GeneralSecurityException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        }
    }

    /** @return the PEM text */
    public String toPem() {
        return Pem.encode("PUBLIC KEY", spki);
    }

    /** @return the algorithm */
    public KeyAlgorithm algorithm() {
        return algorithm;
    }

    /** @return the key id (hex SHA-256 of the canonical SubjectPublicKeyInfo) */
    public String keyId() {
        return keyId;
    }

    /** @return a copy of the canonical SubjectPublicKeyInfo DER */
    public byte[] encoded() {
        return spki.clone();
    }

    /**
     * Verifies a signature. Never throws for a bad signature.
     *
     * @param message   the signed bytes
     * @param signature the signature
     * @return true when valid
     */
    public boolean verify(byte[] message, byte[] signature) {
        try {
            Signature s = Crypto.signature(algorithm.verifyAlgorithm());
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VerificationKey && Arrays.equals(((VerificationKey) o).spki, spki);
    }

    @Override
    public int hashCode() {
        return keyId.hashCode();
    }

    @Override
    public String toString() {
        return algorithm.id() + ":" + keyId.substring(0, 16);
    }
}
