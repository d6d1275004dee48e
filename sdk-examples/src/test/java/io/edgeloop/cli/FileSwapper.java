package io.edgeloop.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Replaces a file over and over with alternating contents, atomically (a temporary file renamed over it, as a
 * writer's rename does), every 0.2 ms on its own thread: what another process does to an input a command reads
 * more than once. Tests use it to prove a command reads each input once.
 *
 * <p>Not thread-safe: started and stopped by one test.
 */
public final class FileSwapper {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final Thread thread;

    /**
     * Starts swapping.
     *
     * @param file     the file to replace
     * @param versions the contents to write in turn (the first one first)
     * @param name     the thread's name
     */
    public FileSwapper(Path file, List<byte[]> versions, String name) {
        Path tmp = file.resolveSibling(file.getFileName() + ".swap.tmp");
        thread = new Thread(() -> {
            try {
                for (long i = 0; !stop.get(); i++) {
                    Files.write(tmp, versions.get((int) (i % versions.size())));
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    LockSupport.parkNanos(200_000);
                }
            } catch (IOException e) {
                failure.set(e);
            }
        }, name);
        thread.start();
    }

    /**
     * Stops swapping and waits for the thread; rethrows what made it stop early.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    public void stop() throws InterruptedException {
        stop.set(true);
        thread.join();
        if (failure.get() != null) {
            throw new UncheckedIOException("the swapper failed", failure.get());
        }
    }
}
