package io.edgeloop.cli.buffer;

import io.edgeloop.buffer.DurableBuffer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
     * Refuses {@code to} when it is a {@code file:} URI naming the buffer {@code dir} or a directory inside it
     * (whether either exists yet or not, under any name: links and {@code ..} resolved), or any other existing buffer
     * directory. Other schemes, and URIs the transport will refuse itself, pass.
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
        String advice = ": a drop directory takes only the batch files the drain writes; give a directory of its own "
                + "(the receiver's drop directory) as --to";
        // compared as the directories will be once they exist: a gateway creates its --dir, and the transport
        // writes into --to as soon as it appears (returning early for a missing one let a gateway write into its
        // own new buffer)
        Path buffer = whenCreated(dir);
        Path target = whenCreated(drop);
        if (target.equals(buffer)) {
            throw new IllegalArgumentException("--to " + to + " is the buffer directory --dir " + dir + " itself"
                    + advice);
        }
        if (target.startsWith(buffer)) {
            throw new IllegalArgumentException("--to " + to + " lies inside the buffer directory --dir " + dir
                    + advice);
        }
        if (!Files.isDirectory(drop)) {
            return; // the transport says it is missing (an unmounted medium) and the drain retries
        }
        if (DurableBuffer.isBufferDirectory(drop)) {
            throw new IllegalArgumentException("--to " + to + " is a buffer directory (it holds a buffer's files)"
                    + advice);
        }
    }

    /**
     * The real path {@code path} will have once it is created: the real path of its nearest existing ancestor
     * (symbolic links and {@code ..} resolved as the kernel does) with the missing rest appended and normalized (a
     * missing element is no link, so only a {@code ..} can follow it, which the kernel would refuse). A symbolic
     * link whose target is missing is followed to that target. Two names of one directory thus compare equal
     * whether or not it exists yet.
     *
     * @param path the path
     * @return the absolute, normalized path
     * @throws IOException when an existing ancestor cannot be resolved (links nested more than 40 deep included)
     */
    static Path whenCreated(Path path) throws IOException {
        Path p = path.toAbsolutePath();
        for (int links = 0; links <= 40; links++) {
            Path existing = p;
            while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                return p.normalize();
            }
            Path rest = existing.relativize(p);
            if (Files.isSymbolicLink(existing) && !Files.exists(existing)) {
                // a dangling link: what it names is where the directory will be created
                p = existing.resolveSibling(Files.readSymbolicLink(existing)).resolve(rest).toAbsolutePath();
                continue;
            }
            return existing.toRealPath().resolve(rest).normalize();
        }
        throw new IOException("Too many levels of symbolic links resolving " + path);
    }
}
