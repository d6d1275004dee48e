package io.edgeloop.buffer.source.csv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * What a position file records about the source it was committed for, so that a source resumes only from its own
 * position: the absolute path (or the class-path resource name), the file's size at commit time and the SHA-256 of
 * its header line and first data row. A different path, a file now shorter than at commit time (replaced or
 * truncated) or a different start (replaced) is another source; a file that only grew (rows appended) is the same.
 * The digest costs nothing extra (the source reads those two lines anyway) and catches a file replaced under the
 * same name with other data; rows rewritten further in a file that kept its start and did not shrink go unnoticed.
 *
 * <p>Thread-safe: immutable.
 *
 * @param id     {@code file:<absolute normalized path>} or {@code resource:<name without a leading slash>}
 * @param size   the file's size in bytes when committed; empty for a resource or when it could not be read
 * @param digest the lowercase hex SHA-256 of the header line and the first data row, each followed by {@code \n}
 */
record SourceIdentity(String id, OptionalLong size, String digest) {
    static final String ID_KEY = "source-id";
    static final String SIZE_KEY = "source-size";
    static final String DIGEST_KEY = "source-start-sha256";

    /** The identity of the configured source, now; its size is read from the file system. */
    static SourceIdentity of(CsvReplaySettings settings, String headerLine, String firstDataLine) {
        String id;
        OptionalLong size = OptionalLong.empty();
        if (settings.path().isPresent()) {
            id = "file:" + settings.path().get().toAbsolutePath().normalize();
            try {
                size = OptionalLong.of(Files.size(settings.path().get()));
            } catch (IOException e) {
                // the open stream still reads a file deleted meanwhile; path and digest still identify it
            }
        } else {
            String res = settings.resource().orElseThrow();
            id = "resource:" + (res.startsWith("/") ? res.substring(1) : res);
        }
        return new SourceIdentity(id, size, digest(headerLine, firstDataLine));
    }

    private static String digest(String headerLine, String firstDataLine) {
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
        if (!id.equals(now.id)) {
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

    private static String name(String id) {
        return id.startsWith("file:") ? id.substring(5) : "class-path resource " + id.substring(id.indexOf(':') + 1);
    }
}
