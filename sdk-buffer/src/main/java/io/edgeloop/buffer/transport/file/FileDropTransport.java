package io.edgeloop.buffer.transport.file;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.forward.ExplainsUnreachable;
import io.edgeloop.buffer.receiver.DropDirectoryReader;
import io.edgeloop.buffer.wire.BatchCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes each batch as one file: encode, write to {@code .<name>.tmp-<pid>-<n>}, {@code fsync}, then place it under
 * {@code <name>} without replacing anything (a hard link, which fails when the name is taken, then the temporary
 * name is removed; where links are unsupported, an atomic rename after an existence check) and {@code fsync} the
 * directory; only then is the batch acknowledged. The name comes from the batch's first and last idempotency keys
 * ({@code batch-<first>--<last>.elb}, see {@code fileName}; unsafe characters percent-encoded), so a re-sent batch
 * finds its own earlier copy: the same bytes already there count as delivered (no duplicate file), and a different
 * batch under that name is placed at {@code ~<n>} beside it, so no acknowledged batch is ever overwritten.
 *
 * <p>Failures (missing directory, full disk, I/O errors) are retryable {@link TransportException}s and leave no
 * temporary file behind when it can be deleted.
 *
 * <p>Thread-safe: concurrent sends write distinct temporary files; {@link #close()} may be called from any
 * thread.
 */
final class FileDropTransport implements Transport, ExplainsUnreachable {
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

    private final Path dir;
    private final BatchCodec codec;
    private final boolean fsync;
    private final AtomicBoolean closed = new AtomicBoolean();

    FileDropTransport(Path dir, BatchCodec codec, boolean fsync) {
        this.dir = dir;
        this.codec = codec;
        this.fsync = fsync;
    }

    @Override
    public void send(Batch batch) throws TransportException {
        if (closed.get()) {
            throw new IllegalStateException("file-drop transport to " + dir + " is closed");
        }
        byte[] bytes;
        try {
            bytes = codec.encode(batch);
        } catch (IllegalArgumentException e) {
            throw new TransportException("Cannot encode " + batch + ": " + e.getMessage(), false, e);
        }
        if (!Files.isDirectory(dir)) {
            throw new TransportException("Drop directory " + dir + " does not exist or is not a directory"
                    + " (is the medium mounted?)", true);
        }
        String name = fileName(batch.envelopes().get(0).key(), batch.envelopes().get(batch.size() - 1).key());
        Path temp = dir.resolve("." + name + ".tmp-" + ProcessHandle.current().pid() + "-"
                + TEMP_COUNTER.incrementAndGet());
        Path target = dir.resolve(name);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                if (fsync) {
                    ch.force(true);
                }
            }
            for (int n = 1; ; n++) {
                target = dir.resolve(n == 1 ? name : withSuffix(name, n));
                if (placeWithoutReplacing(temp, target, bytes)) {
                    break;
                }
            }
            if (fsync) {
                syncDirectory();
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof TransportException) {
                throw (TransportException) e;
            }
            throw new TransportException("Cannot write " + batch + " to " + target + ": " + e, true, e);
        }
    }

    /**
     * Moves the written temporary file to {@code target} unless that name is taken. Returns true when the batch is
     * in place: moved there, or found there already with the same bytes (then the temporary file is deleted).
     * Returns false when the name holds a different batch: the caller tries the next name.
     */
    private boolean placeWithoutReplacing(Path temp, Path target, byte[] bytes) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return sameFile(temp, target, bytes);
        }
        try {
            // A hard link never replaces an existing name (link(2) fails with EEXIST), unlike rename(2), which
            // replaces silently; where links are unsupported (FAT sticks) the exists check above guards the rename.
            Files.createLink(target, temp);
            Files.delete(temp);
            return true;
        } catch (FileAlreadyExistsException raced) {
            return sameFile(temp, target, bytes);
        } catch (UnsupportedOperationException | IOException noLinks) {
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (AtomicMoveNotSupportedException e) {
                // a property of the directory, not of the batch: skipping records would lose every one of them
                throw new TransportException("Drop directory " + dir + " does not support atomic rename; use a "
                        + "local file system (the records are kept until it does)", true, e);
            }
        }
    }

    /** Whether {@code target} already holds exactly {@code bytes}; if so the temporary copy is deleted. */
    private static boolean sameFile(Path temp, Path target, byte[] bytes) throws IOException {
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(target + " exists and is not a regular file; remove it");
        }
        if (Files.size(target) != bytes.length || !Arrays.equals(Files.readAllBytes(target), bytes)) {
            return false;
        }
        Files.delete(temp);
        return true;
    }

    private static String withSuffix(String name, int n) {
        return name.substring(0, name.length() - DropDirectoryReader.SUFFIX.length()) + "~" + n
                + DropDirectoryReader.SUFFIX;
    }

    private void syncDirectory() throws IOException {
        // Makes the rename itself durable; POSIX file systems allow fsync on a directory opened for reading.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Returns the file name for a batch whose first key is {@code first} and last key is {@code last}.
     *
     * @param first the first key
     * @param last  the last key
     * @return the file name, at most 200 characters (a SHA-256 of both keys when the plain name would be longer)
     */
    static String fileName(IdempotencyKey first, IdempotencyKey last) {
        String name = "batch-" + part(first) + "--" + part(last) + DropDirectoryReader.SUFFIX;
        if (name.length() <= 200) {
            return name;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((first + "\n" + last)
                    .getBytes(StandardCharsets.UTF_8));
            return "batch-" + HexFormat.of().formatHex(digest) + DropDirectoryReader.SUFFIX;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static String part(IdempotencyKey key) {
        return safe(key.deviceId()) + "_" + safe(key.stream()) + "_" + key.epoch() + "_" + key.sequence();
    }

    private static String safe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xFF);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.') {
                b.append(c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xF, 16)))
                        .append(Character.toUpperCase(Character.forDigit(x & 0xF, 16)));
            }
        }
        return b.toString();
    }

    @Override
    public boolean isReachable() {
        return Files.isDirectory(dir) && Files.isWritable(dir);
    }

    @Override
    public String unreachableReason() {
        if (!Files.isDirectory(dir)) {
            return "Drop directory " + dir + " does not exist or is not a directory (is the medium mounted?)";
        }
        return Files.isWritable(dir) ? "Drop directory " + dir + " is reachable"
                : "Drop directory " + dir + " is not writable (is the medium mounted read-only?)";
    }

    @Override
    public void close() {
        closed.set(true);
    }

    @Override
    public String toString() {
        return "file-drop[" + dir + "]";
    }
}
