package io.edgeloop.cli.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the update server's publish token from a file ({@code --token-file}), so the token stays out of the
 * command line, where {@code ps} and shell history show it. The file holds the token on one line; surrounding
 * whitespace (the newline an editor or {@code echo} adds) is dropped. A file that gives group or others any
 * permission (read, write or execute) is refused, naming the permissions, as ssh refuses an unprotected private key
 * (kubectl only warns about a group-readable config; a warning scrolls by, and whoever could read the token may
 * publish with it): on a POSIX file system its mode must be {@code 0?00}, such as {@code 0600} or {@code 0400}; the
 * owner's own bits are not checked ({@code 0700} passes). Before 2026-12-03 a group or other execute bit alone
 * ({@code 0610}) was refused as "may be read or written", and this javadoc named only 0600 and 0400.
 *
 * <p>Thread-safe: stateless.
 */
final class TokenFile {
    /** A token is a few dozen characters; anything larger is not a token file. */
    private static final int MAX_BYTES = 4096;
    private static final Set<PosixFilePermission> OWNER = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private TokenFile() {
    }

    /**
     * @param file the token file
     * @return the token
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException when it is empty, too large, holds more than one line, or gives group or
     *                                  others any permission
     */
    static String read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("--token-file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--token-file " + file + " is not a file");
        }
        if (Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            List<String> open = new ArrayList<>();
            for (PosixFilePermission p : PosixFilePermission.values()) {
                if (mode.contains(p) && !OWNER.contains(p)) {
                    open.add(p.name().toLowerCase(Locale.ROOT).replace('_', ' '));
                }
            }
            if (!open.isEmpty()) {
                throw new IllegalArgumentException("--token-file " + file + " gives group or others permissions (mode "
                        + PosixFilePermissions.toString(mode) + ": " + String.join(", ", open) + "); a token file must "
                        + "be its owner's alone, since anyone who reads it can publish: run chmod 600 " + file);
            }
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
