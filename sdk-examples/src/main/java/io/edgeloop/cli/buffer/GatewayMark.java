package io.edgeloop.cli.buffer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The mark {@code buffer gateway} leaves in its buffer directory ({@value #FILE}), so that {@code buffer append}
 * refuses that directory: every record of a gateway's buffer must be a relayed envelope, and one appended straight
 * into it can never be forwarded (the gateway keeps it in its dead-letter directory). The mark is a file of the
 * command-line tool, beside the buffer's own files, which the buffer ignores; a gateway writes it on every start, so
 * a buffer made by an older gateway is marked on its next start.
 *
 * <p>Thread-safe: static methods.
 */
final class GatewayMark {
    /** The mark's file name in the gateway's buffer directory. */
    static final String FILE = "relay-gateway.mark";

    private static final String TEXT = "This directory is the buffer of an Edgeloop relay gateway (edgeloop buffer"
            + " gateway). Each of its records is a relayed envelope; do not append to it. Append to a device's buffer"
            + " and drain that to the gateway: edgeloop buffer drain --dir DEVICE_DIR --to relay://HOST:PORT\n";

    private GatewayMark() {
    }

    /**
     * Marks {@code dir} (an open gateway buffer) as a gateway's, as {@link #write}, but never stops the gateway: a
     * gateway whose buffer filled the disk during an outage must start and drain, and there may be no room for the
     * mark (the buffer's reserve holds its own space). The mark only guards {@code buffer append}; records appended
     * anyway still end up in the dead-letter directory.
     *
     * @param dir the gateway's buffer directory
     * @param err where to say that the mark could not be written
     * @return whether the directory carries the mark now
     */
    static boolean tryWrite(Path dir, java.io.PrintWriter err) {
        try {
            write(dir);
            return true;
        } catch (IOException e) {
            Path temp = dir.resolve(FILE + ".tmp");
            try {
                if (Files.isRegularFile(temp, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(temp); // a partial mark; the next start writes it again
                }
            } catch (IOException ignored) {
                // the next start tries again
            }
            err.println("edgeloop: warning: cannot mark " + dir + " as a relay gateway's buffer (" + FILE + "): "
                    + e + "; forwarding anyway, but 'buffer append' will not refuse this directory until a start "
                    + "can write the mark");
            err.flush();
            return false;
        }
    }

    /**
     * Marks {@code dir} (an open gateway buffer) as a gateway's, durably, unless it is marked already.
     *
     * @param dir the gateway's buffer directory
     * @throws IOException when the mark cannot be written
     */
    static void write(Path dir) throws IOException {
        Path mark = dir.resolve(FILE);
        if (Files.isRegularFile(mark, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path temp = dir.resolve(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(TEXT.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        try {
            Files.move(temp, mark, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, mark, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** @return whether {@code name} is the mark or its temporary file (a buffer directory's own names, for a rerun) */
    static boolean isMarkFile(String name) {
        return name.equals(FILE) || name.equals(FILE + ".tmp");
    }

    /**
     * Refuses {@code buffer drain} of a gateway's buffer: its records are relayed envelopes, each wrapping a device's
     * record, and a plain drain would deliver the wrappers, not the devices' records; the gateway unwraps them.
     *
     * @param dir the {@code --dir} of {@code buffer drain}
     * @throws IllegalArgumentException when {@code dir} carries the mark, saying what to do instead
     */
    static void refuseDrain(Path dir) {
        if (Files.exists(dir.resolve(FILE), LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("--dir " + dir + " is a relay gateway's buffer (it holds " + FILE
                    + "): its records wrap the devices' records, and a drain would deliver the wrappers; forward it "
                    + "with 'buffer gateway --dir " + dir + " --to URI', which unwraps them");
        }
    }

    /**
     * Refuses {@code buffer append} into a gateway's buffer.
     *
     * @param dir the {@code --dir} of {@code buffer append}
     * @throws IllegalArgumentException when {@code dir} carries the mark, saying what to do instead
     */
    static void refuseAppend(Path dir) {
        if (Files.exists(dir.resolve(FILE), LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("--dir " + dir + " is a relay gateway's buffer (it holds " + FILE
                    + "): a record appended there is not a relayed envelope and can never be forwarded; append to a "
                    + "device's buffer and drain it to the gateway with 'buffer drain --to relay://HOST:PORT'");
        }
    }
}
