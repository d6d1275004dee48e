package io.edgeloop.ota.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Opens a file for reading only when it is a regular file, without ever waiting on a FIFO. A name checked to be a
 * file and then opened for reading alone could be a FIFO by then (swapped in between), and open(2) of a FIFO for
 * reading waits for a writer, for good. So the name is opened first, for reading and writing (open(2) returns at
 * once for a FIFO too, on Linux and BSD; Java cannot pass O_NONBLOCK; nothing is written through it), and the open
 * file is then checked through its descriptor (a FIFO or socket cannot seek), as {@link AtomicFiles}' cleaner does.
 * A link (not followed), a directory, or a file this process may read but not write (a read-only mount, another
 * user's file) fails that open: what is there is then checked by name, and a regular file opened for reading
 * alone, so in a directory this process may not write that race remains, for whoever can write there.
 *
 * <p>Thread-safe: stateless.
 */
public final class RegularFileChannel {
    private RegularFileChannel() {
    }

    /**
     * Something other than a regular file is at a name opened with {@link #open}: a directory, a symbolic link
     * (not followed), a FIFO, a socket or a device. Not thread-safe (an exception).
     */
    public static final class NotRegularFileException extends FileSystemException {
        private static final long serialVersionUID = 1L;

        /**
         * @param file  the name
         * @param found what is there ({@code a special file (a FIFO, socket or device)})
         */
        public NotRegularFileException(Path file, String found) {
            super(file.toString(), null, "is " + found + ", not a regular file");
        }
    }

    /**
     * @param file the file (the last name not followed when it is a symbolic link)
     * @return the file opened for reading, positioned at 0
     * @throws NoSuchFileException     when nothing is there
     * @throws NotRegularFileException when something other than a regular file is there
     * @throws IOException             when it cannot be opened
     */
    public static FileChannel open(Path file) throws IOException {
        FileChannel c;
        try {
            c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // a link is "Too many levels of symbolic links", a plain IOException here
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new NotRegularFileException(file, a.isDirectory() ? "a directory"
                        : a.isSymbolicLink() ? "a symbolic link" : "a special file (a FIFO, socket or device)");
            }
            c = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        }
        try {
            c.position(); // through the descriptor: a FIFO or socket cannot seek ("Illegal seek")
            return c;
        } catch (IOException notAFile) {
            c.close();
            throw new NotRegularFileException(file, "a special file (a FIFO, socket or device)");
        }
    }
}
