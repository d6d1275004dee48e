package io.edgeloop.buffer.log;

import io.edgeloop.buffer.IncompatibleFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The buffer's sequence high-water marks ({@code sequences}, next to {@code buffer.id}): per stream, the highest
 * sequence of any record the buffer deleted (reclaimed, dropped, expired) or a deleted cursor acknowledged. Once
 * a segment is gone its footer no longer says which sequences were handed out, and cursor files can be deleted,
 * so this file is what keeps a reopened buffer from issuing an idempotency key twice. It is replaced atomically
 * before the segments or cursor it covers are deleted. Text lines ending with {@code crc32c=<hex>}; see
 * {@code docs/formats/buffer.md}.
 *
 * <p>Since format 1.2 it also holds the <b>reservation</b> (no sequence above it was handed out, in any stream:
 * the buffer raises it, in blocks, before it writes a frame above it) and the <b>floor</b> (every stream's
 * sequences continue above it: set when a writable open found the end of the log lost, so the sequences the lost
 * records used, which no file tells any more, are not issued again).
 *
 * <p>Thread-safe: immutable.
 *
 * @param sequences per stream, the highest sequence that must never be issued again
 * @param floor     every stream's next sequence is above this (0: none)
 * @param reserved  no sequence above this was handed out, in any stream (0: unknown, a buffer written before 1.2)
 */
public record SequenceMarks(Map<String, Long> sequences, long floor, long reserved) {
    /** The file's name in the buffer directory. */
    public static final String FILE = "sequences";

    /**
     * Copies the map and checks the numbers.
     *
     * @param sequences per stream, the highest sequence
     * @param floor     every stream's sequences continue above it, or 0
     * @param reserved  no sequence above it was handed out, or 0 when unknown
     */
    public SequenceMarks {
        sequences = Map.copyOf(Objects.requireNonNull(sequences, "sequences"));
        if (floor < 0 || reserved < 0) {
            throw new IllegalArgumentException("floor and reserved must be non-negative, got " + floor + " and "
                    + reserved);
        }
    }

    /**
     * Marks without a floor or a reservation (what a format 1.1 file holds).
     *
     * @param sequences per stream, the highest sequence
     */
    public SequenceMarks(Map<String, Long> sequences) {
        this(sequences, 0, 0);
    }

    /**
     * Returns these marks with the reservation raised.
     *
     * @param upTo the highest sequence that may be handed out now
     * @return the marks (this instance when the reservation is already at least {@code upTo})
     */
    public SequenceMarks reservedUpTo(long upTo) {
        return upTo <= reserved ? this : new SequenceMarks(sequences, floor, upTo);
    }

    /**
     * Returns these marks with the floor raised.
     *
     * @param above every stream's next sequence is above this
     * @return the marks (this instance when the floor is already at least {@code above})
     */
    public SequenceMarks floorAt(long above) {
        return above <= floor ? this : new SequenceMarks(sequences, above, reserved);
    }

    /**
     * Reads the file.
     *
     * @param dir the buffer directory
     * @return the marks; empty marks when the file is missing; empty optional when it is damaged
     * @throws IncompatibleFormatException when the file is intact but of an unknown major version
     * @throws IOException                 when it cannot be read
     */
    public static Optional<SequenceMarks> read(Path dir) throws IOException {
        byte[] bytes;
        try {
            bytes = AtomicFile.read(dir.resolve(FILE));
        } catch (NoSuchFileException e) {
            return Optional.of(new SequenceMarks(Map.of()));
        } catch (IOException e) {
            // "Is a directory" alone does not say which path is wrong
            throw new IOException("Cannot read " + dir.resolve(FILE) + ": " + e.getMessage()
                    + (Files.isDirectory(dir.resolve(FILE)) ? " (a directory where a file belongs; move it away)"
                    : ""), e);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int crcAt = text.lastIndexOf("crc32c=");
        if (crcAt < 0) {
            return Optional.empty();
        }
        CRC32C crc = new CRC32C();
        crc.update(text.substring(0, crcAt).getBytes(StandardCharsets.UTF_8));
        if (!CrcTextLine.matches(text.substring(crcAt + 7), crc.getValue())) {
            return Optional.empty();
        }
        String format = "";
        Map<String, Long> seqs = new TreeMap<>();
        long floor = 0;
        long reserved = 0;
        try {
            for (String line : text.substring(0, crcAt).split("\n")) {
                if (line.startsWith("format=")) {
                    format = line.substring(7);
                } else if (line.startsWith("seq ")) {
                    int sp = line.indexOf(' ', 4);
                    seqs.merge(line.substring(sp + 1), Long.parseLong(line.substring(4, sp)), Math::max);
                } else if (line.startsWith("floor ")) {
                    floor = Math.max(floor, Long.parseLong(line.substring(6).trim()));
                } else if (line.startsWith("reserved ")) {
                    reserved = Math.max(reserved, Long.parseLong(line.substring(9).trim()));
                }
            }
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return Optional.empty();
        }
        if (floor < 0 || reserved < 0) {
            return Optional.empty();
        }
        if (!format.startsWith(FrameFormat.FORMAT_MAJOR + ".")) {
            throw new IncompatibleFormatException("Sequence file " + dir.resolve(FILE) + " has format '" + format
                    + "'; this SDK reads format " + FrameFormat.FORMAT_MAJOR + ".x");
        }
        return Optional.of(new SequenceMarks(seqs, floor, reserved));
    }

    /**
     * Returns these marks raised by others, stream by stream.
     *
     * @param more further marks
     * @return the merged marks (this instance when nothing rises)
     */
    public SequenceMarks raisedBy(Map<String, Long> more) {
        Map<String, Long> merged = null;
        for (Map.Entry<String, Long> e : more.entrySet()) {
            Long have = sequences.get(e.getKey());
            if (have == null || have < e.getValue()) {
                if (merged == null) {
                    merged = new TreeMap<>(sequences);
                }
                merged.put(e.getKey(), e.getValue());
            }
        }
        return merged == null ? this : new SequenceMarks(merged, floor, reserved);
    }

    /**
     * Writes the file atomically (temporary file, fsync, rename, fsync of the directory).
     *
     * @param dir the buffer directory
     * @throws IOException when writing fails (the previous file then stands)
     */
    public void write(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("format=").append(FrameFormat.FORMAT_MAJOR).append('.').append(FrameFormat.FORMAT_MINOR)
                .append('\n');
        for (Map.Entry<String, Long> e : new TreeMap<>(sequences).entrySet()) {
            sb.append("seq ").append(e.getValue()).append(' ').append(e.getKey()).append('\n');
        }
        if (floor > 0) {
            sb.append("floor ").append(floor).append('\n');
        }
        if (reserved > 0) {
            sb.append("reserved ").append(reserved).append('\n');
        }
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(body);
        sb.append("crc32c=").append(Long.toHexString(crc.getValue())).append('\n');
        AtomicFile.write(dir.resolve(FILE), sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
