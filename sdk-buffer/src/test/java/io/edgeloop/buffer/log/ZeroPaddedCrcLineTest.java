package io.edgeloop.buffer.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.CursorFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code crc32c=} line of {@code buffer.id}, {@code sequences} and cursor files: docs/formats/buffer.md allows
 * leading zeros ({@code %08x}), so a file written that way is intact, not damaged (which would renew the epoch,
 * drop the sequence marks or restart a cursor at the oldest record).
 */
class ZeroPaddedCrcLineTest {
    private static final Pattern CRC_LINE = Pattern.compile("crc32c=([0-9a-f]+)\n$");

    @TempDir
    Path dir;

    /** Files whose CRC has fewer than 8 hex digits, so the zero-padded form differs from the written one. */
    private interface Writer {
        Path write(int variant) throws IOException;
    }

    private static Path writeWithShortCrc(Writer writer) throws IOException {
        for (int variant = 0; ; variant++) {
            Path file = writer.write(variant);
            Matcher m = CRC_LINE.matcher(Files.readString(file));
            assertTrue(m.find(), "written file ends with a crc32c line");
            if (m.group(1).length() < 8) {
                return file;
            }
        }
    }

    /** Rewrites the file's crc32c line as {@code %08x}, the way another tool would write it. */
    private static void padCrc(Path file) throws IOException {
        String text = Files.readString(file);
        Matcher m = CRC_LINE.matcher(text);
        assertTrue(m.find());
        String padded = text.substring(0, m.start()) + String.format("crc32c=%08x\n", Long.parseLong(m.group(1), 16));
        assertNotEquals(text, padded, "the padded form must differ, or the test proves nothing");
        Files.write(file, padded.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a file back: empty when the reader takes it for damaged. */
    private interface Reader {
        Optional<?> read(Path file) throws IOException;
    }

    /** Writes with the SDK, pads the CRC line, and expects the padded file to read as the written one. */
    private static void paddedReadsAsWritten(Writer writer, Reader reader) throws IOException {
        Path file = writeWithShortCrc(writer);
        Object written = reader.read(file).orElseThrow();
        padCrc(file);
        assertEquals(Optional.of(written), reader.read(file));
    }

    @Test
    @DisplayName("an identity file whose crc32c line has leading zeros reads as intact")
    void identityWithLeadingZerosIsIntact() throws IOException {
        paddedReadsAsWritten(v -> {
            new BufferIdentity(7, "device-" + v, 1_000L).write(dir);
            return dir.resolve(BufferIdentity.FILE);
        }, f -> BufferIdentity.read(f.getParent()));
    }

    @Test
    @DisplayName("a sequences file whose crc32c line has leading zeros reads as intact")
    void sequenceMarksWithLeadingZerosAreIntact() throws IOException {
        paddedReadsAsWritten(v -> {
            new SequenceMarks(Map.of("temp", 100L + v)).write(dir);
            return dir.resolve(SequenceMarks.FILE);
        }, f -> SequenceMarks.read(f.getParent()));
    }

    @Test
    @DisplayName("a cursor file whose crc32c line has leading zeros reads as intact")
    void cursorWithLeadingZerosIsIntact() throws IOException {
        paddedReadsAsWritten(v -> {
            new CursorFile("uplink", 4096L + v, Map.of("temp", 12L)).write(dir);
            return dir.resolve("uplink" + CursorFile.SUFFIX);
        }, CursorFile::read);
    }

    @Test
    @DisplayName("a crc32c line in upper case, longer than 8 digits or of another value is damaged")
    void otherFormsAreDamaged() throws IOException {
        new CursorFile("uplink", 1L, Map.of()).write(dir);
        Path file = dir.resolve("uplink" + CursorFile.SUFFIX);
        String text = Files.readString(file);
        Matcher m = CRC_LINE.matcher(text);
        assertTrue(m.find());
        long crc = Long.parseLong(m.group(1), 16);
        String body = text.substring(0, m.start());
        List<String> bad = new ArrayList<>(List.of(String.format("%09x", crc), Long.toHexString(crc ^ 1), "",
                "-" + Long.toHexString(crc), "0x" + Long.toHexString(crc)));
        if (!String.format("%X", crc).equals(Long.toHexString(crc))) {
            bad.add(String.format("%X", crc));
        }
        for (String line : bad) {
            Files.writeString(file, body + "crc32c=" + line + "\n");
            assertFalse(CursorFile.read(file).isPresent(), "crc32c=" + line);
        }
    }
}
