package io.edgeloop.buffer.source.csv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * What a position file records about the source it was committed for, so that a source resumes only from its own
 * position: the real path (or the class-path resource name), the file's size at commit time and the SHA-256 of
 * its header line and first data row. A file now shorter than at commit time (replaced or truncated) or with a
 * different start (replaced) is another source; a file that only grew (rows appended) is the same. A different
 * path with the same start and at least the recorded size is the same file moved, or reached through another link
 * (a release symlink that changes on every deploy): {@link #movedFrom} tells it, and the source resumes with a
 * warning. The digest costs nothing extra (the source reads those two lines anyway) and catches a file replaced
 * under the same name with other data; rows rewritten further in a file that kept its start and did not shrink go
 * unnoticed. The size is the file's on disk: for a {@code .gz} file, the compressed size.
 *
 * <p>Thread-safe: immutable.
 *
 * @param id     {@code file:<real path>} ({@code file:<absolute normalized path>} when the file could not be
 *               resolved, and in files written before 2026-12-03) or {@code resource:<name without a leading slash>}
 * @param size   the file's size in bytes when committed; empty for a resource or when it could not be read
 * @param digest the lowercase hex SHA-256 of the header line and the first data row, each followed by {@code \n}
 */
record SourceIdentity(String id, OptionalLong size, String digest) {
    static final String ID_KEY = "source-id";
    static final String SIZE_KEY = "source-size";
    static final String DIGEST_KEY = "source-start-sha256";

    /**
     * The identity of the configured source, now; its size is read from the file system.
     *
     * @param id     the source's {@link #idOf id}
     * @param digest its {@link #digest start digest}
     */
    static SourceIdentity of(CsvReplaySettings settings, String id, String digest) {
        OptionalLong size = OptionalLong.empty();
        if (settings.path().isPresent()) {
            try {
                size = OptionalLong.of(Files.size(settings.path().get()));
            } catch (IOException e) {
                // the open stream still reads a file deleted meanwhile; path and digest still identify it
            }
        }
        return new SourceIdentity(id, size, digest);
    }

    /** The configured source's id: its real path (symbolic links resolved) or its resource name. */
    static String idOf(CsvReplaySettings settings) {
        if (settings.path().isPresent()) {
            Path path = settings.path().get();
            try {
                return "file:" + path.toRealPath();
            } catch (IOException e) {
                return "file:" + path.toAbsolutePath().normalize(); // its opening fails and says why
            }
        }
        String res = settings.resource().orElseThrow();
        return "resource:" + (res.startsWith("/") ? res.substring(1) : res);
    }

    /** The lowercase hex SHA-256 of the header line and the first data row (if any), each followed by \n. */
    static String digest(String headerLine, String firstDataLine) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((headerLine + "\n").getBytes(StandardCharsets.UTF_8));
            if (firstDataLine != null) {
                md.update((firstDataLine + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Writes this identity's keys. */
    void store(Properties p) {
        p.setProperty(ID_KEY, id);
        size.ifPresent(s -> p.setProperty(SIZE_KEY, Long.toString(s)));
        p.setProperty(DIGEST_KEY, digest);
    }

    /**
     * Reads the identity a position file recorded.
     *
     * @return empty for a position file written before identities were recorded (no {@code source-id})
     * @throws IllegalArgumentException when {@code source-id} is there but the other keys are missing or invalid
     */
    static Optional<SourceIdentity> load(Properties p) {
        String id = p.getProperty(ID_KEY);
        if (id == null) {
            return Optional.empty();
        }
        String digest = p.getProperty(DIGEST_KEY, "");
        if (!digest.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("invalid '" + DIGEST_KEY + "' value '" + digest + "'");
        }
        OptionalLong size = OptionalLong.empty();
        String s = p.getProperty(SIZE_KEY);
        if (s != null) {
            try {
                size = OptionalLong.of(Long.parseLong(s));
                if (size.getAsLong() < 0) {
                    throw new NumberFormatException("negative");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid '" + SIZE_KEY + "' value '" + s + "'");
            }
        }
        return Optional.of(new SourceIdentity(id, size, digest));
    }

    /**
     * Says how the source now differs from this recorded identity, if it is another source.
     *
     * @param now the identity of the source now
     * @return empty when {@code now} is the same source (perhaps grown), else why not, as a sentence fragment
     */
    Optional<String> mismatch(SourceIdentity now) {
        if (!id.equals(now.id) && !movedFrom(now)) {
            return Optional.of("was written for " + name(id) + ", not for " + name(now.id));
        }
        if (size.isPresent() && now.size.isPresent() && now.size.getAsLong() < size.getAsLong()) {
            return Optional.of("was written for " + name(id) + " when it had " + size.getAsLong()
                    + " bytes; it now has " + now.size.getAsLong() + " (replaced or truncated)");
        }
        if (!digest.equals(now.digest)) {
            return Optional.of("was written for " + name(id) + " when its header and first data row were "
                    + "different (the file was replaced)");
        }
        return Optional.empty();
    }

    /**
     * @param now the identity of the source now
     * @return whether {@code now} is this source under another path: a file of the same start, at least as large
     */
    boolean movedFrom(SourceIdentity now) {
        return !id.equals(now.id) && id.startsWith("file:") && now.id.startsWith("file:") && digest.equals(now.digest)
                && !(size.isPresent() && now.size.isPresent() && now.size.getAsLong() < size.getAsLong());
    }

    /** @return the file or resource this identity names, for messages */
    String name() {
        return name(id);
    }

    private static String name(String id) {
        return id.startsWith("file:") ? id.substring(5) : "class-path resource " + id.substring(id.indexOf(':') + 1);
    }
}
