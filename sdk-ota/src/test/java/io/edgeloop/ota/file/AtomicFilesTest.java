package io.edgeloop.ota.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The errors of {@link AtomicFiles} name what the caller gave, never the temporary file it did not choose. */
class AtomicFilesTest {
    @Test
    @DisplayName("a target in a missing directory is refused naming that directory, not the temporary file")
    void missingDirectoryIsNamed(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("nodir").resolve("x.bundle");
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> AtomicFiles.write(target, new byte[] {1, 2, 3}));
        // old code: the file was "<dir>/nodir/.x.bundle.<pid>.<n>.tmp"
        assertEquals(dir.resolve("nodir").toAbsolutePath().toString(), e.getFile());
        assertTrue(e.getReason().contains("x.bundle"), e.getReason());
        assertFalse(e.getMessage().contains(".tmp"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("nodir")));
    }

    @Test
    @DisplayName("writes into an existing directory leave only the target")
    void writesTheTarget(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("x.bundle");
        AtomicFiles.write(target, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left");
        }
    }

    @Test
    @DisplayName("a target that is a directory is refused before anything is written, naming it, not the temporary file")
    void directoryTargetIsNamed(@TempDir Path dir) throws Exception {
        Path target = Files.createDirectory(dir.resolve("out.bundle"));
        Files.writeString(target.resolve("kept.txt"), "kept");
        java.util.concurrent.atomic.AtomicBoolean wrote = new java.util.concurrent.atomic.AtomicBoolean();
        java.nio.file.FileSystemException e = assertThrows(java.nio.file.FileSystemException.class,
                () -> AtomicFiles.write(target, out -> wrote.set(true)));
        // old code: the whole content was written, then the rename failed: "<dir>/.out.bundle.<pid>.<n>.tmp ->
        // <dir>/out.bundle: Is a directory"
        assertEquals(target.toAbsolutePath() + ": is a directory, not a file; give the path of the file to write",
                e.getMessage());
        assertFalse(wrote.get(), "nothing is written");
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left");
        }
        assertEquals("kept", Files.readString(target.resolve("kept.txt")));
    }
}
