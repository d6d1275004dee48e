package io.edgeloop.ota.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directory syncs that fail (review of 0ebed527 and 7f63674f): a retry after a failed parent sync must sync the
 * parent again, and a file system without directory fsync at all must not fail every write.
 */
class DirectorySyncFailureTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("a failed parent sync removes the directories the call created, so the retry creates and syncs them")
    void retryAfterAFailedParentSyncSyncsTheParent() throws IOException {
        Path dir = tmp.resolve("state").resolve("b");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.createDirectoriesDurably(dir, d -> {
            throw new IOException("Input/output error");
        }));
        assertEquals("Input/output error", e.getMessage());
        // before: state/b stayed, and the retry below found it existing and synced nothing
        assertFalse(Files.exists(tmp.resolve("state")), "what the failed call created is gone");
        List<Path> synced = new ArrayList<>();
        AtomicFiles.createDirectoriesDurably(dir, synced::add);
        assertEquals(List.of(tmp.resolve("state"), tmp), synced);
        assertTrue(Files.isDirectory(dir));
        synced.clear();
        AtomicFiles.createDirectoriesDurably(dir, synced::add);
        assertEquals(List.of(), synced, "nothing created, nothing to sync");
    }

    @Test
    @DisplayName("EINVAL, ENOTSUP and ENOSYS from a directory's fsync mean 'no directory sync here'; EIO is a failure")
    void classifiesRefusalsApartFromFailures() {
        assertTrue(AtomicFiles.refusesDirectorySync(new IOException("Invalid argument")));
        assertTrue(AtomicFiles.refusesDirectorySync(new FileSystemException("/mnt/cifs/state", null,
                "Operation not supported")));
        assertTrue(AtomicFiles.refusesDirectorySync(new IOException("Function not implemented")));
        assertFalse(AtomicFiles.refusesDirectorySync(new IOException("Input/output error")));
        assertFalse(AtomicFiles.refusesDirectorySync(new IOException("No space left on device")));
        assertFalse(AtomicFiles.refusesDirectorySync(new IOException((String) null)));
    }
}
