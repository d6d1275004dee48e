package io.edgeloop.cli.buffer;

import io.edgeloop.buffer.DurableBuffer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Refuses a {@code file:} destination that is a buffer directory, before the command opens or writes anything: the
 * file-drop transport would write its batch files into a buffer (the one being drained, or another), which is not
 * its drop directory, and a drain into its own buffer would hand records back to where they came from.
 *
 * <p>Thread-safe: static methods.
 */
final class DropDirectoryTarget {
    private DropDirectoryTarget() {
    }

    /**
     * Refuses {@code to} when it is a {@code file:} URI naming the buffer {@code dir}, a directory inside it, or any
     * other buffer directory. Other schemes, and URIs the transport will refuse itself, pass.
     *
     * @param to  the {@code --to} destination
     * @param dir the {@code --dir} buffer
     * @throws IllegalArgumentException naming the destination and what it is
     * @throws IOException              when the paths cannot be compared or the destination cannot be listed
     */
    static void refuseBuffer(URI to, Path dir) throws IOException {
        if (to.getScheme() == null || !to.getScheme().toLowerCase(Locale.ROOT).equals("file")) {
            return;
        }
        Path drop;
        try {
            drop = Path.of(to);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return; // the transport names what is wrong with the URI
        }
        if (!Files.isDirectory(drop)) {
            return; // the transport says it is missing (an unmounted medium) and the drain retries
        }
        String advice = ": a drop directory takes only the batch files the drain writes; give a directory of its own "
                + "(the receiver's drop directory) as --to";
        if (Files.isDirectory(dir)) {
            Path buffer = dir.toRealPath();
            Path real = drop.toRealPath();
            if (real.equals(buffer)) {
                throw new IllegalArgumentException("--to " + to + " is the buffer directory --dir " + dir
                        + " itself" + advice);
            }
            if (real.startsWith(buffer)) {
                throw new IllegalArgumentException("--to " + to + " lies inside the buffer directory --dir " + dir
                        + advice);
            }
        }
        if (DurableBuffer.isBufferDirectory(drop)) {
            throw new IllegalArgumentException("--to " + to + " is a buffer directory (it holds a buffer's files)"
                    + advice);
        }
    }
}
