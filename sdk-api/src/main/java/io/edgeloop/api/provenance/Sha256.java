package io.edgeloop.api.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 digests as lower-case hex, the digest every Edgeloop artifact and provenance record uses.
 *
 * <p>Thread-safe: stateless.
 */
public final class Sha256 {
    private Sha256() {
    }

    /**
     * @return a fresh SHA-256 digest
     */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    /**
     * @param bytes the bytes
     * @return the lower-case hex digest
     */
    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    /**
     * @param file the file
     * @return the lower-case hex digest of its content
     * @throws IOException when the file cannot be read
     */
    public static String hex(Path file) throws IOException {
        MessageDigest md = newDigest();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
