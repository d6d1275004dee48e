package io.edgeloop.buffer.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Replaces small files atomically: write a temporary file, fsync it, rename it over the target, fsync the
 * directory. After a crash the target holds either the old or the new content, never a mix. Also reads them whole
 * ({@link #read}).
 *
 * <p>Thread-safe: stateless; concurrent writers of the same file must synchronize themselves (the temporary file
 * is {@code <name>.tmp}, shared by every writer of that name). The buffer's own writers do: see {@link #write}.
 */
public final class AtomicFile {
    /** The first read's size: every small file of a buffer fits (cursor files and notes are under 200 bytes). */
    private static final int READ_START = 1024;

    private AtomicFile() {
    }

    /**
     * Atomically replaces a file's content.
     *
     * @param target the file
     * @param bytes  the new content
     * @throws IOException when writing fails (the old content is then intact)
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        // A fixed "<name>.tmp" is safe here because two writers of one target never meet: every caller writes
        // inside a buffer directory that DurableBuffer holds open for writing under its directory lock (one
        // writable buffer per directory, across processes and within this one), read-only opens write nothing,
        // and within the buffer each file has one writer at a time (the buffer's lock; a cursor's file under that
        // cursor's file lock). A caller outside that discipline must give each writer a temporary file of its own.
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /**
     * Reads a small file whole: open, reads until the end, close. {@link Files#readAllBytes} also asks for the
     * file's size first, a syscall more for each of the few small files every buffer open reads (identity, cursor
     * files and their pending slots), ten thousand times per drain on a gateway.
     *
     * @param file the file
     * @return its bytes
     * @throws java.nio.file.NoSuchFileException when it does not exist
     * @throws IOException                        when it cannot be read
     */
    public static byte[] read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(ch, file);
        }
    }

    /**
     * Reads a small file whole from the start, through a channel open on it (for reading), as {@link #read(Path)}.
     *
     * @param ch   the channel
     * @param file the file, for messages
     * @return its bytes
     * @throws IOException when it cannot be read
     */
    public static byte[] read(FileChannel ch, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(READ_START);
        while (ch.read(b, b.position()) >= 0) {
            if (!b.hasRemaining()) {
                if (b.capacity() > Integer.MAX_VALUE / 2 - 16) {
                    throw new IOException(file + " is too large to read whole");
                }
                b = ByteBuffer.allocate(b.capacity() * 2).put(b.flip());
            }
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    /**
     * Fsyncs a directory so that renames and new files in it survive power loss. A no-op where the platform
     * cannot open directories (Windows).
     *
     * @param dir the directory
     * @throws IOException when the sync fails
     */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (java.nio.file.AccessDeniedException | UnsupportedOperationException e) {
            // directories cannot be opened on this platform; rename durability is then the file system's
        }
    }
}
