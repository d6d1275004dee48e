package io.edgeloop.ota.registry;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run in a child JVM: takes a registry model's file lock (as another publisher process would), says so on stdout,
 * holds it for the given milliseconds, writes a marker file and releases it.
 */
public final class ModelLockHolder {
    private ModelLockHolder() {
    }

    /**
     * @param args the model directory, the marker file, the milliseconds to hold the lock
     * @throws Exception when locking fails
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock fl = ch.lock()) {
            System.out.println(fl.isValid() ? "locked" : "not locked");
            System.out.flush();
            Thread.sleep(Long.parseLong(args[2]));
            Files.writeString(Path.of(args[1]), "released");
        }
    }
}
