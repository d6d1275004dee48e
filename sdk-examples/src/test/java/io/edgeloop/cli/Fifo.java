package io.edgeloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A named pipe (mkfifo) that a daemon thread writes once: what a shell's {@code <(cat x.csv)} hands a command, a
 * file that is not regular and can be read only once.
 *
 * <p>Not thread-safe: one test uses it.
 */
public final class Fifo {
    private final Path path;
    private final Thread writer;

    private Fifo(Path path, Thread writer) {
        this.path = path;
        this.writer = writer;
    }

    /**
     * Creates the pipe and starts writing the content into it; the writer waits for a reader. Should the command
     * never open the pipe, the (daemon) writer stays blocked and the test's own assertion says why.
     *
     * @param path    where to create it (a new path)
     * @param content what a reader reads
     * @return the pipe
     * @throws IOException          when mkfifo fails
     * @throws InterruptedException when interrupted waiting for mkfifo
     */
    public static Fifo feeding(Path path, byte[] content) throws IOException, InterruptedException {
        Process mk = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor(), "mkfifo " + path);
        Thread w = new Thread(() -> {
            try (var o = Files.newOutputStream(path)) {
                o.write(content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "fifo-writer");
        w.setDaemon(true);
        w.start();
        return new Fifo(path, w);
    }

    /** @return the pipe's path */
    public Path path() {
        return path;
    }

    /**
     * Waits until the content has been read (call it once the command succeeded).
     *
     * @throws InterruptedException when interrupted
     */
    public void awaitRead() throws InterruptedException {
        writer.join();
    }
}
