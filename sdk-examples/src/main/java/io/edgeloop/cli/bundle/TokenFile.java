package io.edgeloop.cli.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the update server's publish token from a file ({@code --token-file}), so the token stays out of the
 * command line, where {@code ps} and shell history show it. The file holds the token on one line; surrounding
 * whitespace (the newline an editor or {@code echo} adds) is dropped.
 *
 * <p>Thread-safe: stateless.
 */
final class TokenFile {
    /** A token is a few dozen characters; anything larger is not a token file. */
    private static final int MAX_BYTES = 4096;

    private TokenFile() {
    }

    /**
     * @param file the token file
     * @return the token
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException when it is empty, too large or holds more than one line
     */
    static String read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("--token-file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--token-file " + file + " is not a file");
        }
        byte[] b;
        try (InputStream in = Files.newInputStream(file)) {
            b = in.readNBytes(MAX_BYTES + 1);
        }
        if (b.length > MAX_BYTES) {
            throw new IllegalArgumentException("--token-file " + file + " is larger than " + MAX_BYTES + " bytes: it "
                    + "should hold the publish token alone");
        }
        String token = new String(b, StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
            throw new IllegalArgumentException("--token-file " + file + " is empty");
        }
        if (token.contains("\n")) {
            throw new IllegalArgumentException("--token-file " + file + " holds more than one line: it should hold "
                    + "the publish token alone");
        }
        return token;
    }
}
