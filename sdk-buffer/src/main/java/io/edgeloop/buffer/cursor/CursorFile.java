package io.edgeloop.buffer.cursor;

import io.edgeloop.buffer.IncompatibleFormatException;
import io.edgeloop.buffer.log.AtomicFile;
import io.edgeloop.buffer.log.CrcTextLine;
import io.edgeloop.buffer.log.FrameFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The persisted state of a cursor ({@code cursors/<name>.cursor}): the committed log position and, per stream, the
 * highest acknowledged sequence (so sequences are never reused for a record a receiver already has, even if a
 * crash under policy {@code none} lost the records' tail). Text lines ending with {@code crc32c=<hex>}.
 *
 * <p>Thread-safe: immutable.
 *
 * @param name     the cursor name
 * @param position the committed position
 * @param acked    per stream, the highest acknowledged sequence
 */
public record CursorFile(String name, long position, Map<String, Long> acked) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** File name suffix of cursor files. */
    public static final String SUFFIX = ".cursor";
    /**
     * File name suffix of a cursor's two slots for not yet synced state ({@code cursors/<name>.pending.0} and
     * {@code .pending.1}), written alternately in place by {@link io.edgeloop.buffer.policy.CursorSync#DEFERRED}
     * commits; same content as the {@code .cursor} file, or empty.
     */
    public static final String PENDING_SUFFIX = ".pending.";

    /**
     * Copies the map.
     *
     * @param name     the name
     * @param position the position
     * @param acked    the acknowledged sequences
     */
    public CursorFile {
        checkName(name);
        acked = Map.copyOf(Objects.requireNonNull(acked, "acked"));
    }

    /**
     * Validates a cursor name.
     *
     * @param name the name
     * @return the name
     * @throws IllegalArgumentException when it is not 1-64 characters of letters, digits, '.', '_' and '-'
     */
    public static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Invalid cursor name '" + name
                    + "': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    /**
     * Reads a cursor file.
     *
     * @param file the file
     * @return the state, or empty when the file is damaged
     * @throws IncompatibleFormatException when the file is intact but of an unknown major version
     * @throws IOException                 when it cannot be read
     */
    public static Optional<CursorFile> read(Path file) throws IOException {
        return parse(AtomicFile.read(file), file);
    }

    /**
     * Parses the bytes of a cursor file (or of a pending slot).
     *
     * @param bytes the file's bytes
     * @param file  the file, for messages
     * @return the state, or empty when the bytes are damaged (or empty)
     * @throws IncompatibleFormatException when they are intact but of an unknown major version
     */
    public static Optional<CursorFile> parse(byte[] bytes, Path file) throws IncompatibleFormatException {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int crcAt = text.lastIndexOf("crc32c=");
        if (crcAt < 0) {
            return Optional.empty();
        }
        byte[] body = text.substring(0, crcAt).getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(body);
        if (!CrcTextLine.matches(text.substring(crcAt + 7), crc.getValue())) {
            return Optional.empty();
        }
        String name = null;
        long position = -1;
        String format = "";
        Map<String, Long> acked = new TreeMap<>();
        try {
            for (String line : text.substring(0, crcAt).split("\n")) {
                if (line.startsWith("format=")) {
                    format = line.substring(7);
                } else if (line.startsWith("name=")) {
                    name = line.substring(5);
                } else if (line.startsWith("position=")) {
                    position = Long.parseLong(line.substring(9));
                } else if (line.startsWith("acked ")) {
                    int sp = line.indexOf(' ', 6);
                    acked.put(line.substring(sp + 1), Long.parseLong(line.substring(6, sp)));
                }
            }
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return Optional.empty();
        }
        if (!format.startsWith(FrameFormat.FORMAT_MAJOR + ".")) {
            throw new IncompatibleFormatException("Cursor file " + file + " has format '" + format
                    + "'; this SDK reads format " + FrameFormat.FORMAT_MAJOR + ".x");
        }
        if (name == null || position < 0 || !NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return Optional.of(new CursorFile(name, position, acked));
    }

    /**
     * Writes this state atomically into a directory as {@code <name>.cursor}: temporary file, sync, rename, sync
     * of the directory.
     *
     * @param dir the cursors directory
     * @throws IOException when writing fails (the previous state then stands)
     */
    public void write(Path dir) throws IOException {
        AtomicFile.write(dir.resolve(name + SUFFIX), encode());
    }

    /**
     * Returns the file of one of a cursor's two pending slots.
     *
     * @param dir  the cursors directory
     * @param name the cursor name
     * @param slot 0 or 1
     * @return {@code <dir>/<name>.pending.<slot>}
     */
    public static Path pendingFile(Path dir, String name, int slot) {
        if (slot != 0 && slot != 1) {
            throw new IllegalArgumentException("slot must be 0 or 1, got " + slot);
        }
        return dir.resolve(name + PENDING_SUFFIX + slot);
    }

    /**
     * Creates a new cursor's two pending slots, empty, so that deferred commits later only overwrite existing files
     * and never allocate one (on ext4, allocating and freeing an inode per commit dominated the kernel time of a
     * gateway draining ten thousand buffers). Slots left by an earlier cursor of the same name (a crash while it
     * was deleted) are emptied: their state is not this cursor's.
     *
     * @param dir the cursors directory
     * @throws IOException when a slot cannot be created
     */
    public void createPendingSlots(Path dir) throws IOException {
        for (int slot = 0; slot < 2; slot++) {
            try (FileChannel ch = FileChannel.open(pendingFile(dir, name, slot), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.size();
            }
        }
    }

    /**
     * Writes this state into one of the cursor's two pending slots, in place and without syncing. Commits
     * alternate between the slots, so a crash in the middle of a write (leaving that slot damaged) still leaves
     * the previous commit whole in the other one; after a power loss either slot may be old, empty or damaged,
     * and readers then fall back on the synced {@code <name>.cursor}.
     *
     * @param dir  the cursors directory
     * @param slot 0 or 1
     * @throws IOException when writing fails
     */
    public void writePending(Path dir, int slot) throws IOException {
        try (FileChannel ch = FileChannel.open(pendingFile(dir, name, slot), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            writePending(ch, -1);
        }
    }

    /**
     * Writes this state into a pending slot through a channel already open on it (for writing), in place and
     * without syncing, as {@link #writePending(Path, int)} does.
     *
     * @param ch             the slot's channel
     * @param previousLength the slot's length before, when known (saves asking the file), or -1
     * @return the slot's length now
     * @throws IOException when writing fails
     */
    public long writePending(FileChannel ch, long previousLength) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(encode());
        long at = 0;
        while (b.hasRemaining()) {
            at += ch.write(b, at);
        }
        // only when the previous state was longer: a truncate to the same length still costs a journalled
        // inode update, once per commit per device on a gateway
        if ((previousLength < 0 || previousLength > at) && ch.size() > at) {
            ch.truncate(at);
        }
        return at;
    }

    /**
     * Returns the later of two states of the same cursor: the one with the higher position, with the highest
     * acknowledged sequence of each stream from both.
     *
     * @param other another state of this cursor
     * @return the merged state
     */
    public CursorFile laterOf(CursorFile other) {
        if (!other.name.equals(name)) {
            throw new IllegalArgumentException("Cursor states of '" + name + "' and '" + other.name + "' differ");
        }
        Map<String, Long> merged = new TreeMap<>(acked);
        other.acked.forEach((s, q) -> merged.merge(s, q, Math::max));
        return new CursorFile(name, Math.max(position, other.position), merged);
    }

    private byte[] encode() {
        StringBuilder sb = new StringBuilder();
        sb.append("format=").append(FrameFormat.FORMAT_MAJOR).append('.').append(FrameFormat.FORMAT_MINOR)
                .append('\n');
        sb.append("name=").append(name).append('\n');
        sb.append("position=").append(position).append('\n');
        for (Map.Entry<String, Long> e : new TreeMap<>(acked).entrySet()) {
            sb.append("acked ").append(e.getValue()).append(' ').append(e.getKey()).append('\n');
        }
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(body);
        sb.append("crc32c=").append(Long.toHexString(crc.getValue())).append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
