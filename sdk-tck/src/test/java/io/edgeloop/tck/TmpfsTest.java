package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TmpfsTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a mounted tmpfs fills up with ENOSPC, frees space on delete, and is unmounted by close (twice)")
    void mountFillAndUnmount() throws Exception {
        Path mnt = dir.resolve("mnt");
        Tmpfs fs = Tmpfs.mount(mnt, 256 * 1024, "nothing else covers this helper");
        try {
            assertTrue(mounted(mnt), "mounted on " + mnt);
            Path filler = fs.fill("filler", 4096);
            long size = Files.size(filler);
            assertTrue(size > 200 * 1024 && size <= 256 * 1024, "filled " + size + " bytes");
            IOException full = assertThrows(IOException.class, () -> Files.write(mnt.resolve("x"), new byte[8192]));
            assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full.toString());
            Files.delete(filler);
            Files.write(mnt.resolve("x"), new byte[8192]);
        } finally {
            fs.close();
            fs.close();
        }
        assertFalse(mounted(mnt), "unmounted");
    }

    private static boolean mounted(Path mnt) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .anyMatch(l -> l.split(" ")[1].equals(mnt.toAbsolutePath().toString()));
    }
}
