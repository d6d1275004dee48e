package io.edgeloop.ota.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RegularFileChannel} opened every file for reading and writing (so that a FIFO at the name could not make
 * the open wait for a writer): each read of a bundle or channel file was a write to inotify watchers and sync
 * tools, and needed write permission (review s17). Now the name is checked first and a regular file opened for
 * reading only; a FIFO swapped in between the check and the open is freed by the watchdog and refused. Real FIFOs
 * ({@code mkfifo}); a call that hangs is freed after {@link #BOUND_SECONDS} by the test opening the FIFO itself, and
 * fails.
 */
class RegularFileChannelTest {
    /** How long one open may take here before it counts as hung: it takes well under a second. */
    static final long BOUND_SECONDS = 20;
    /** {@code O_ACCMODE} and {@code O_RDONLY} of Linux's open flags. */
    static final int O_ACCMODE = 03;
    static final int O_RDONLY = 0;

    @AfterEach
    void resetSeam() {
        RegularFileChannel.beforeOpen = f -> {
        };
    }

    /** The descriptors this process has open on {@code file}, from {@code /proc/self/fd}. */
    static List<Path> descriptorsOf(Path file) throws Exception {
        Path real = file.toRealPath();
        List<Path> fds = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).equals(real)) {
                        fds.add(fd.getFileName());
                    }
                } catch (java.io.IOException closedSinceTheListing) {
                    // the listing's own descriptor, or one another thread closed
                }
            }
        }
        return fds;
    }

    /** The open flags of descriptor {@code fd}, from {@code /proc/self/fdinfo/<fd>} ({@code flags:} in octal). */
    static int flags(Path fd) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo").resolve(fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        return fail("no flags in /proc/self/fdinfo/" + fd);
    }

    static String read(FileChannel c) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((int) c.size());
        while (b.hasRemaining() && c.read(b) >= 0) {
            // until full
        }
        return new String(b.array(), StandardCharsets.UTF_8);
    }

    /** The exception {@code call} ends with within the bound; when it hangs, frees it by opening {@code fifo}. */
    static Throwable failureWithinBound(Path fifo, Callable<?> call) throws Exception {
        CompletableFuture<Object> f = CompletableFuture.supplyAsync(() -> {
            try {
                return call.call();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        try {
            Object r = f.get(BOUND_SECONDS, TimeUnit.SECONDS);
            return fail("expected a failure, got " + r);
        } catch (ExecutionException e) {
            return e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
        } catch (TimeoutException hung) {
            FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE).close(); // a writer: it returns
            return fail("the open waited on a FIFO for " + BOUND_SECONDS + " s");
        }
    }

    @Test
    @DisplayName("a regular file is opened for reading only (its descriptor's flags in /proc/self/fdinfo say so)")
    void opensForReadingOnly(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fdinfo")), "needs Linux's /proc/self/fdinfo");
        Path file = Files.writeString(dir.resolve("latest.json"), "{}");
        try (FileChannel c = RegularFileChannel.open(file)) {
            List<Path> fds = descriptorsOf(file);
            assertEquals(1, fds.size(), "one descriptor on the file: " + fds);
            // before 2026-12-03: O_RDWR (02)
            assertEquals(O_RDONLY, flags(fds.get(0)) & O_ACCMODE, "access mode of fd " + fds.get(0));
            assertEquals("{}", read(c));
        }
    }

    @Test
    @DisplayName("an immutable file (chattr +i: not even root may open it for writing) is read")
    void readsAnImmutableFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("b.bundle"), "bundle bytes");
        Process p = new ProcessBuilder("sh", "-c", "exec chattr +i \"$1\"", "chattr", file.toString())
                .redirectErrorStream(true).start(); // via sh: no chattr is exit 127, a skip
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor() == 0, "needs chattr +i (e2fsprogs, CAP_LINUX_IMMUTABLE, a file system with the "
                + "attribute): " + out);
        try {
            assertThrows(java.nio.file.FileSystemException.class, () -> FileChannel.open(file,
                    StandardOpenOption.WRITE).close(), "immutable: no open for writing");
            try (FileChannel c = RegularFileChannel.open(file)) {
                assertEquals("bundle bytes", read(c));
            }
        } finally {
            new ProcessBuilder("chattr", "-i", file.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    @DisplayName("a FIFO at the name is refused without being opened")
    void fifoAtTheNameIsRefusedUnopened(@TempDir Path dir) throws Exception {
        Path fifo = FifoLeftoverTest.mkfifo(dir.resolve("latest.json"));
        AtomicInteger opens = new AtomicInteger();
        RegularFileChannel.beforeOpen = f -> opens.incrementAndGet();
        Throwable e = failureWithinBound(fifo, () -> RegularFileChannel.open(fifo));
        assertTrue(e instanceof RegularFileChannel.NotRegularFileException
                && e.getMessage().equals(fifo + ": is a special file (a FIFO, socket or device), not a regular file"),
                String.valueOf(e));
        assertEquals(0, opens.get(), "refused by the check, before any open");
    }

    @Test
    @DisplayName("a FIFO swapped in between the check and the open is freed by the watchdog and refused")
    void fifoSwappedInAfterTheCheckIsRefused(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("latest.json"), "{}");
        Path fifo = FifoLeftoverTest.mkfifo(dir.resolve("fifo"));
        RegularFileChannel.beforeOpen = f -> {
            try {
                Files.move(fifo, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Throwable e = failureWithinBound(file, () -> RegularFileChannel.open(file));
        assertTrue(e instanceof RegularFileChannel.NotRegularFileException
                && e.getMessage().contains("a special file"), String.valueOf(e));
        assertTrue(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS).isOther(), "the FIFO is left where it was put");
    }

    @Test
    @DisplayName("a directory, a symbolic link (not followed) and nothing are told apart")
    void namesWhatIsThere(@TempDir Path dir) throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        Path sub = Files.createDirectory(dir.resolve("sub"));
        assertEquals(link + ": is a symbolic link, not a regular file", assertThrows(
                RegularFileChannel.NotRegularFileException.class, () -> RegularFileChannel.open(link)).getMessage());
        assertEquals(sub + ": is a directory, not a regular file", assertThrows(
                RegularFileChannel.NotRegularFileException.class, () -> RegularFileChannel.open(sub)).getMessage());
        assertThrows(NoSuchFileException.class, () -> RegularFileChannel.open(dir.resolve("missing")));
    }
}
