package io.edgeloop.ota.trust;

import io.edgeloop.ota.file.AtomicFiles;
import io.edgeloop.ota.file.TemporaryFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * A key pair's two files in one directory, as {@code edgeloop bundle keygen} writes them: {@value #PRIVATE_PEM}
 * and {@value #PUBLIC_PEM}. {@link SigningKey#writePemPair} moves the private key into place first and the public
 * key second, so a process killed between the two moves leaves {@code private.pem} alone;
 * {@link #writeOrComplete} finishes such a pair from the private key instead of refusing without a word about the
 * missing half, and refuses (naming the file, the key ids and what to do) every state it cannot finish. Readers of
 * one half ({@link #readSigningKey}, {@link #readVerificationKey}) refuse a half whose other half lies beside it as
 * another key's: a mismatched pair signed bundles that devices then refused as {@code unknown-key}, with nothing
 * saying why.
 *
 * <p>Thread-safe: static methods; concurrent writers of one directory are not coordinated beyond
 * {@link SigningKey#writePemPair}'s refusal to replace a private key.
 */
public final class KeyPairFiles {
    /** The private key's file name (PKCS#8 PEM). */
    public static final String PRIVATE_PEM = "private.pem";
    /** The public key's file name (SubjectPublicKeyInfo PEM). */
    public static final String PUBLIC_PEM = "public.pem";

    private KeyPairFiles() {
    }

    /**
     * What {@link #writeOrComplete} did.
     *
     * <p>Thread-safe: immutable.
     *
     * @param key       the pair's key
     * @param completed true when {@code private.pem} was there alone and only {@code public.pem} was written from it
     *                  (no key was generated); false for a new pair
     */
    public record Outcome(SigningKey key, boolean completed) {
        /** @throws NullPointerException when {@code key} is null */
        public Outcome {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Writes a new key pair into {@code dir}, or finishes the one a writer killed between its two moves left:
     * <ul>
     *   <li>neither file: a new key of {@code algorithm} ({@link SigningKey#writePemPair});</li>
     *   <li>{@code private.pem} alone, a readable key of {@code algorithm}: {@code public.pem} is written from it
     *       (created only if still absent); no key is generated;</li>
     *   <li>anything else is refused with an {@link IOException} naming the file and what to do, and nothing is
     *       written: a private key that does not parse or is of another algorithm, a {@code public.pem} without its
     *       private key (it may be the public half of a key moved to safe storage), both files of one key (a
     *       private key is never overwritten) or of two keys (a mismatched pair).</li>
     * </ul>
     *
     * @param dir       the directory (created when missing)
     * @param algorithm the algorithm of a new key, and the one a lone private key must have
     * @param random    the randomness for a new key
     * @return the key and whether the pair was finished rather than made
     * @throws IOException when refused as above, or when writing fails
     */
    public static Outcome writeOrComplete(Path dir, KeyAlgorithm algorithm, SecureRandom random) throws IOException {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(random, "random");
        Path priv = dir.resolve(PRIVATE_PEM);
        Path pub = dir.resolve(PUBLIC_PEM);
        boolean hasPrivate = Files.exists(priv, LinkOption.NOFOLLOW_LINKS);
        boolean hasPublic = Files.exists(pub, LinkOption.NOFOLLOW_LINKS);
        if (!hasPrivate && hasPublic) {
            throw new IOException(pub + " is there without " + PRIVATE_PEM + " (its private key was moved away, or it"
                    + " came from elsewhere): a new key pair would replace it with another key's public half; nothing"
                    + " was written. Choose another directory, or move " + pub + " away first");
        }
        if (!hasPrivate) {
            SigningKey k = SigningKey.generate(algorithm, random);
            k.writePemPair(dir);
            return new Outcome(k, false);
        }
        SigningKey k;
        try {
            k = SigningKey.readPem(priv);
        } catch (IOException e) {
            throw new IOException(priv + " already exists and is not a readable private key (" + e.getMessage()
                    + "); refusing to overwrite it: move it away to write a new pair", e);
        }
        if (hasPublic) {
            VerificationKey p;
            try {
                p = VerificationKey.readPem(pub);
            } catch (IOException e) {
                throw new IOException(pub + " is there beside " + priv + " but is not a readable public key ("
                        + e.getMessage() + "); nothing was written. Move it away and run keygen on the directory"
                        + " again to write it from " + PRIVATE_PEM, e);
            }
            if (!p.keyId().equals(k.keyId())) {
                throw mismatch(priv, k.keyId(), pub, p.keyId());
            }
            throw new IOException(dir + " already holds a key pair (" + k.algorithm().id() + ", key id " + k.keyId()
                    + "); refusing to overwrite a private key: choose another directory for a new pair");
        }
        if (k.algorithm() != algorithm) {
            throw new IOException(priv + " is there without " + PUBLIC_PEM + " (a key pair write stopped between its"
                    + " two files?) but is a " + k.algorithm().id() + " key, not " + algorithm.id() + "; nothing was"
                    + " written. Ask for " + k.algorithm().id() + " to write its public half, or move it away to"
                    + " write a new pair");
        }
        byte[] bytes = k.publicKey().toPem().getBytes(StandardCharsets.US_ASCII);
        try (TemporaryFile t = AtomicFiles.writeTemporary(pub, out -> out.write(bytes))) {
            // durably: the completed pair is reported written, so a failed directory sync is thrown
            t.moveNewDurably(pub);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(pub + " appeared while its public half was being written; nothing was replaced:"
                    + " check that it holds key id " + k.keyId(), e);
        }
        AtomicFiles.deleteStaleTemporaryFilesOf(pub);
        return new Outcome(k, true);
    }

    /**
     * Reads a private key file, as {@link SigningKey#readPem}; when it is named {@value #PRIVATE_PEM} and a
     * readable {@value #PUBLIC_PEM} lies beside it, that must be its public half.
     *
     * @param file the file
     * @return the key
     * @throws IOException when unreadable, not a supported key, or beside another key's public half (naming both
     *                     files, both key ids and what to do)
     */
    public static SigningKey readSigningKey(Path file) throws IOException {
        SigningKey k = SigningKey.readPem(file);
        requireOtherHalf(file, PRIVATE_PEM, k.keyId());
        return k;
    }

    /**
     * Reads a public key file, as {@link VerificationKey#readPem}; when it is named {@value #PUBLIC_PEM} and a
     * readable {@value #PRIVATE_PEM} lies beside it, that must be its private half.
     *
     * @param file the file
     * @return the key
     * @throws IOException when unreadable, not a supported key, or beside another key's private half (naming both
     *                     files, both key ids and what to do)
     */
    public static VerificationKey readVerificationKey(Path file) throws IOException {
        VerificationKey p = VerificationKey.readPem(file);
        requireOtherHalf(file, PUBLIC_PEM, p.keyId());
        return p;
    }

    /**
     * When {@code file} is named {@code name} (one half of a pair) and the other half beside it is a readable key,
     * requires that key to be {@code keyId}. One missing, unreadable (a private key only its owner may read) or in
     * another format (an encrypted private key) says nothing about the pair.
     */
    private static void requireOtherHalf(Path file, String name, String keyId) throws IOException {
        Path n = file.getFileName();
        if (n == null || !n.toString().equals(name)) {
            return;
        }
        boolean isPrivate = name.equals(PRIVATE_PEM);
        Path other = file.resolveSibling(isPrivate ? PUBLIC_PEM : PRIVATE_PEM);
        String otherId;
        try {
            if (!Files.isRegularFile(other)) {
                return;
            }
            otherId = isPrivate ? VerificationKey.readPem(other).keyId() : SigningKey.readPem(other).keyId();
        } catch (IOException e) {
            return;
        }
        if (!otherId.equals(keyId)) {
            throw isPrivate ? mismatch(file, keyId, other, otherId) : mismatch(other, otherId, file, keyId);
        }
    }

    private static IOException mismatch(Path priv, String privateId, Path pub, String publicId) {
        return new IOException(priv + " (key id " + privateId + ") and " + pub + " (key id " + publicId
                + ") are not one key pair: a key pair write stopped between its two files over an older "
                + PUBLIC_PEM + ", or one was replaced. A trust file made from " + PUBLIC_PEM + " does not accept what "
                + PRIVATE_PEM + " signs (devices refuse it as unknown-key). If " + priv.getFileName() + " is the key"
                + " you mean, delete " + pub + " and run keygen on the directory again to write it from "
                + priv.getFileName() + "; otherwise move both away");
    }
}
