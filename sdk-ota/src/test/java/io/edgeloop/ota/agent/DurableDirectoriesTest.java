package io.edgeloop.ota.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory {@link FileDeviceStorage} creates, and a file its in-place write creates, have durable names: the
 * parent directory is synced after each (POSIX: a new entry survives a power cut only once its directory is
 * synced). Recorded through the storage's directory-sync seam; every sync is still done for real.
 */
class DurableDirectoriesTest {
    private static FileDeviceStorage recording(Path root, List<Path> synced) throws Exception {
        return new FileDeviceStorage(root, d -> {
            synced.add(d.toAbsolutePath());
            io.edgeloop.ota.file.AtomicFiles.syncDirectory(d);
        });
    }

    @Test
    @DisplayName("opening a state directory that does not exist syncs the parent of every directory it creates")
    void createdStateDirectoryIsSyncedIntoItsParents(@TempDir Path dir) throws Exception {
        List<Path> synced = new ArrayList<>();
        recording(dir.resolve("var/lib/state"), synced);
        // before: Files.createDirectories alone; a power cut could take the whole state directory by its name
        assertEquals(List.of(dir.resolve("var/lib"), dir.resolve("var"), dir), synced);
        synced.clear();
        recording(dir.resolve("var/lib/state"), synced);
        assertEquals(List.of(), synced, "an existing directory costs no sync");
    }

    @Test
    @DisplayName("a slot directory created by a write is synced into the state directory, and the in-place write's "
            + "new file into the slot directory")
    void slotDirectoryAndInPlaceFileAreSynced(@TempDir Path dir) throws Exception {
        List<Path> synced = new ArrayList<>();
        FileDeviceStorage s = recording(dir.resolve("state"), synced);
        synced.clear();
        s.write("slot-a/artifact", new byte[] {1, 2, 3}, null);
        Path root = dir.resolve("state").toRealPath();
        assertEquals(List.of(root, root.resolve("slot-a")), synced);
        synced.clear();
        s.write("slot-a/artifact", new byte[] {4}, null);
        assertEquals(List.of(root.resolve("slot-a")), synced, "the slot directory exists: only the file's name");
    }
}
