package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.tck.Tmpfs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, then a complete drain in a process of its own, then appends in a third: each process is a buffer
 * opened anew, so nothing the appender learnt of the full disk reaches the drain. On a real tmpfs (mounted when the
 * tests run as root) smaller than one segment, where only retiring the fully acknowledged active segment frees
 * anything. Before, the drain's commits all fitted (the appender had left {@code reserve.bin} in place), so the
 * drain never noted a full disk, never retired the segment, and every later append failed "Disk full".
 */
class DrainedElsewhereTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a drain in a new process frees the active segment of a full disk, and the next process appends")
    void drainInANewProcessFreesTheActiveSegment() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 2 << 20, "this full-disk case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            // 64 KiB freed after the fill, as the CLI's group-commit write cut back from a full disk leaves: the
            // drain's commits then fit and never meet ENOSPC themselves
            Path room = writeFile(fs.path().resolve("room"), 64 * 1024);
            long last = fill(bufDir);
            Files.delete(room);

            try (DurableBuffer b = open(bufDir)) {
                Cursor c = b.cursor("drain");
                long drained = 0;
                for (List<BufferedRecord> r = c.poll(500, 1 << 20); !r.isEmpty(); r = c.poll(500, 1 << 20)) {
                    drained += r.size();
                    c.commit(r.get(r.size() - 1));
                }
                assertEquals(last, drained, "the drain reads every record the fill stored");
            }
            assertTrue(Files.notExists(bufDir.resolve("seg-00000000000000000000.log")),
                    "the drained active segment is retired");
            assertTrue(fs.path().toFile().getUsableSpace() > 1 << 20, "its space is free: "
                    + fs.path().toFile().getUsableSpace());

            long next = appendAndCheck(bufDir, last, 2_000);
            assertEquals(last + 2_000, next);
        }
    }

    @Test
    @DisplayName("an open retires an active segment every cursor passed in an earlier process once the disk is full")
    void openRetiresADrainedActiveSegmentOnAFullDisk() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 2 << 20, "this full-disk case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            long last = 0;
            // 1 MiB segments: with the disk half free the drained segment can still roll, so the drain keeps it
            try (DurableBuffer b = DurableBuffer.builder().directory(bufDir).deviceId("d")
                    .durability(Durability.always()).segmentBytes(1 << 20).open()) {
                Cursor c = b.cursor("drain");
                for (int i = 1; i <= 4_000; i++) {
                    last = b.append("s", Payloads.of(i, 100)).sequence();
                }
                for (List<BufferedRecord> r = c.poll(500, 1 << 20); !r.isEmpty(); r = c.poll(500, 1 << 20)) {
                    c.commit(r.get(r.size() - 1));
                }
            }
            assertTrue(Files.exists(bufDir.resolve("seg-00000000000000000000.log")),
                    "a segment that can still roll is kept (no new segment per drain on a disk with room)");
            fs.fill("other", 4096); // something else fills the disk while the buffer is closed

            long next = appendAndCheck(bufDir, last, 1_000);
            assertEquals(last + 1_000, next);
        }
    }

    /** Appends records of 100 B under {@code always} until the disk is full; returns the last sequence stored. */
    private static long fill(Path bufDir) throws IOException {
        long last = 0;
        try (DurableBuffer b = open(bufDir)) {
            while (true) {
                try {
                    last = b.append("s", Payloads.of(last + 1, 100)).sequence();
                } catch (DiskFullException e) {
                    break;
                }
            }
        }
        assertTrue(last > 10_000, "a 2 MiB disk holds more than 10,000 records of 100 B, held " + last);
        return last;
    }

    /**
     * Appends {@code count} records in a process of their own (each would have failed "Disk full" before), then
     * reopens: exactly they are left, unacknowledged, with sequences after {@code last}, and nothing is lost.
     */
    private static long appendAndCheck(Path bufDir, long last, int count) throws IOException {
        long next = 0;
        try (DurableBuffer b = open(bufDir)) {
            for (int i = 0; i < count; i++) {
                next = b.append("s", Payloads.of(last + 1 + i, 100)).sequence();
            }
        }
        try (DurableBuffer b = open(bufDir)) {
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
            Cursor c = b.cursor("drain");
            long read = 0;
            for (List<BufferedRecord> r = c.poll(500, 1 << 20); !r.isEmpty(); r = c.poll(500, 1 << 20)) {
                for (BufferedRecord rec : r) {
                    read++;
                    assertEquals(last + read, rec.sequence(), "sequences go on densely, none reused");
                    assertArrayEquals(Payloads.of(rec.sequence(), 100), rec.payloadBytes());
                }
            }
            assertEquals(count, read, "the cursor still has exactly the new records to send");
        }
        return next;
    }

    private static DurableBuffer open(Path bufDir) throws IOException {
        // default 4 MiB segments: on a 2 MiB disk every record sits in the active segment
        return DurableBuffer.builder().directory(bufDir).deviceId("d").durability(Durability.always()).open();
    }

    private static Path writeFile(Path file, int bytes) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[bytes]);
        }
        return file;
    }
}
