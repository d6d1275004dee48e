package io.edgeloop.ota.trust;

import io.edgeloop.ota.file.AtomicFiles;
import io.edgeloop.ota.file.TemporaryFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A private key that signs bundles and trust files, with its public half.
 *
 * <p>Thread-safe: immutable; each {@link #sign} call uses its own {@link Signature}.
 */
public final class SigningKey {
    private final KeyAlgorithm algorithm;
    private final PrivateKey privateKey;
    private final byte[] pkcs8;
    private final VerificationKey publicKey;

    private SigningKey(KeyAlgorithm algorithm, PrivateKey privateKey, VerificationKey publicKey) {
        this.algorithm = algorithm;
        this.privateKey = privateKey;
        this.pkcs8 = privateKey.getEncoded();
        this.publicKey = publicKey;
    }

    /**
     * Generates a key pair.
     *
     * @param algorithm the algorithm
     * @param random    the randomness source (pass a seeded {@code SecureRandom} only in tests)
     * @return the key
     */
    public static SigningKey generate(KeyAlgorithm algorithm, SecureRandom random) {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(random, "random");
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm.keyFactory(), Crypto.BC);
            if (algorithm == KeyAlgorithm.P256) {
                g.initialize(new ECGenParameterSpec("secp256r1"), random);
            } else {
                g.initialize(255, random);
            }
            KeyPair kp = g.generateKeyPair();
            return new SigningKey(algorithm, kp.getPrivate(),
                    VerificationKey.of(algorithm, kp.getPublic().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("BouncyCastle cannot generate " + algorithm.id() + " keys", e);
        }
    }

    /**
     * Parses a PEM {@code PRIVATE KEY} (PKCS#8) holding an Ed25519 or P-256 key.
     *
     * @param pem  the text
     * @param what a name for messages
     * @return the key
     * @throws IOException when it is not such a key
     */
    public static SigningKey fromPem(String pem, String what) throws IOException {
        byte[] der = Pem.decode(pem, "PRIVATE KEY", what);
        try {
            KeyAlgorithm alg = Crypto.algorithmOfPrivate(der);
            PrivateKey pk = Crypto.privateKey(alg, der);
            return new SigningKey(alg, pk, VerificationKey.of(alg, derivePublic(alg, pk)));
        } catch (GeneralSecurityException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        }
    }

    private static byte[] derivePublic(KeyAlgorithm alg, PrivateKey pk) throws GeneralSecurityException {
        if (alg == KeyAlgorithm.ED25519) {
            org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters p =
                    new org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters(rawEd25519(pk), 0);
            byte[] raw = p.generatePublicKey().getEncoded();
            try {
                return org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory
                        .createSubjectPublicKeyInfo(new org.bouncycastle.crypto.params.Ed25519PublicKeyParameters(raw, 0))
                        .getEncoded();
            } catch (IOException e) {
                throw new GeneralSecurityException("cannot encode the Ed25519 public key", e);
            }
        }
        org.bouncycastle.jce.interfaces.ECPrivateKey ec = (org.bouncycastle.jce.interfaces.ECPrivateKey) pk;
        org.bouncycastle.jce.spec.ECParameterSpec spec = ec.getParameters();
        org.bouncycastle.math.ec.ECPoint q = spec.getG().multiply(ec.getD()).normalize();
        java.security.KeyFactory kf = java.security.KeyFactory.getInstance("EC", Crypto.BC);
        return kf.generatePublic(new org.bouncycastle.jce.spec.ECPublicKeySpec(q, spec)).getEncoded();
    }

    private static byte[] rawEd25519(PrivateKey pk) throws GeneralSecurityException {
        try {
            org.bouncycastle.asn1.pkcs.PrivateKeyInfo info =
                    org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(pk.getEncoded());
            return org.bouncycastle.asn1.ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
        } catch (IOException | IllegalArgumentException e) {
            throw new GeneralSecurityException("malformed Ed25519 PKCS#8 key", e);
        }
    }

    /**
     * Reads a PEM private key file.
     *
     * @param file the file
     * @return the key
     * @throws IOException when unreadable or not a supported key
     */
    public static SigningKey readPem(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory, not a PEM private key file");
        }
        return fromPem(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    /**
     * Writes {@code private.pem} (created owner read/write only where POSIX permissions exist) and
     * {@code public.pem} into a directory, refusing to overwrite an existing private key. Both are written to synced
     * temporary files first; then {@code private.pem} is moved into place and the directory synced, then
     * {@code public.pem} and the directory synced again (a missing directory is created and synced into its
     * parent). Once this returns, both files survive a power loss. Once both are in place, the temporary files
     * that a write of either killed before its move left in {@code dir} (only those no live writer holds locked)
     * are deleted: one of {@code private.pem} is a copy of a private key.
     *
     * <p>What a failure leaves, so that a retry neither overwrites a key nor refuses without saying why:
     * <ul>
     *   <li>Writing a temporary file fails (a full disk), or moving {@code private.pem} into place or syncing the
     *       directory after it, or renaming {@code public.pem} into place: neither file, only what was there
     *       before ({@code private.pem} is removed again: a private key alone is no key pair), and a retry can
     *       succeed. A power loss right then can leave {@code private.pem} alone, which
     *       {@link KeyPairFiles#writeOrComplete} completes from it.</li>
     *   <li>Syncing the directory after {@code public.pem}'s rename fails: both files are kept, a whole pair
     *       ({@code private.pem} is never deleted once its public half is placed: that would leave another key's
     *       public half alone, or lose a key whose public half was already copied). The exception names the key
     *       id. {@code private.pem} was synced before, so a power loss can take back only {@code public.pem}
     *       (leaving {@code private.pem} alone, which {@link KeyPairFiles#writeOrComplete} completes, or a
     *       {@code public.pem} that was there before, which {@link KeyPairFiles#readSigningKey} reports as another
     *       key's); a retry of this method refuses, as {@code private.pem} exists.</li>
     * </ul>
     *
     * @param dir the directory (created when missing)
     * @throws IOException when writing or a directory sync fails (as above), or a key is already there
     */
    public void writePemPair(Path dir) throws IOException {
        writePemPair(dir, UnaryOperator.identity());
    }

    /** The seam for tests: {@code io} wraps each file's writer, so a test can fail a write part way. */
    void writePemPair(Path dir, UnaryOperator<AtomicFiles.Content> io) throws IOException {
        // synced into its parent: a new key directory a power loss takes back takes the synced pair with it
        AtomicFiles.createDirectoriesDurably(dir);
        Path priv = dir.resolve("private.pem");
        Path pub = dir.resolve("public.pem");
        if (Files.exists(priv, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(priv + " already exists; refusing to overwrite a private key");
        }
        FileAttribute<?>[] ownerOnly = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        byte[] privBytes = toPrivatePem().getBytes(StandardCharsets.US_ASCII);
        byte[] pubBytes = publicKey.toPem().getBytes(StandardCharsets.US_ASCII);
        TemporaryFile privTmp = null;
        TemporaryFile pubTmp = null;
        boolean privPlaced = false;
        IOException failure = null;
        try {
            try {
                privTmp = AtomicFiles.writeTemporary(priv, io.apply(out -> out.write(privBytes)), ownerOnly);
                pubTmp = AtomicFiles.writeTemporary(pub, io.apply(out -> out.write(pubBytes)));
            } catch (IOException e) {
                throw new IOException("cannot write a key pair to " + dir + ": " + e.getMessage()
                        + "; neither file was written, retry once the cause is fixed", e);
            }
            try {
                // synced before public.pem is placed: a power loss never leaves a public half without its key
                privTmp.moveNewDurably(priv);
            } catch (FileAlreadyExistsException e) {
                throw new IOException(priv + " already exists; refusing to overwrite a private key", e);
            } catch (IOException e) {
                privPlaced = privTmp.moved(); // placed, but its directory sync failed: removed again below
                throw new IOException("cannot write a key pair to " + dir + ": " + e + "; neither file was"
                        + " written, retry once the cause is fixed", e);
            }
            privPlaced = true;
            try {
                pubTmp.replaceDurably(pub);
            } catch (IOException e) {
                if (!pubTmp.moved()) {
                    throw e; // not renamed: private.pem alone is removed below
                }
                privPlaced = false; // a whole pair: kept
                throw new IOException("wrote " + priv + " and " + pub + " (" + algorithm.id() + ", key id " + keyId()
                        + "), but " + dir + " could not be synced after " + pub.getFileName() + " (" + e + "): a"
                        + " power loss may take back " + pub.getFileName() + ". Both files are kept; once the"
                        + " storage is healthy, check that " + pub.getFileName() + " holds key id " + keyId()
                        + " (edgeloop bundle keygen on the directory writes it again from " + priv.getFileName()
                        + " when it is missing)", e);
            }
            privPlaced = false;
            // a keygen killed before its moves left a private key's hidden copy that outlived any later key pair
            AtomicFiles.deleteStaleTemporaryFilesOf(priv);
            AtomicFiles.deleteStaleTemporaryFilesOf(pub);
        } catch (IOException e) {
            failure = e;
            throw e;
        } finally {
            IOException cleanup = null;
            try {
                if (privPlaced) {
                    Files.deleteIfExists(priv); // public.pem did not land: a private key alone is no key pair
                }
            } catch (IOException e) {
                cleanup = e;
            }
            try {
                closeAll(privTmp, pubTmp); // each deleted unless moved, and unlocked
            } catch (IOException e) {
                if (cleanup == null) {
                    cleanup = e;
                } else {
                    cleanup.addSuppressed(e);
                }
            }
            if (cleanup != null) {
                if (failure == null) {
                    throw cleanup;
                }
                failure.addSuppressed(cleanup); // the failure that stopped the write says what happened
            }
        }
    }

    private static void closeAll(TemporaryFile... files) throws IOException {
        IOException first = null;
        for (TemporaryFile f : files) {
            try {
                if (f != null) {
                    f.close();
                }
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** @return the PKCS#8 PEM text */
    public String toPrivatePem() {
        return Pem.encode("PRIVATE KEY", pkcs8);
    }

    /** @return the algorithm */
    public KeyAlgorithm algorithm() {
        return algorithm;
    }

    /** @return the public half */
    public VerificationKey publicKey() {
        return publicKey;
    }

    /** @return the key id of the public half */
    public String keyId() {
        return publicKey.keyId();
    }

    /**
     * Signs bytes.
     *
     * @param message the bytes
     * @return the signature (64 bytes for Ed25519, DER for P-256)
     */
    public byte[] sign(byte[] message) {
        try {
            Signature s = Crypto.signature(algorithm.signAlgorithm());
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with " + algorithm.id() + " failed", e);
        }
    }

    /**
     * Signs and wraps the result with this key's id.
     *
     * @param message the bytes
     * @return the signature record
     */
    public SignatureRecord signRecord(byte[] message) {
        return new SignatureRecord(keyId(), algorithm, sign(message));
    }

    @Override
    public String toString() {
        return "SigningKey[" + publicKey + "]";
    }
}
