package io.edgeloop.buffer.powercut;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.Appended;
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.CursorSync;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.tck.powercut.PowerCutFileSystem;
import io.edgeloop.tck.powercut.PowerCutFileSystem.Variant;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code PowerCutTest}'s seeded cuts found, each reduced to the few calls that show it (the seeds themselves
 * are kept there as named tests).
 */
class PowerCutFindingsTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("a buffer directory the open created survives a power cut with the records reported durable")
    void newBufferDirectoryIsDurable() throws IOException {
        Files.createDirectories(tmp.resolve("live"));
        PowerCutFileSystem fs = PowerCutFileSystem.wrap(tmp.resolve("live")).realSyncs(false);
        Path dir = fs.root().resolve("data").resolve("buf");
        DurableBuffer b0 = DurableBuffer.builder().directory(dir).deviceId("dev").durability(Durability.always())
                .open();
        Appended a = b0.append("s", "reported durable".getBytes(StandardCharsets.UTF_8));
        fs.cut();
        try {
            b0.close(); // under always nothing is left to sync: close may succeed with the power off
        } catch (IOException e) {
            assertTrue(fs.isCut(), "only the cut fails: " + e);
        }
        fs.materialize(tmp.resolve("after"), Variant.STRICT, 0);
        Path real = tmp.resolve("after").resolve("data").resolve("buf");
        assertTrue(Files.isDirectory(real), "the buffer directory's name was never synced into its parent");
        try (DurableBuffer b = DurableBuffer.builder().directory(real).deviceId("dev").open()) {
            List<BufferedRecord> recs = b.reader().next(10, 1 << 20);
            assertEquals(1, recs.size());
            assertEquals(a.key(), recs.get(0).key());
        }
    }

    @Test
    @DisplayName("syncCursors after a restart makes a deferred commit of the previous run durable")
    void deferredCommitOfAnEarlierRunIsSyncedAfterARestart() throws IOException {
        Files.createDirectories(tmp.resolve("live"));
        PowerCutFileSystem fs = PowerCutFileSystem.wrap(tmp.resolve("live")).realSyncs(false);
        Path dir = fs.root().resolve("buf");
        DurableBuffer.Builder builder = DurableBuffer.builder().directory(dir).deviceId("dev")
                .durability(Durability.always()).cursorSync(CursorSync.DEFERRED);
        long commit;
        try (DurableBuffer b = builder.open()) {
            for (int i = 0; i < 5; i++) {
                b.append("s", ("record " + i).getBytes(StandardCharsets.UTF_8));
            }
            Cursor c = b.cursor("up");
            List<BufferedRecord> recs = c.poll(3, 1 << 20);
            c.commit(recs.get(2));
            commit = c.committedPosition();
        } // a clean close leaves the commit in a pending slot, unsynced (the page cache has it)
        try (DurableBuffer b = builder.open()) {
            assertEquals(commit, b.cursor("up").committedPosition(), "the restart reads the pending slot");
            b.syncCursors(); // "so a power loss from now on sends none of the records they acknowledged again"
            fs.cut();
        } catch (IOException e) {
            assertTrue(fs.isCut(), "only the cut fails: " + e);
        }
        fs.materialize(tmp.resolve("after"), Variant.STRICT, 0);
        try (DurableBuffer b = DurableBuffer.builder().directory(tmp.resolve("after").resolve("buf")).deviceId("dev")
                .open()) {
            assertEquals(commit, b.cursor("up").committedPosition(), "the commit syncCursors reported durable");
            assertEquals(2, b.cursor("up").poll(10, 1 << 20).size());
        }
    }

    @Test
    @DisplayName("a deleted cursor stays deleted after a power cut, so it holds back no reclaiming")
    void deletedCursorStaysDeleted() throws IOException {
        Files.createDirectories(tmp.resolve("live"));
        PowerCutFileSystem fs = PowerCutFileSystem.wrap(tmp.resolve("live")).realSyncs(false);
        DurableBuffer.Builder builder = DurableBuffer.builder().directory(fs.root().resolve("buf")).deviceId("dev")
                .durability(Durability.always()).segmentBytes(4096);
        DurableBuffer b0 = builder.open();
        Cursor up = b0.cursor("up");
        b0.cursor("slow");
        for (int i = 0; i < 100; i++) {
            b0.append("s", new byte[100]);
        }
        for (List<BufferedRecord> r = up.poll(100, 1 << 20); !r.isEmpty(); r = up.poll(100, 1 << 20)) {
            up.commit(r.get(r.size() - 1));
        }
        b0.deleteCursor("slow"); // "so it no longer holds back reclaiming"; the segments "up" passed go
        fs.cut();
        try {
            b0.close();
        } catch (IOException e) {
            assertTrue(fs.isCut(), "only the cut fails: " + e);
        }
        fs.materialize(tmp.resolve("after"), Variant.STRICT, 0);
        try (DurableBuffer b = DurableBuffer.builder().directory(tmp.resolve("after").resolve("buf")).deviceId("dev")
                .segmentBytes(4096).open()) {
            assertEquals(List.of("up"), b.cursorNames(), "the deleted cursor came back and pins the segments");
        }
    }
    @Test
    @DisplayName("a holder's lock note is on the disk before its first frame, so a power cut never leaves the last "
            + "clean close's note beside frames written since")
    void claimNoteIsDurableBeforeTheFirstFrame() throws IOException {
        Files.createDirectories(tmp.resolve("live"));
        PowerCutFileSystem fs = PowerCutFileSystem.wrap(tmp.resolve("live")).realSyncs(false);
        DurableBuffer.Builder builder = DurableBuffer.builder().directory(fs.root().resolve("buf")).deviceId("dev")
                .durability(Durability.none());
        try (DurableBuffer b = builder.open()) {
            b.append("s", "first run".getBytes(StandardCharsets.UTF_8));
        } // a clean close: its note says "closed cleanly"
        fs.writeback(); // seconds later the kernel has written everything back, that note included
        DurableBuffer b1 = builder.open();
        b1.append("s", "second run, durability none".getBytes(StandardCharsets.UTF_8));
        fs.cut();
        try {
            b1.close();
        } catch (IOException e) {
            assertTrue(fs.isCut(), "only the cut fails: " + e);
        }
        fs.materialize(tmp.resolve("after"), Variant.STRICT, 0);
        String note = Files.readString(tmp.resolve("after").resolve("buf").resolve("buffer.lock"),
                StandardCharsets.UTF_8);
        // before: the clean close's note, so the next open took a log written under none since as closed cleanly
        assertTrue(!note.startsWith("closed cleanly") && note.contains("durability none"), note);
    }
}
