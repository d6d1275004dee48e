package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.tck.Tmpfs;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An append that meets a full disk reclaims what every cursor acknowledged and writes again, in the same run: no
 * commit, reclaim or reopen is needed first. On a real 2 MiB tmpfs (mounted when the tests run as root), with
 * 256 KiB segments and one cursor; every unacknowledged record is read back after a reopen, densely and intact.
 */
class AppendReclaimsOnFullDiskTest {
    private static final int SEGMENT = 256 * 1024;
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    @EachDurability
    @DisplayName("a segment acknowledged up to its footer is reclaimed by the append that meets the full disk")
    void appendReclaimsASegmentAcknowledgedUpToItsFooter(String mode) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 2 << 20, "this full-disk case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            long acked;
            long last;
            try (DurableBuffer b = open(bufDir, mode)) {
                Cursor c = b.cursor("drain");
                // a drain that keeps up: it has committed every record when the next append rolls the segment, so
                // its commit ends where the sealed segment's footer starts
                long end = -1;
                long seq = 0;
                while (true) {
                    Appended a = b.append("s", Payloads.of(seq + 1, 100));
                    seq = a.sequence();
                    if (end >= 0 && a.position() != end) {
                        break;
                    }
                    end = a.endPosition();
                    drain(c);
                }
                acked = seq - 1;
                Path first = bufDir.resolve("seg-00000000000000000000.log");
                assertTrue(Files.exists(first), "the first segment stays until the disk needs its space");
                // then nothing is acknowledged any more (an outage upstream) until the disk is full
                last = seq;
                DiskFullException full = null;
                while (full == null) {
                    try {
                        last = b.append("s", Payloads.of(last + 1, 100)).sequence();
                    } catch (DiskFullException e) {
                        full = e;
                    }
                }
                assertTrue(Files.notExists(first), "the acknowledged segment was reclaimed before the disk was"
                        + " full (" + (last - acked) + " records unacknowledged): " + full.getMessage());
            }
            assertUnacknowledgedKept(bufDir, acked + 1, last);
        }
    }

    @EachDurability
    @DisplayName("a fully acknowledged active segment is retired by the appends that meet a disk filled by another")
    void appendRetiresAFullyAcknowledgedActiveSegment(String mode) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 2 << 20, "this full-disk case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            long first = 0;
            long last = 0;
            try (DurableBuffer b = open(bufDir, mode)) {
                Cursor c = b.cursor("drain");
                Appended a = null;
                for (int i = 1; i <= 1_000; i++) {
                    a = b.append("s", Payloads.of(i, 100));
                }
                // one more record ends the segment's file on a page boundary, so the next frame needs a new page
                int overhead = (int) (a.endPosition() - a.position()) - 100;
                int toBoundary = (int) (PAGE - a.endPosition() % PAGE);
                if (toBoundary < overhead + 1) {
                    toBoundary += PAGE;
                }
                a = b.append("s", Payloads.of(a.sequence() + 1, toBoundary - overhead));
                assertEquals(0, a.endPosition() % PAGE);
                long acked = a.sequence();
                drain(c);
                // the drain caught up while the disk had room to roll the segment, so it was kept; then something
                // else on the file system (another buffer, a log) takes the rest
                fs.fill("other", PAGE);
                if (mode.equals("group")) {
                    // the staged write fails with its frame in the segment, so it cannot retire it; the next append
                    // does, without a commit (before, every append failed until a commit or reopen)
                    assertThrows(DiskFullException.class, () -> b.append("s", Payloads.of(acked + 1, 100)));
                }
                for (int i = 0; i < 500; i++) {
                    last = b.append("s", Payloads.of(b.lastSequence("s") + 1, 100)).sequence();
                    first = first == 0 ? last : first;
                }
            }
            assertTrue(Files.notExists(bufDir.resolve("seg-00000000000000000000.log")),
                    "the drained segment was retired");
            assertUnacknowledgedKept(bufDir, first, last);
        }
    }

    /** Every record from {@code first} to {@code last} is read back after a reopen, densely and intact. */
    private static void assertUnacknowledgedKept(Path bufDir, long first, long last) throws IOException {
        try (DurableBuffer b = DurableBuffer.builder().directory(bufDir).deviceId("d").segmentBytes(SEGMENT)
                .open()) {
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
            Cursor c = b.cursor("drain");
            long read = first - 1;
            for (List<BufferedRecord> r = c.poll(500, 1 << 20); !r.isEmpty(); r = c.poll(500, 1 << 20)) {
                for (BufferedRecord rec : r) {
                    read++;
                    assertEquals(read, rec.sequence(), "unacknowledged records in order, none missing");
                    assertArrayEquals(Payloads.of(read, 100), rec.payloadBytes());
                }
            }
            assertEquals(last, read, "every unacknowledged record is still there");
        }
    }

    private static void drain(Cursor c) throws IOException {
        for (List<BufferedRecord> r = c.poll(500, 1 << 20); !r.isEmpty(); r = c.poll(500, 1 << 20)) {
            c.commit(r.get(r.size() - 1));
        }
    }

    /** Runs a test under each durability mode: written at once and synced, staged for group commit, not synced. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"always", "group", "none"})
    @interface EachDurability {
    }

    private static DurableBuffer open(Path bufDir, String mode) throws IOException {
        Durability d = switch (mode) {
            // staged and written by the sync thread, which each append wakes at once (no wait for a window)
            case "group" -> Durability.groupCommit(Duration.ofMillis(50), 1);
            case "none" -> Durability.none();
            default -> Durability.always();
        };
        return DurableBuffer.builder().directory(bufDir).deviceId("d").durability(d).segmentBytes(SEGMENT).open();
    }
}
