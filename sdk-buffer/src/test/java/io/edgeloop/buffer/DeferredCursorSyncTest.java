package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.cursor.CursorFile;
import io.edgeloop.buffer.log.FrameFormat;
import io.edgeloop.buffer.policy.CursorSync;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CursorSync#DEFERRED}: commits are written without syncing, synced before any segment is deleted. A power
 * loss is simulated by removing or damaging what was never synced (the {@code .pending} file and, under durability
 * {@code none}, the tail of the active segment): the buffer must then re-send, never skip, and never reuse a
 * sequence number.
 */
class DeferredCursorSyncTest {
    @TempDir
    Path dir;

    private DurableBuffer open(CursorSync sync) throws IOException {
        return DurableBuffer.builder().directory(dir).deviceId("dev-1").durability(Durability.none())
                .segmentBytes(8192).cursorSync(sync).open();
    }

    private Path cursorFile(String suffix) {
        return dir.resolve("cursors").resolve("gw" + suffix);
    }

    private Path slot(int n) {
        return CursorFile.pendingFile(dir.resolve("cursors"), "gw", n);
    }

    private static List<BufferedRecord> drain(Cursor c, int max) throws IOException {
        List<BufferedRecord> all = new ArrayList<>();
        while (all.size() < max) {
            List<BufferedRecord> r = c.poll(Math.min(max - all.size(), 50), 1 << 20);
            if (r.isEmpty()) {
                break;
            }
            all.addAll(r);
        }
        return all;
    }

    @Test
    @DisplayName("a deferred commit leaves the synced file alone, and a clean reopen resumes from it")
    void deferredCommitResumesAfterReopen() throws IOException {
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            Cursor c = b.cursor("gw");
            for (int i = 1; i <= 40; i++) {
                b.append("s", Payloads.of(i, 30));
            }
            b.flush(); // frames synced: their commits may be deferred
            String synced = Files.readString(cursorFile(CursorFile.SUFFIX));
            List<BufferedRecord> got = drain(c, 25);
            c.commit(got.get(24));
            assertEquals(synced, Files.readString(cursorFile(CursorFile.SUFFIX)), "a commit must not sync");
            assertTrue(Files.readString(slot(0)).contains("position=" + got.get(24).nextPosition()));
            assertEquals(0, Files.size(slot(1)), "the second slot is allocated with the cursor, still empty");
            assertEquals(CursorSync.DEFERRED, b.cursorSync());
        }
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            assertEquals(26, b.cursor("gw").poll(1, 1 << 20).get(0).sequence());
        }
        // the state is readable whatever the next session's mode
        try (DurableBuffer b = open(CursorSync.EVERY_COMMIT)) {
            assertEquals(26, b.cursor("gw").poll(1, 1 << 20).get(0).sequence());
        }
    }

    @Test
    @DisplayName("a power loss that takes the unsynced commit re-sends from the last synced one, and a damaged"
            + " pending file is ignored")
    void lostOrDamagedPendingFallsBackToSyncedState() throws IOException {
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            Cursor c = b.cursor("gw");
            for (int i = 1; i <= 60; i++) {
                b.append("s", Payloads.of(i, 30));
            }
            b.flush(); // frames synced: their commits may be deferred
            c.commit(drain(c, 10).get(9));
            b.syncCursors();
            assertTrue(Files.readString(cursorFile(CursorFile.SUFFIX)).contains("acked 10 s"),
                    "syncCursors writes the latest commit into the synced file");
            c.commit(drain(c, 20).get(19));
        }
        // commits alternate: slot 0 holds the commit at 10, slot 1 the one at 30
        assertTrue(Files.readString(slot(0)).contains("acked 10 s"));
        byte[] pending = Files.readAllBytes(slot(1));
        Files.write(slot(1), "position=999999\ncrc32c=0\n".getBytes(StandardCharsets.UTF_8));
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            assertEquals(11, b.cursor("gw").poll(1, 1 << 20).get(0).sequence(), "damaged: back to the synced 10");
        }
        Files.write(slot(1), pending);
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            assertEquals(31, b.cursor("gw").poll(1, 1 << 20).get(0).sequence(), "intact: the deferred 30 stands");
        }
        Files.delete(slot(1));
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            assertEquals(11, b.cursor("gw").poll(1, 1 << 20).get(0).sequence(), "lost: re-send from 11");
        }
    }

    @Test
    @DisplayName("commits alternate between two slots, so a write torn by a crash leaves the previous commit")
    void tornSlotFallsBackToTheOtherSlot() throws IOException {
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            Cursor c = b.cursor("gw");
            for (int i = 1; i <= 60; i++) {
                b.append("s", Payloads.of(i, 30));
            }
            b.flush(); // frames synced: their commits may be deferred
            c.commit(drain(c, 10).get(9));
            c.commit(drain(c, 20).get(19));
        }
        byte[] torn = Files.readAllBytes(slot(1));
        Files.write(slot(1), java.util.Arrays.copyOf(torn, torn.length / 2));
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            Cursor c = b.cursor("gw");
            assertEquals(11, c.poll(1, 1 << 20).get(0).sequence(), "slot 0 still holds the commit at 10");
            c.rewind();
            c.commit(drain(c, 5).get(4));
            // the latest intact state was in slot 0, so this commit overwrote the torn slot 1
            assertTrue(Files.readString(slot(1)).contains("acked 15 s"));
            assertTrue(Files.readString(slot(0)).contains("acked 10 s"));
        }
    }

    @Test
    @DisplayName("the first commit after an open goes through the slot loading kept open, and cuts a longer damaged"
            + " slot to the new state; the next commit opens the other slot")
    void keptSlotIsOverwrittenWhole() throws IOException {
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            Cursor c = b.cursor("gw");
            for (int i = 1; i <= 60; i++) {
                b.append("s", Payloads.of(i, 30));
            }
            b.flush();
            c.commit(drain(c, 10).get(9));
        }
        assertTrue(Files.readString(slot(0)).contains("acked 10 s"));
        Files.write(slot(1), "x".repeat(300).getBytes(StandardCharsets.UTF_8));
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            Cursor c = b.cursor("gw");
            List<BufferedRecord> got = drain(c, 5);
            assertEquals(11, got.get(0).sequence(), "the damaged slot 1 was ignored");
            c.commit(got.get(4));
            String one = Files.readString(slot(1));
            assertTrue(one.contains("acked 15 s") && !one.contains("x"), one);
            assertEquals(15, CursorFile.read(slot(1)).orElseThrow().acked().get("s"));
            c.commit(drain(c, 5).get(4));
            assertTrue(Files.readString(slot(0)).contains("acked 20 s"));
        }
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            assertEquals(21, b.cursor("gw").poll(1, 1 << 20).get(0).sequence());
        }
    }

    @Test
    @DisplayName("opening and closing buffers leaves no descriptor open: slots kept for a commit that never came are"
            + " closed with the buffer, and an open that fails after loading the cursors closes what it opened")
    void keptSlotsLeakNoDescriptor() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd to count descriptors");
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            b.cursor("gw");
            b.cursor("other");
            for (int i = 1; i <= 20; i++) {
                b.append("s", Payloads.of(i, 30));
            }
        }
        long before = countEntries(fds);
        for (int round = 0; round < 20; round++) {
            try (DurableBuffer b = open(CursorSync.DEFERRED)) {
                Cursor c = b.cursor("gw");
                if (round % 2 == 0) {
                    c.commit(drain(c, 20).get(19));
                }
            }
            try (DurableBuffer b = open(CursorSync.DEFERRED)) {
                b.deleteCursor("gw");
                b.cursor("gw");
            }
        }
        assertEquals(before, countEntries(fds), "descriptors left open by opening and closing");
        Files.createDirectory(dir.resolve("segments.idx"));
        assertThrows(IOException.class, () -> open(CursorSync.DEFERRED));
        long beforeFailures = countEntries(fds);
        for (int round = 0; round < 10; round++) {
            assertThrows(IOException.class, () -> open(CursorSync.DEFERRED));
        }
        assertEquals(beforeFailures, countEntries(fds), "descriptors left open by failed opens");
    }

    private static long countEntries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    @DisplayName("segments are deleted only after the commit that passed them is synced, so a power loss never"
            + " reuses a sequence number")
    void reclaimSyncsCursorsFirst() throws IOException {
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            Cursor c = b.cursor("gw");
            for (int i = 1; i <= 1000; i++) {
                b.append("s", Payloads.of(i, 100));
            }
            assertTrue(segmentCount() > 5);
            List<BufferedRecord> all = drain(c, 1000);
            assertEquals(1000, all.size());
            c.commit(all.get(all.size() - 1));
            assertEquals(1, segmentCount(), "the commit reclaimed every sealed segment");
            assertTrue(Files.readString(cursorFile(CursorFile.SUFFIX)).contains("acked 1000 s"),
                    "the reclaim synced the cursor before deleting");
        }
        // Power loss: the unsynced pending commit is gone and so is every unsynced record of the active segment
        // (durability none). The synced cursor still knows sequence 1000 was acknowledged.
        losePendingSlotsAndActiveTail();
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            // the cursor is past the recovered end (a power loss took records it acknowledged): the floor
            long next = b.append("s", Payloads.of(1001, 100)).sequence();
            assertTrue(next > 1000, "sequence 1000 was acknowledged: " + next);
            assertEquals(next, b.cursor("gw").poll(10, 1 << 20).get(0).sequence());
        }
    }

    @Test
    @DisplayName("under durability none a commit of frames not yet synced is synced at once, so a power loss that"
            + " takes those frames cannot make their sequences be handed out again")
    void commitOfUnsyncedFramesIsSynced() throws IOException {
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            Cursor c = b.cursor("gw");
            for (int i = 1; i <= 20; i++) {
                b.append("s", Payloads.of(i, 30));
            }
            c.commit(drain(c, 20).get(19));
            assertTrue(Files.readString(cursorFile(CursorFile.SUFFIX)).contains("acked 20 s"),
                    "the frames were never synced, so the commit must be");
        }
        losePendingSlotsAndActiveTail();
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            long next = b.append("s", Payloads.of(21, 30)).sequence();
            assertTrue(next > 20, "20 was acknowledged: " + next);
        }
    }

    @Test
    @DisplayName("slots an earlier cursor of the same name left (a crash while deleting it) do not move a new"
            + " cursor forward")
    void newCursorIgnoresStaleSlots() throws IOException {
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            Cursor c = b.cursor("gw");
            for (int i = 1; i <= 60; i++) {
                b.append("s", Payloads.of(i, 30));
            }
            b.flush();
        }
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            Cursor c = b.cursor("gw");
            c.commit(drain(c, 10).get(9));
            c.commit(drain(c, 40).get(39));
        }
        Files.delete(cursorFile(CursorFile.SUFFIX));
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            Cursor c = b.cursor("gw");
            List<BufferedRecord> first = drain(c, 5);
            assertEquals(1, first.get(0).sequence(), "a new cursor starts at the oldest record");
            c.commit(first.get(4));
        }
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            assertEquals(6, b.cursor("gw").poll(1, 1 << 20).get(0).sequence());
        }
    }

    @Test
    @DisplayName("opening after a killed writer syncs the recovered tail once (it may be in the page cache only),"
            + " for deferred and synced commits alike")
    void deferredOpenSyncsRecoveredTail() throws IOException {
        try (DurableBuffer b = open(CursorSync.EVERY_COMMIT)) {
            b.cursor("gw");
            for (int i = 1; i <= 10; i++) {
                b.append("s", Payloads.of(i, 30));
            }
        }
        DirectoryLockTest.leaveAsKilled(dir);
        try (DurableBuffer b = open(CursorSync.EVERY_COMMIT)) {
            assertEquals(1, b.metrics().syncs());
        }
        DirectoryLockTest.leaveAsKilled(dir);
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            assertEquals(1, b.metrics().syncs());
            Cursor c = b.cursor("gw");
            c.commit(drain(c, 10).get(9));
            assertTrue(Files.readString(slot(0)).contains("acked 10 s"), "recovered frames are synced: deferred");
        }
    }

    @Test
    @DisplayName("deleting a cursor removes its pending file too")
    void deleteCursorRemovesPending() throws IOException {
        try (DurableBuffer b = open(CursorSync.DEFERRED)) {
            Cursor c = b.cursor("gw");
            b.append("s", Payloads.of(1, 10));
            c.commit(drain(c, 1).get(0));
            assertTrue(Files.exists(slot(0)));
            b.deleteCursor("gw");
            assertFalse(Files.exists(slot(0)));
            assertFalse(Files.exists(slot(1)));
            assertFalse(Files.exists(cursorFile(CursorFile.SUFFIX)));
            b.syncCursors();
        }
    }

    /**
     * What a power loss takes under durability none and deferred commits: both pending slots (never synced) and
     * every record of the active segment (never synced), leaving its header.
     */
    private void losePendingSlotsAndActiveTail() throws IOException {
        Files.deleteIfExists(slot(0));
        Files.deleteIfExists(slot(1));
        Path active;
        try (Stream<Path> s = Files.list(dir)) {
            active = s.filter(p -> p.getFileName().toString().startsWith("seg-")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(active, StandardOpenOption.WRITE)) {
            ch.truncate(FrameFormat.SEGMENT_HEADER);
        }
    }

    private long segmentCount() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("seg-")).count();
        }
    }
}
