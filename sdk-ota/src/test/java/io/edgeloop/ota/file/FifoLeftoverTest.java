package io.edgeloop.ota.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgeloop.ota.server.ChannelStore;
import io.edgeloop.ota.server.UpdateServer;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting an {@link UpdateServer} cleans the temporary files killed writers left. The cleaner checked that a
 * name was a regular file and then opened it for reading: a FIFO put at that name in between made the open wait
 * for a writer for good, and the server never started (review s16). Real FIFOs ({@code mkfifo}); the swap between
 * the check and the open is made at the cleaner's test seam.
 */
class FifoLeftoverTest {
    /** How long a start may take here: it takes well under a second. */
    static final long START_BOUND_SECONDS = 20;
    /** Above Linux's highest pid (2^22): no process has it, as a killed writer's. */
    static final long DEAD = 4_194_305;

    @AfterEach
    void resetSeam() {
        AtomicFiles.beforeOpen = f -> {
        };
    }

    static Path mkfifo(Path p) throws Exception {
        Process m = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, m.waitFor(), "mkfifo " + p);
        return p;
    }

    static boolean isFifo(Path p) throws Exception {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.isOther();
    }

    /**
     * Starts a server on {@code root} within {@link #START_BOUND_SECONDS}; when it hangs, opens each FIFO for
     * reading and writing (which never waits) so the stuck open returns, and fails.
     */
    static void startWithinBound(Path root, List<Path> fifos) throws Exception {
        CompletableFuture<UpdateServer> start = CompletableFuture.supplyAsync(() -> {
            try {
                return new UpdateServer(ChannelStore.withoutVerification(root), new InetSocketAddress("127.0.0.1", 0), 1 << 20);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            start.get(START_BOUND_SECONDS, TimeUnit.SECONDS).close();
        } catch (TimeoutException hung) {
            for (Path f : fifos) {
                // a writer for the stuck reader: its open returns
                FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
            }
            start.get(START_BOUND_SECONDS, TimeUnit.SECONDS).close();
            fail("the server's start hung on a FIFO named like a leftover temporary file for " + START_BOUND_SECONDS
                    + " s");
        }
    }

    @Test
    @DisplayName("a FIFO named like a killed writer's temporary file is left alone, and the start finishes")
    void fifoNamedLikeALeftoverIsLeftAlone(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("store"));
        Path channel = Files.createDirectories(root.resolve("channels").resolve("stable"));
        Path upload = mkfifo(root.resolve(".upload." + DEAD + ".1.tmp"));
        Path latest = mkfifo(channel.resolve(".latest.json." + DEAD + ".2.tmp"));
        Path leftover = Files.writeString(channel.resolve(".names.json." + DEAD + ".3.tmp"), "left by a kill");
        startWithinBound(root, List.of(upload, latest));
        assertTrue(isFifo(upload) && isFifo(latest), "not a file any writer of this SDK made: left alone");
        assertFalse(Files.exists(leftover), "a regular leftover is still deleted");
    }

    @Test
    @DisplayName("a FIFO swapped in between the cleaner's check and its open does not hang the start, and is left")
    void fifoSwappedInAfterTheCheckDoesNotHangTheStart(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("store"));
        Path leftover = Files.writeString(root.resolve(".upload." + DEAD + ".1.tmp"), "left by a kill");
        Path fifo = mkfifo(dir.resolve("fifo"));
        AtomicFiles.beforeOpen = f -> {
            if (f.getFileName().equals(leftover.getFileName())) {
                try {
                    Files.move(fifo, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        // old code (opened for reading alone): the open waited for a writer, and the start for good
        startWithinBound(root, List.of(leftover));
        assertTrue(isFifo(leftover), "the FIFO put at the name is left alone");
    }

    @Test
    @DisplayName("a regular file swapped in for the checked one after the check is not deleted")
    void fileSwappedInAfterTheCheckIsKept(@TempDir Path dir) throws Exception {
        Path leftover = Files.writeString(dir.resolve(".x.bundle." + DEAD + ".1.tmp"), "left by a kill");
        Path other = Files.writeString(dir.resolve("other"), "not the file that was checked");
        AtomicFiles.beforeOpen = f -> {
            try {
                Files.move(other, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        assertEquals(0, AtomicFiles.deleteStaleTemporaryFiles(dir));
        assertEquals("not the file that was checked", Files.readString(leftover));
    }
}
