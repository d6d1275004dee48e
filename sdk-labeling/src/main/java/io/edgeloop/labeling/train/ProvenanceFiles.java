package io.edgeloop.labeling.train;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.labeling.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The written form of an artifact's provenance: a JSON file next to the artifact, named
 * {@code <artifact file name>.provenance.json} (so {@code occupancy.tribuo} gets {@code occupancy.tribuo.provenance.json}),
 * holding the artifact's name, size and SHA-256 and sdk-api's {@link Provenance#toMap() map form}. Format
 * {@value #FORMAT} version {@value #FORMAT_VERSION}, documented in {@code docs/formats/provenance-file.md}.
 *
 * <p>Reading checks the format and its major version, and that the artifact next to the file is still the one the
 * provenance describes (same SHA-256), so a replaced model cannot borrow another model's provenance.
 *
 * <p>Thread-safe: static methods only; concurrent writers of one file each replace it atomically.
 */
public final class ProvenanceFiles {
    /** The {@code format} member of every provenance file. */
    public static final String FORMAT = "edgeloop-provenance-file";
    /** The major version this SDK writes and reads. */
    public static final int FORMAT_VERSION = 1;
    /** The suffix appended to the artifact's file name. */
    public static final String SUFFIX = ".provenance.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ProvenanceFiles() {
    }

    /**
     * What a provenance file holds.
     *
     * <p>Thread-safe: immutable.
     *
     * @param artifact       the artifact's file name
     * @param artifactSha256 the SHA-256 of the artifact's bytes when the file was written
     * @param artifactBytes  its size
     * @param provenance     the provenance
     */
    public record Entry(String artifact, String artifactSha256, long artifactBytes, Provenance provenance) {
        /**
         * Checks the components.
         *
         * @param artifact       the name
         * @param artifactSha256 the digest
         * @param artifactBytes  the size
         * @param provenance     the provenance
         */
        public Entry {
            Objects.requireNonNull(artifact, "artifact");
            Objects.requireNonNull(artifactSha256, "artifactSha256");
            Objects.requireNonNull(provenance, "provenance");
        }
    }

    /**
     * @param artifact an artifact file
     * @return the path of its provenance file
     */
    public static Path fileFor(Path artifact) {
        Path name = Objects.requireNonNull(artifact, "artifact").getFileName();
        if (name == null) {
            throw new IllegalArgumentException("An artifact needs a file name, got '" + artifact + "'");
        }
        return artifact.resolveSibling(name + SUFFIX);
    }

    /**
     * Writes the provenance of an existing artifact next to it (replacing an older provenance file atomically).
     *
     * @param artifact   the artifact file, already written
     * @param provenance its provenance
     * @return the provenance file written
     * @throws IOException when the artifact cannot be read or the file cannot be written
     */
    public static Path write(Path artifact, Provenance provenance) throws IOException {
        Objects.requireNonNull(provenance, "provenance");
        Path file = fileFor(artifact);
        if (!Files.isRegularFile(artifact)) {
            throw new NoSuchFileException(artifact.toString(), null, "write the artifact before its provenance");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("formatVersion", FORMAT_VERSION);
        m.put("artifact", artifact.getFileName().toString());
        m.put("artifactSha256", Sha256.hex(artifact));
        m.put("artifactBytes", Files.size(artifact));
        m.put("provenance", provenance.toMap());
        byte[] bytes = (JSON.writeValueAsString(m) + "\n").getBytes(StandardCharsets.UTF_8);
        // A temporary file of this writer's own: a shared ".tmp" let one writer move another's file away mid-write.
        AtomicFiles.write(file, tmp -> Files.write(tmp, bytes));
        return file;
    }

    /**
     * Reads an artifact's provenance file and checks that the artifact still matches it.
     *
     * @param artifact the artifact file (its provenance file is {@link #fileFor(Path)})
     * @return the provenance
     * @throws IOException when either file is missing or unreadable, the provenance file is malformed or of another
     *                     major version, or the artifact's digest differs from the recorded one
     */
    public static Provenance read(Path artifact) throws IOException {
        return check(artifact, readFile(fileFor(artifact)), Sha256.hex(artifact));
    }

    /**
     * Reads an artifact's provenance file and checks it against artifact bytes the caller has already read. A caller
     * that goes on to use the artifact should read it once and pass those bytes both here and to whatever parses
     * them: checking the file and then reading it again would let an artifact replaced in between be used under the
     * old provenance.
     *
     * @param artifact      the artifact file (names its provenance file, {@link #fileFor(Path)}; not read here)
     * @param artifactBytes the artifact's content, as the caller read it
     * @return the provenance
     * @throws IOException when the provenance file is missing, unreadable, malformed or of another major version, or
     *                     the bytes' digest differs from the recorded one
     */
    public static Provenance read(Path artifact, byte[] artifactBytes) throws IOException {
        Objects.requireNonNull(artifactBytes, "artifactBytes");
        return check(artifact, readFile(fileFor(artifact)), Sha256.hex(artifactBytes));
    }

    private static Provenance check(Path artifact, Entry e, String actual) throws IOException {
        if (!actual.equals(e.artifactSha256())) {
            throw new IOException(fileFor(artifact) + " describes a file with SHA-256 " + e.artifactSha256() + ", but "
                    + artifact + " has " + actual + ": the artifact was replaced after its provenance was written");
        }
        return e.provenance();
    }

    /**
     * Reads a provenance file on its own, without checking the artifact.
     *
     * @param file the provenance file
     * @return its content
     * @throws IOException when the file is missing, unreadable, malformed or of another major version
     */
    public static Entry readFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no provenance file (written next to the artifact as "
                    + "<artifact>" + SUFFIX + ")");
        }
        Map<?, ?> m;
        try {
            Object o = JSON.readValue(Files.readAllBytes(file), Object.class);
            if (!(o instanceof Map)) {
                throw new IOException(file + " is not a provenance file: the top level must be a JSON object");
            }
            m = (Map<?, ?>) o;
        } catch (JsonProcessingException ex) {
            IOException x = new IOException(file + " is not valid JSON (at " + io.edgeloop.labeling.io.JsonSyntax
                    .describe(ex) + "); rewrite it from the artifact's producer");
            x.addSuppressed(ex); // not the cause: the CLI appends a cause's message, parser state and all
            throw x;
        }
        if (!FORMAT.equals(m.get("format"))) {
            throw new IOException(file + " is not a provenance file: \"format\" is " + m.get("format") + ", expected \""
                    + FORMAT + "\"");
        }
        Object v = m.get("formatVersion");
        if (!(v instanceof Integer) || (Integer) v != FORMAT_VERSION) {
            throw new IOException(file + " has provenance file formatVersion " + v + "; this SDK reads version "
                    + FORMAT_VERSION);
        }
        Object artifact = m.get("artifact");
        Object sha = m.get("artifactSha256");
        Object size = m.get("artifactBytes");
        Object prov = m.get("provenance");
        if (!(artifact instanceof String) || !(sha instanceof String) || !((String) sha).matches("[0-9a-f]{64}")
                || !(size instanceof Number) || !(prov instanceof Map)) {
            throw new IOException(file + " lacks a valid \"artifact\", \"artifactSha256\" (64 lower-case hex digits), "
                    + "\"artifactBytes\" or \"provenance\" object");
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, ?> pm = (Map<String, ?>) prov;
            return new Entry((String) artifact, (String) sha, ((Number) size).longValue(), Provenance.fromMap(pm));
        } catch (IllegalArgumentException | ClassCastException ex) {
            throw new IOException(file + ": its \"provenance\" is malformed: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param provenance a provenance
     * @return its map form as indented JSON
     */
    public static String toJson(Provenance provenance) {
        try {
            return JSON.writeValueAsString(provenance.toMap());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("a provenance map holds only strings, numbers, lists and maps", e);
        }
    }
}
