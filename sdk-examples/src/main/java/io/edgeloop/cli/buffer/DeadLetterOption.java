package io.edgeloop.cli.buffer;

import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.relay.DeadLetterDirectory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code --dead-letter DIR} option of {@code buffer drain} and {@code buffer gateway}: where records the
 * receiver refuses as never acceptable are kept ({@link DeadLetterDirectory}) before they are skipped. By default
 * {@code <dir>.dead-letter} beside the buffer; {@code none} keeps them nowhere (skipped and logged only, as before
 * 2026-12-03), for a device whose storage cannot spare it; a directory literally named {@code none} is given as
 * {@code ./none}.
 *
 * <p>Thread-safe: static methods.
 */
final class DeadLetterOption {
    /** The option's description, shared by both commands. */
    static final String DESCRIPTION = "Where records the receiver refuses as never acceptable are kept before they"
            + " are skipped (default: <dir>.dead-letter beside the buffer; none: skipped and logged only).";

    private DeadLetterOption() {
    }

    /**
     * Resolves the option.
     *
     * @param value the option's value, null when not given
     * @param dir   the buffer directory ({@code --dir})
     * @param to    the destination ({@code --to})
     * @return the directory, or empty for {@code none}
     * @throws IllegalArgumentException when the directory is the buffer, inside it, another buffer or the
     *                                  {@code file:} destination
     * @throws IOException              when the paths cannot be compared
     */
    static Optional<DeadLetterDirectory> resolve(String value, Path dir, URI to) throws IOException {
        if (value != null && value.equals("none")) {
            return Optional.empty();
        }
        if (value != null && value.isBlank()) {
            throw new IllegalArgumentException("--dead-letter must name a directory or be 'none', got '" + value + "'");
        }
        DeadLetterDirectory d = value == null ? DeadLetterDirectory.beside(dir)
                : new DeadLetterDirectory(Path.of(value));
        Path target = DropDirectoryTarget.whenCreated(d.directory());
        Path buffer = DropDirectoryTarget.whenCreated(dir);
        String advice = "; give a directory of its own (the default is " + DeadLetterDirectory.beside(dir).directory()
                + ")";
        if (target.startsWith(buffer)) {
            throw new IllegalArgumentException("--dead-letter " + value + (target.equals(buffer) ? " is" : " lies inside")
                    + " the buffer directory --dir " + dir + advice);
        }
        if (Files.isDirectory(target) && DurableBuffer.isBufferDirectory(target)) {
            throw new IllegalArgumentException("--dead-letter " + value + " is a buffer directory" + advice);
        }
        if (to.getScheme() != null && to.getScheme().toLowerCase(Locale.ROOT).equals("file")) {
            Path drop = null;
            try {
                drop = DropDirectoryTarget.whenCreated(Path.of(to));
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                // a URI the transport refuses itself, naming what is wrong
            }
            if (target.equals(drop)) {
                throw new IllegalArgumentException("--dead-letter " + d.directory() + " is the --to drop directory:"
                        + " refused records would look delivered there" + advice);
            }
        }
        return Optional.of(d);
    }
}
