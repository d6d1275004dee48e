package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.log.FrameFormat;
import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.log.Segment;
import io.edgeloop.buffer.log.SequenceMarks;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.receiver.Deduplicator;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end of the log lost while the buffer was closed (the last segment truncated below its header, cut inside its
 * frames, or deleted; what a crash while rolling, a power loss under {@code none} or a damaged card leaves): the
 * records there may have reached a receiver, so a reopened buffer never issues their sequences again. Real files,
 * truncated or deleted between opens; the receiver is a real {@link Deduplicator} that saw every record sent.
 */
class LostTailSequenceTest {
    private static final int RECORDS = 300;

    @TempDir
    Path dir;

    /** Every key a receiver saw: all records were sent before the damage. */
    private final Deduplicator receiver = new Deduplicator();
    private long highest;

    @BeforeEach
    void fillAndSend() throws IOException {
        try (DurableBuffer b = open()) {
            for (int i = 0; i < RECORDS; i++) {
                b.append(i % 3 == 0 ? "t" : "s", 0, new byte[100]);
            }
            // a forwarder sent everything; the acknowledgement of the tail never came back (at-least-once)
            Cursor c = b.cursor("up");
            List<BufferedRecord> rs = c.poll(RECORDS, 1 << 20);
            receiver.accept(rs.stream().map(r -> new Envelope(r.key(), r.timestampMillis(), r.priority(),
                    r.payloadBytes())).collect(Collectors.toList()));
            c.commit(rs.get(99));
            highest = Math.max(b.lastSequence("s"), b.lastSequence("t"));
        }
        assertTrue(bases().size() >= 4, "several segments: " + bases());
    }

    private DurableBuffer open() throws IOException {
        return DurableBuffer.builder().directory(dir).deviceId("dev").segmentBytes(8192)
                .durability(Durability.always()).open();
    }

    private List<Long> bases() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> Segment.parseBase(p.getFileName().toString())).filter(o -> o.isPresent())
                    .map(o -> o.get()).sorted().collect(Collectors.toList());
        }
    }

    private Path lastSegment() throws IOException {
        List<Long> b = bases();
        return dir.resolve(Segment.fileName(b.get(b.size() - 1)));
    }

    private void truncateLast(long length) throws IOException {
        try (FileChannel ch = FileChannel.open(lastSegment(), StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }

    /** Appends to both streams and checks that the receiver takes every new record as new. */
    private void appendsAreNew(DurableBuffer b) throws IOException {
        List<Envelope> fresh = new ArrayList<>();
        for (String stream : List.of("s", "t", "u")) {
            Appended a = b.append(stream, 0, new byte[10]);
            fresh.add(new Envelope(a.key(), a.timestampMillis(), 0, new byte[10]));
        }
        List<Envelope> accepted = receiver.accept(fresh);
        assertEquals(fresh.size(), accepted.size(), "the receiver dropped new records as duplicates of lost ones: "
                + fresh.stream().map(Envelope::key).map(IdempotencyKey::toString).collect(Collectors.joining(", ")));
        for (Envelope e : fresh) {
            assertTrue(e.key().sequence() > highest, e.key().stream() + ": sequence " + e.key().sequence()
                    + " was handed out before (up to " + highest + ")");
        }
    }

    @Test
    @DisplayName("a last segment cut below its header: later sequences continue above every one handed out")
    void lastSegmentShorterThanHeader() throws IOException {
        truncateLast(0);
        try (DurableBuffer b = open()) {
            assertEquals(1, b.lossReport().losses().stream().filter(l -> l.kind() == Loss.Kind.SEGMENT_TRUNCATED)
                    .count(), b.lossReport().toString());
            assertTrue(b.lastSequence("s") > highest, "lastSequence reports no sequence below one handed out: "
                    + b.lastSequence("s"));
            appendsAreNew(b);
        }
    }

    @Test
    @DisplayName("a last segment cut inside its frames: the same epoch never gets a lost record's sequence again")
    void lastSegmentCutInsideItsFrames() throws IOException {
        truncateLast(Files.size(lastSegment()) / 2 + 7);
        try (DurableBuffer b = open()) {
            assertTrue(b.lossReport().losses().stream().anyMatch(l -> l.kind() == Loss.Kind.TORN_TAIL),
                    b.lossReport().toString());
            appendsAreNew(b);
        }
    }

    @Test
    @DisplayName("a last segment deleted while the buffer was closed: its sequences are not handed out again")
    void lastSegmentDeleted() throws IOException {
        Files.delete(lastSegment());
        try (DurableBuffer b = open()) {
            appendsAreNew(b);
        }
    }

    @Test
    @DisplayName("the floor is persisted before the damage is repaired: an open that appends nothing keeps it")
    void floorSurvivesAnOpenWithoutAppends() throws IOException {
        truncateLast(FrameFormat.SEGMENT_HEADER - 1);
        try (DurableBuffer b = open()) {
            assertFalse(b.lossReport().isClean());
        }
        try (DurableBuffer b = open()) {
            assertTrue(b.lossReport().isClean(), "repaired by the first open: " + b.lossReport());
            appendsAreNew(b);
        }
        assertTrue(SequenceMarks.read(dir).orElseThrow().floor() > highest, "floor in the sequences file");
    }

    @Test
    @DisplayName("a buffer without a reservation (written before 1.2) continues a whole segment's capacity above")
    void legacyBufferWithoutReservation() throws IOException {
        new SequenceMarks(java.util.Map.of()).write(dir);
        truncateLast(0);
        try (DurableBuffer b = open()) {
            long next = b.append("s", 0, new byte[1]).sequence();
            assertTrue(next > highest + 29_000_000L, "the most records a 1 GiB segment holds: " + next);
            appendsAreNew(b);
        }
    }

    @Test
    @DisplayName("the reservation is on disk ahead of every sequence handed out, rewritten once per block")
    void reservationStaysAhead() throws IOException {
        Path other = dir.resolve("other");
        try (DurableBuffer b = DurableBuffer.builder().directory(other).durability(Durability.none()).open()) {
            b.append("x", 0, new byte[1]);
            long first = SequenceMarks.read(other).orElseThrow().reserved();
            assertEquals(DurableBuffer.RESERVATION_BLOCK, first, "sequence 1 reserves a block");
            for (long i = 2; i <= first; i++) {
                b.append("x", 0, new byte[1]);
            }
            assertEquals(first, SequenceMarks.read(other).orElseThrow().reserved(), "no rewrite within the block");
            long next = b.append("y", 0, new byte[1]).sequence();
            assertEquals(1, next, "a new stream still starts at 1 without a floor");
            b.append("x", 0, new byte[1]);
            assertEquals(first + DurableBuffer.RESERVATION_BLOCK, SequenceMarks.read(other).orElseThrow().reserved(),
                    "the first sequence above the block reserves the next one before its frame is written");
        }
    }

    @Test
    @DisplayName("a clean reopen continues at the next sequence: no gap without a loss")
    void cleanReopenIsDense() throws IOException {
        try (DurableBuffer b = open()) {
            assertEquals(highest + 1, b.append("s", 0, new byte[1]).sequence());
        }
        try (DurableBuffer b = open()) {
            assertEquals(highest + 2, b.append("s", 0, new byte[1]).sequence());
        }
    }
}
