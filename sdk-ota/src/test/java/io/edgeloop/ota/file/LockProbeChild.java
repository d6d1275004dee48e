package io.edgeloop.ota.file;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run in a child JVM: prints {@code held} when another process holds a lock on the file given, else {@code free}
 * (what another process's cleaning would see).
 */
public final class LockProbeChild {
    private LockProbeChild() {
    }

    /**
     * @param args the file
     * @throws Exception when it cannot be opened
     */
    public static void main(String[] args) throws Exception {
        try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ)) {
            FileLock l = c.tryLock(0, Long.MAX_VALUE, true);
            System.out.println(l == null ? "held" : "free");
        }
    }
}
