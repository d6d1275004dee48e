package io.edgeloop.cli.buffer;

import io.edgeloop.buffer.DurableBuffer;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Opens the buffer a writing command ({@code buffer append}, {@code buffer gateway}) stores in: an existing buffer,
 * or a new one in a missing or empty directory, never a new buffer among other files (bad-input sweep s16: {@code
 * buffer append --dir q-m3} made a buffer inside a quantize output). A non-empty directory that holds no buffer is
 * refused, as {@code drain} and {@code verify} refuse it, naming what is there.
 *
 * <p>Thread-safe: static methods.
 */
final class WritableBufferDirectory {
    /** How many of the directory's names the refusal lists. */
    private static final int LISTED = 8;

    private WritableBufferDirectory() {
    }

    /**
     * Opens the builder's buffer in {@code dir}.
     *
     * @param builder the configured builder (directory set to {@code dir})
     * @param dir     the {@code --dir}
     * @return the open buffer
     * @throws IOException when the directory holds other files but no buffer, naming some of them, or the open fails
     */
    private static boolean ownOrFileSystems(Path p) {
        String n = p.getFileName().toString();
        if (n.equals("buffer.lock") || n.equals("lost+found") || GatewayMark.isMarkFile(n)) {
            return true;
        }
        if (n.equals("cursors") && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> c = Files.list(p)) {
                return c.findAny().isEmpty();
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    static DurableBuffer open(DurableBuffer.Builder builder, Path dir) throws IOException {
        List<String> names = List.of();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                // buffer.lock and an empty cursors/ are the buffer's own (what a first open that failed before
                // storing anything leaves, as an append on a full disk: a rerun must not be refused); lost+found is
                // the file system's own (a partition given to the buffer, mounted at --dir); a gateway's mark is
                // the tool's own
                names = s.filter(p -> !ownOrFileSystems(p)).map(p -> p.getFileName().toString()).sorted()
                        .limit(LISTED + 1).toList();
            }
        }
        if (names.isEmpty()) {
            return builder.open();
        }
        try {
            // an existing buffer only: the library's own test of what a buffer directory holds
            return builder.createIfMissing(false).open();
        } catch (FileSystemException e) {
            if (e.getReason() == null || !e.getReason().startsWith("not a buffer directory")) {
                throw e;
            }
            String listed = String.join(", ", names.subList(0, Math.min(LISTED, names.size())))
                    + (names.size() > LISTED ? ", ..." : "");
            FileSystemException x = new FileSystemException(dir.toString(), null, e.getReason() + "; it holds "
                    + listed + ", and a new buffer is made only in a missing or empty directory: choose another --dir");
            x.addSuppressed(e);
            throw x;
        }
    }
}
