package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.cursor.CursorFile;
import io.edgeloop.buffer.log.SequenceMarks;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.policy.FullPolicy;
import io.edgeloop.buffer.policy.StreamPolicy;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sequences (and so idempotency keys) are never issued twice, whatever deleted the records that used them:
 * reclaiming after a commit in the middle of a poll, deleting the cursor that held the high-water mark, dropping
 * segments to stay within the budget.
 */
class SequenceReuseTest {
    private static final byte[] P = new byte[100];

    @TempDir
    Path dir;

    private DurableBuffer open(Durability d) throws IOException {
        return DurableBuffer.builder().directory(dir).deviceId("dev").durability(d).segmentBytes(4096).open();
    }

    private long segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("seg-")).count();
        }
    }

    @Test
    @DisplayName("a commit in the middle of a poll records the acknowledged sequences of every stream up to it")
    void commitInsidePollKeepsSequences() throws IOException {
        try (DurableBuffer b = open(Durability.always())) {
            for (int i = 0; i < 29; i++) {
                b.append("a", P);
            }
            for (int i = 0; i < 5; i++) {
                b.append("b", P);
            }
            assertEquals(2, segmentFiles(), "the a records filled the first segment");
            Cursor c = b.cursor("up");
            List<BufferedRecord> recs = c.poll(1000, 1 << 20);
            assertEquals(34, recs.size());
            // acknowledged record by record; the consumer stops after the first b record
            c.commit(recs.get(29));
            CursorFile state = CursorFile.read(dir.resolve("cursors/up.cursor")).orElseThrow();
            assertEquals(29L, state.acked().get("a"), state.toString());
            assertEquals(1L, state.acked().get("b"), state.toString());
            assertEquals(1, segmentFiles(), "the acknowledged first segment was reclaimed");
        }
        try (DurableBuffer b = open(Durability.always())) {
            assertEquals(29, b.lastSequence("a"));
            assertEquals(30, b.append("a", P).key().sequence());
        }
    }

    @Test
    @DisplayName("deleting the cursor that reclaimed a stream's segments does not let the stream's sequences restart")
    void deleteCursorKeepsSequences() throws IOException {
        try (DurableBuffer b = open(Durability.always())) {
            for (int i = 0; i < 29; i++) {
                b.append("a", P);
            }
            b.append("b", P);
            Cursor c = b.cursor("http");
            List<BufferedRecord> recs = c.poll(1000, 1 << 20);
            c.commit(recs.get(recs.size() - 1));
            b.cursor("mqtt");
            b.deleteCursor("http");
        }
        try (DurableBuffer b = open(Durability.always())) {
            assertEquals(29, b.lastSequence("a"));
            assertTrue(b.streams().contains("a"));
            assertEquals(30, b.append("a", P).key().sequence());
        }
        assertEquals(29L, SequenceMarks.read(dir).orElseThrow().sequences().get("a"));
    }

    @Test
    @DisplayName("deleting the only cursor that acknowledged records a power loss then took keeps their sequences")
    void deleteCursorKeepsSequencesOfLostRecords() throws IOException {
        try (DurableBuffer b = open(Durability.none())) {
            for (int i = 0; i < 10; i++) {
                b.append("a", P);
            }
            Cursor c = b.cursor("up");
            List<BufferedRecord> recs = c.poll(100, 1 << 20);
            c.commit(recs.get(recs.size() - 1));
        }
        Path seg = dir.resolve("seg-00000000000000000000.log");
        long frame = (Files.size(seg) - 40) / 10;
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(40 + 5 * frame); // the power loss took the unsynced tail: records 6-10
        }
        long last;
        try (DurableBuffer b = open(Durability.none())) {
            last = b.lastSequence("a");
            assertTrue(last >= 10, "the cursor remembers what the receiver has (and the floor covers the lost tail): "
                    + last);
            b.deleteCursor("up");
        }
        try (DurableBuffer b = open(Durability.none())) {
            assertEquals(last, b.lastSequence("a"));
            assertEquals(last + 1, b.append("a", P).key().sequence());
        }
    }

    @Test
    @DisplayName("deleting a cursor whose records the log still holds writes no sequence marks (no extra syncs)")
    void deleteCursorOfHeldRecordsWritesNothing() throws IOException {
        try (DurableBuffer b = open(Durability.always())) {
            for (int i = 0; i < 10; i++) {
                b.append("a", P);
            }
            b.cursor("keep");
            Cursor c = b.cursor("rehearsal");
            List<BufferedRecord> recs = c.poll(100, 1 << 20);
            c.commit(recs.get(recs.size() - 1));
            // the file holds the sequence reservation made by the first append, and no mark
            byte[] before = Files.readAllBytes(dir.resolve(SequenceMarks.FILE));
            b.deleteCursor("rehearsal");
            assertArrayEquals(before, Files.readAllBytes(dir.resolve(SequenceMarks.FILE)), "not rewritten");
        }
        assertTrue(SequenceMarks.read(dir).orElseThrow().sequences().isEmpty());
        try (DurableBuffer b = open(Durability.always())) {
            assertEquals(11, b.append("a", P).key().sequence());
        }
    }

    @Test
    @DisplayName("segments dropped to stay within the disk budget never give their sequences out again")
    void droppedSegmentsKeepSequences() throws IOException {
        StreamPolicy drop = StreamPolicy.builder().whenFull(FullPolicy.DROP_OLDEST).build();
        long last;
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("dev").durability(Durability.none())
                .segmentBytes(4096).diskBudget(3 * 4096).defaultStreamPolicy(drop).open()) {
            for (int i = 0; i < 200; i++) {
                b.append(i < 100 ? "a" : "b", P);
            }
            assertTrue(b.metrics().droppedByPolicy() > 0, "segments were dropped");
            last = b.lastSequence("a");
        }
        assertEquals(100, last);
        try (DurableBuffer b = open(Durability.none())) {
            assertFalse(b.reader().next(1000, 1 << 20).stream().anyMatch(r -> r.stream().equals("a")),
                    "every a record was dropped");
            assertEquals(100, b.lastSequence("a"));
            assertEquals(101, b.append("a", P).key().sequence());
        }
    }

    @Test
    @DisplayName("a damaged sequences file renews the epoch, is reported, and is rewritten so later opens keep it")
    void damagedSequencesFileRenewsTheEpoch() throws IOException {
        long before;
        try (DurableBuffer b = open(Durability.always())) {
            before = b.epoch();
            for (int i = 0; i < 40; i++) {
                b.append("a", P);
            }
            Cursor c = b.cursor("up");
            List<BufferedRecord> r = c.poll(1000, 1 << 20);
            c.commit(r.get(r.size() - 1));
            b.deleteCursor("up");
        }
        Files.writeString(dir.resolve(SequenceMarks.FILE), "format=1.1\nseq 12 a\ncrc32c=0\n");
        long renewed;
        try (DurableBuffer b = open(Durability.always())) {
            renewed = b.epoch();
            assertTrue(renewed != before, "the epoch was renewed");
            assertTrue(b.lossReport().losses().stream()
                    .anyMatch(l -> l.kind() == io.edgeloop.buffer.log.Loss.Kind.SEQUENCES), b.lossReport().toString());
            Appended a = b.append("a", P);
            assertEquals(renewed, a.key().epoch(), "new keys carry the new epoch, so none can repeat");
        }
        assertTrue(SequenceMarks.read(dir).isPresent(), "the sequences file is intact again");
        try (DurableBuffer b = open(Durability.always())) {
            assertEquals(renewed, b.epoch(), "an intact file keeps the epoch");
            assertTrue(b.lossReport().losses().isEmpty(), b.lossReport().toString());
        }
    }
}
