package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.log.ChannelOpener;
import io.edgeloop.buffer.log.SequenceMarks;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.tck.Tmpfs;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An append that meets a full disk reclaims what every cursor acknowledged and writes again, in the same run: no
 * commit, reclaim or reopen is needed first. On a real 2 MiB tmpfs (mounted when the tests run as root), with
 * 256 KiB segments and one cursor, and always with channels that fail like ENOSPC where the file system shows room;
 * every unacknowledged record is read back after a reopen, densely and intact.
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
    @DisplayName("a fully acknowledged active segment is retired by the append that meets a disk filled by another")
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
                // before, every append failed until a commit or a reopen
                for (int i = 0; i < 500; i++) {
                    last = b.append("s", Payloads.of(b.lastSequence("s") + 1, 100)).sequence();
                    first = first == 0 ? last : first;
                }
                assertEquals(acked + 1, first, "the first append after the fill is stored");
            }
            assertTrue(Files.notExists(bufDir.resolve("seg-00000000000000000000.log")),
                    "the drained segment was retired");
            assertUnacknowledgedKept(bufDir, first, last);
        }
    }

    @EachDurability
    @DisplayName("a write that meets ENOSPC while the file system shows room retires the drained active segment")
    void writeMeetingEnospcRetiresTheDrainedActiveSegment(String mode) throws Exception {
        AtomicLong free = new AtomicLong(Long.MAX_VALUE);
        ChannelOpener opener = firstSegmentQuota(free);
        Path bufDir = dir.resolve("buf");
        long first = 0;
        long last = 0;
        try (DurableBuffer b = builder(bufDir, mode).channelOpener(opener).open()) {
            Cursor c = b.cursor("drain");
            for (int i = 1; i <= 100; i++) {
                last = b.append("s", Payloads.of(i, 100)).sequence();
            }
            drain(c);
            free.set(0);
            if (mode.equals("group")) {
                // the staged frame is in the segment, which therefore cannot be retired: this batch fails, and the
                // next append retires the segment first
                assertThrows(DiskFullException.class, () -> b.append("s", Payloads.of(101, 100)));
            }
            for (int i = 0; i < 100; i++) {
                last = b.append("s", Payloads.of(b.lastSequence("s") + 1, 100)).sequence();
                first = first == 0 ? last : first;
            }
        }
        assertTrue(Files.notExists(bufDir.resolve("seg-00000000000000000000.log")), "the drained segment was retired");
        assertUnacknowledgedKept(bufDir, first, last);
    }

    @EachDurability
    @DisplayName("a roll that meets ENOSPC retires the drained active segment and starts the next one")
    void rollMeetingEnospcRetiresTheDrainedActiveSegment(String mode) throws Exception {
        AtomicInteger failRolls = new AtomicInteger();
        ChannelOpener opener = (p, o) -> {
            if (p.getFileName().toString().endsWith(".tmp") && failRolls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("No space left on device");
            }
            return FileChannel.open(p, o);
        };
        Path bufDir = dir.resolve("buf");
        long first;
        long last;
        try (DurableBuffer b = builder(bufDir, mode).segmentBytes(4096).channelOpener(opener).open()) {
            Cursor c = b.cursor("drain");
            Appended a = b.append("s", Payloads.of(1, 100));
            long frame = a.endPosition() - a.position();
            while (a.endPosition() + frame <= 4096) {
                a = b.append("s", Payloads.of(a.sequence() + 1, 100));
            }
            drain(c);
            // the next append rolls the full, fully acknowledged segment, and creating the next one fails once
            failRolls.set(1);
            first = b.append("s", Payloads.of(a.sequence() + 1, 100)).sequence();
            assertEquals(a.sequence() + 1, first);
            assertEquals(0, failRolls.get(), "the roll met ENOSPC");
            last = first;
            for (int i = 0; i < 100; i++) {
                last = b.append("s", Payloads.of(last + 1, 100)).sequence();
            }
        }
        assertTrue(Files.notExists(bufDir.resolve("seg-00000000000000000000.log")), "the drained segment was retired");
        assertUnacknowledgedKept(bufDir, first, last);
    }

    @EachDurability
    @DisplayName("the append written again after retiring the active segment keeps its sequence reserved")
    void appendWrittenAfterRetiringKeepsItsSequenceReserved(String mode) throws Exception {
        AtomicLong free = new AtomicLong(Long.MAX_VALUE);
        Path bufDir = dir.resolve("buf");
        Appended stored;
        try (DurableBuffer b = builder(bufDir, mode).channelOpener(firstSegmentQuota(free)).open()) {
            // under group commit the staged batch fails (see above) and the next append retires the segment before
            // it reserves; otherwise the retry after retiring is what has to reserve again
            stored = retireTheDrainedSegment(b, b.cursor("drain"), free, mode);
            long reserved = SequenceMarks.read(bufDir).orElseThrow().reserved();
            assertTrue(reserved >= stored.sequence(), "sequence " + stored.sequence() + " was written above the"
                    + " stored reservation " + reserved);
        }
        // the segment holding it is lost while the buffer is closed (a card swapped, a careless cleanup): the
        // reservation is all that says its sequence was handed out
        try (var files = Files.list(bufDir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith("seg-")).toList()) {
                Files.delete(p);
            }
        }
        try (DurableBuffer b = builder(bufDir, mode).open()) {
            Appended next = b.append("s", Payloads.of(1, 100));
            assertTrue(next.sequence() > stored.sequence(), "key " + stored.key() + " was handed out again as "
                    + next.key());
        }
    }

    @EachDurability
    @DisplayName("once the disk has room again, a drain that catches up keeps the active segment")
    void drainAfterTheDiskHasRoomAgainKeepsTheActiveSegment(String mode) throws Exception {
        AtomicLong free = new AtomicLong(Long.MAX_VALUE);
        Path bufDir = dir.resolve("buf");
        try (DurableBuffer b = builder(bufDir, mode).channelOpener(firstSegmentQuota(free)).open()) {
            Cursor c = b.cursor("drain");
            // one full-disk event (only the first segment's file meets it), then the file system has room
            retireTheDrainedSegment(b, c, free, mode);
            free.set(Long.MAX_VALUE);
            List<String> kept = segmentFiles(bufDir);
            for (int round = 1; round <= 5; round++) {
                for (int i = 0; i < 10; i++) {
                    b.append("s", Payloads.of(b.lastSequence("s") + 1, 100));
                }
                drain(c);
                b.append("s", Payloads.of(b.lastSequence("s") + 1, 100));
                // before, each catch-up retired the segment (a sequences write, a roll, an INFO line) for good
                assertEquals(kept, segmentFiles(bufDir), "round " + round + ": the caught-up segment was kept");
            }
        }
    }

    /**
     * Only the first segment's channels (opened as its temporary file too) run out of space, once {@code free} is
     * used up (a quota, say), so statvfs cannot tell in advance.
     */
    private static ChannelOpener firstSegmentQuota(AtomicLong free) {
        return (p, o) -> p.getFileName().toString().startsWith("seg-00000000000000000000.log")
                ? new QuotaChannel(FileChannel.open(p, o), free) : FileChannel.open(p, o);
    }

    /**
     * Appends 100 records, drains them, then lets the first segment's quota run out: the append after that (under
     * group commit the one after the failed batch) retires the drained segment and is stored in a new one.
     */
    private static Appended retireTheDrainedSegment(DurableBuffer b, Cursor c, AtomicLong free, String mode)
            throws IOException {
        for (int i = 1; i <= 100; i++) {
            b.append("s", Payloads.of(i, 100));
        }
        drain(c);
        free.set(0);
        if (mode.equals("group")) {
            assertThrows(DiskFullException.class, () -> b.append("s", Payloads.of(101, 100)));
        }
        Appended stored = b.append("s", Payloads.of(b.lastSequence("s") + 1, 100));
        assertTrue(Files.notExists(b.directory().resolve("seg-00000000000000000000.log")), "the segment was retired");
        return stored;
    }

    private static List<String> segmentFiles(Path bufDir) throws IOException {
        try (var files = Files.list(bufDir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("seg-")).sorted().toList();
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
        return builder(bufDir, mode).open();
    }

    private static DurableBuffer.Builder builder(Path bufDir, String mode) {
        Durability d = switch (mode) {
            // staged and written by the sync thread, which each append wakes at once (no wait for a window)
            case "group" -> Durability.groupCommit(Duration.ofMillis(50), 1);
            case "none" -> Durability.none();
            default -> Durability.always();
        };
        return DurableBuffer.builder().directory(bufDir).deviceId("d").durability(d).segmentBytes(SEGMENT);
    }
}
