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
}
