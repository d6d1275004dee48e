package io.edgeloop.buffer.log;

import io.edgeloop.buffer.IncompatibleFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The buffer's identity file ({@code buffer.id}): format version, epoch, device id and creation time, written
 * once when the buffer is created from nothing. Text lines {@code key=value}, the last being
 * {@code crc32c=<hex>} over all bytes before it.
 *
 * <p>Thread-safe: immutable.
 *
 * @param epoch         the epoch of every idempotency key this buffer issues
 * @param deviceId      the device id the buffer was created for
 * @param createdMillis the creation time
 */
public record BufferIdentity(long epoch, String deviceId, long createdMillis) {
    /** The identity file's name. */
    public static final String FILE = "buffer.id";

    /**
     * Reads the identity file.
     *
     * @param dir the buffer directory
     * @return the identity, or empty when the file is missing or damaged
     * @throws IncompatibleFormatException when the file is intact but of an unknown major version
     * @throws IOException                 when the file cannot be read
     */
    public static Optional<BufferIdentity> read(Path dir) throws IOException {
        byte[] bytes;
        try {
            bytes = AtomicFile.read(dir.resolve(FILE));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // "Is a directory" alone does not say which path is wrong
            throw new IOException("Cannot read " + dir.resolve(FILE) + ": " + e.getMessage()
                    + (Files.isDirectory(dir.resolve(FILE)) ? " (a directory where a file belongs; move it away)"
                    : ""), e);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int crcLine = text.lastIndexOf("crc32c=");
        if (crcLine < 0) {
            return Optional.empty();
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, text.substring(0, crcLine).getBytes(StandardCharsets.UTF_8).length);
        if (!CrcTextLine.matches(text.substring(crcLine + "crc32c=".length()), crc.getValue())) {
            return Optional.empty();
        }
        Map<String, String> kv = new LinkedHashMap<>();
        for (String line : text.substring(0, crcLine).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String format = kv.getOrDefault("format", "");
        if (!format.startsWith(FrameFormat.FORMAT_MAJOR + ".")) {
            throw new IncompatibleFormatException("Buffer identity " + dir.resolve(FILE) + " has format '" + format
                    + "'; this SDK reads format " + FrameFormat.FORMAT_MAJOR + ".x");
        }
        try {
            return Optional.of(new BufferIdentity(Long.parseLong(kv.get("epoch")), kv.getOrDefault("device", ""),
                    Long.parseLong(kv.getOrDefault("created", "0"))));
        } catch (NumberFormatException | NullPointerException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether the identity file was written by format 1.2 or later, whose buffers always have a {@code sequences}
     * file (written at creation, or at the first append, which reserves sequences): its absence beside such an
     * identity means it was deleted.
     *
     * @param dir the buffer directory
     * @return true when {@code buffer.id} names format 1.2 or later; false when it is older, missing or unreadable
     */
    public static boolean writtenWithSequencesFile(Path dir) {
        try {
            String text = new String(AtomicFile.read(dir.resolve(FILE)), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (line.startsWith("format=")) {
                    String[] v = line.substring(7).trim().split("\\.");
                    return v.length == 2 && Integer.parseInt(v[0]) == FrameFormat.FORMAT_MAJOR
                            && Integer.parseInt(v[1]) >= 2;
                }
            }
            return false;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /**
     * Writes the identity file atomically (temporary file, fsync, rename, fsync of the directory).
     *
     * @param dir the buffer directory
     * @throws IOException when writing fails
     */
    public void write(Path dir) throws IOException {
        String body = "format=" + FrameFormat.FORMAT_MAJOR + "." + FrameFormat.FORMAT_MINOR + "\n"
                + "epoch=" + epoch + "\n" + "device=" + deviceId.replace('\n', ' ') + "\n"
                + "created=" + createdMillis + "\n";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(b);
        AtomicFile.write(dir.resolve(FILE),
                (body + "crc32c=" + Long.toHexString(crc.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
