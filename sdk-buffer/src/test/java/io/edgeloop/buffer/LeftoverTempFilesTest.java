package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.log.Segment;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The temporary files the buffer writes and renames ({@code buffer.id}, {@code sequences}, {@code segments.idx},
 * cursor files, a roll's next segment), as a crash between the write and the rename leaves them: a read-only open
 * lists them and changes nothing, a writable open deletes them (and nothing else) and loses nothing. Before, they
 * stayed for good and nothing mentioned them.
 */
class LeftoverTempFilesTest {
    private static final List<String> LEFTOVERS = List.of("buffer.id.tmp", "sequences.tmp", "segments.idx.tmp",
            "cursors/up.cursor.tmp", Segment.tempName(1L << 40));
    /** Not the buffer's: a user's file, a cursor-looking name with a path, another program's temporary file. */
    private static final List<String> FOREIGN = List.of("notes.tmp", "cursors/notes.tmp", "seg-1.log.tmp");

    @TempDir
    Path dir;

    @BeforeEach
    void bufferWithLeftovers() throws IOException {
        try (DurableBuffer b = open(false)) {
            for (int i = 0; i < 100; i++) {
                b.append("s", 0, Payloads.of(i + 1, 100));
            }
            Cursor c = b.cursor("up");
            c.commit(c.poll(10, 1 << 20).get(9));
        }
        for (String name : LEFTOVERS) {
            // what AtomicFile.write leaves when the process dies after writing the temporary file: often cut short
            Files.write(dir.resolve(name), "partial=".getBytes(StandardCharsets.US_ASCII));
        }
        for (String name : FOREIGN) {
            Files.write(dir.resolve(name), new byte[] {1});
        }
    }

    private DurableBuffer open(boolean readOnly) throws IOException {
        return DurableBuffer.builder().directory(dir).durability(Durability.always()).segmentBytes(4096)
                .readOnly(readOnly).open();
    }

    @Test
    @DisplayName("a read-only open lists the leftover temporary files and leaves them")
    void readOnlyOpenListsThem() throws IOException {
        try (DurableBuffer b = open(true)) {
            assertEquals(LEFTOVERS.stream().sorted().toList(), b.leftoverTemporaryFiles().stream().sorted().toList());
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
        }
        for (String name : LEFTOVERS) {
            assertTrue(Files.exists(dir.resolve(name)), name);
        }
    }

    @Test
    @DisplayName("a writable open deletes them, keeps every other file and loses nothing")
    void writableOpenDeletesThem() throws IOException {
        try (DurableBuffer b = open(false)) {
            assertEquals(LEFTOVERS.stream().sorted().toList(), b.leftoverTemporaryFiles().stream().sorted().toList());
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
            assertEquals(100, DiskFullTest.readAll(b).size());
            assertEquals(11, b.cursor("up").poll(1, 1 << 20).get(0).sequence(), "the cursor resumes from its file,"
                    + " not from the temporary one");
            assertEquals(101, b.append("s", 0, new byte[1]).sequence(), "no floor: a leftover is no lost end");
        }
        for (String name : LEFTOVERS) {
            assertFalse(Files.exists(dir.resolve(name)), name + " deleted");
        }
        for (String name : FOREIGN) {
            assertTrue(Files.exists(dir.resolve(name)), name + " is not the buffer's and stays");
        }
        try (DurableBuffer b = open(true)) {
            assertEquals(List.of(), b.leftoverTemporaryFiles());
        }
    }
}
