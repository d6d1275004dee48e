package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A power loss under durability none can leave the log's tail behind what a cursor already committed. */
class RecoveredTailTest {
    @TempDir
    Path dir;

    private DurableBuffer open() throws IOException {
        return DurableBuffer.builder().directory(dir).deviceId("dev").durability(Durability.none())
                .segmentBytes(4096).open();
    }

    @Test
    @DisplayName("a recovered segment entirely behind the cursors is reclaimed once newer records are acknowledged")
    void acknowledgedRecoveredTailIsReclaimed() throws IOException {
        Path first = dir.resolve("seg-00000000000000000000.log");
        try (DurableBuffer b = open()) {
            for (int i = 1; i <= 10; i++) {
                b.append("a", Payloads.of(i, 100));
            }
            Cursor c = b.cursor("up");
            List<BufferedRecord> r = c.poll(100, 1 << 20);
            c.commit(r.get(r.size() - 1));
        }
        long frame = (Files.size(first) - 40) / 10;
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
            ch.truncate(40 + 5 * frame); // the power loss took the unsynced tail the receiver already had
        }
        long floor;
        try (DurableBuffer b = open()) {
            // records 6-10 were acknowledged and are gone: sequences continue above the reservation
            floor = b.lastSequence("a");
            assertTrue(floor >= 10, "above the acknowledged records: " + floor);
            for (int i = 11; i <= 210; i++) {
                b.append("a", Payloads.of(i, 100));
            }
            Cursor c = b.cursor("up");
            int got = 0;
            for (List<BufferedRecord> r = c.poll(100, 1 << 20); !r.isEmpty(); r = c.poll(100, 1 << 20)) {
                got += r.size();
                c.commit(r.get(r.size() - 1));
            }
            assertEquals(200, got, "records 1-5 were acknowledged before the crash and are not sent again");
            b.reclaim();
            assertFalse(Files.exists(first), "the acknowledged recovered segment was reclaimed");
            assertEquals(floor + 201, b.append("a", Payloads.of(211, 100)).sequence());
        }
        try (DurableBuffer b = open()) {
            assertTrue(b.lossReport().isClean() || b.lossReport().toString().contains("TORN"),
                    b.lossReport().toString());
            assertEquals(floor + 201, b.lastSequence("a"));
        }
    }

    @Test
    @DisplayName("a writable open after a killed writer syncs the recovered tail once, whatever the cursor sync, since"
            + " deleting a cursor counts recovered frames as on the device; after a clean close there is nothing to"
            + " sync")
    void writableOpenSyncsTheRecoveredTail() throws IOException {
        try (DurableBuffer b = open()) {
            for (int i = 1; i <= 10; i++) {
                b.append("a", Payloads.of(i, 100));
            }
        }
        try (DurableBuffer b = open()) {
            assertEquals(0, b.metrics().syncs(), "the close synced everything and said so in the lock note");
        }
        DirectoryLockTest.leaveAsKilled(dir);
        try (DurableBuffer b = open()) {
            assertEquals(1, b.metrics().syncs(), "the open synced the active segment once");
            assertEquals(11, b.append("a", Payloads.of(11, 100)).sequence());
        }
    }
}
