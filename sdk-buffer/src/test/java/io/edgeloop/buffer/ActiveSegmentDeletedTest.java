package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.log.Segment;
import io.edgeloop.buffer.policy.Durability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The active segment (the one being written) deleted by something else under a running buffer: appends after the
 * deletion are never acknowledged as durable into the unlinked file, the records it held are reported lost per
 * stream with their sequences ({@code MISSING_SEGMENT}), and the buffer goes on in a new segment. Real files,
 * deleted with {@link Files#delete} while the buffer runs.
 */
class ActiveSegmentDeletedTest {
    @TempDir
    Path dir;

    private DurableBuffer open(Durability d) throws IOException {
        return DurableBuffer.builder().directory(dir).deviceId("dev").durability(d).segmentBytes(1 << 20).open();
    }

    private Path onlySegment() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> segs = s.filter(p -> Segment.parseBase(p.getFileName().toString()).isPresent())
                    .collect(Collectors.toList());
            assertEquals(1, segs.size(), segs.toString());
            return segs.get(0);
        }
    }

    private static List<Loss> missing(DurableBuffer b) {
        return b.lossReport().losses().stream().filter(l -> l.kind() == Loss.Kind.MISSING_SEGMENT)
                .collect(Collectors.toList());
    }

    private static List<Long> readAll(DurableBuffer b) throws IOException {
        List<Long> seqs = new ArrayList<>();
        BufferReader r = b.reader();
        for (List<BufferedRecord> batch = r.next(1000, 1 << 20); !batch.isEmpty(); batch = r.next(1000, 1 << 20)) {
            batch.forEach(x -> seqs.add(x.sequence()));
        }
        return seqs;
    }

    /** The loss names the stream and exactly the sequences acknowledged before the deletion. */
    private static void reportsLost(DurableBuffer b, long first, long last) {
        List<Loss> m = missing(b);
        assertEquals(1, m.size(), b.lossReport().toString());
        assertEquals("s", m.get(0).stream());
        assertEquals(first, m.get(0).firstSequence(), m.get(0).toString());
        assertEquals(last, m.get(0).lastSequence(), m.get(0).toString());
    }

    @Test
    @DisplayName("group commit: appends written after the deletion fail instead of completing as durable")
    void groupCommit() throws Exception {
        long next;
        try (DurableBuffer b = open(Durability.groupCommit(Duration.ofMillis(5), 1 << 20))) {
            for (int i = 0; i < 50; i++) {
                b.appendAsync("s", 0, Payloads.of(i + 1, 100));
            }
            b.flush();
            Files.delete(onlySegment());
            List<CompletableFuture<Appended>> after = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                after.add(b.appendAsync("s", 0, Payloads.of(51 + i, 100)));
            }
            for (CompletableFuture<Appended> f : after) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS),
                        "acknowledged as durable into a deleted file");
                assertTrue(e.getCause().getMessage().contains("was deleted"), e.getCause().getMessage());
            }
            reportsLost(b, 1, 50);
            // the next call is told once, then the buffer goes on in a new segment
            assertThrows(IOException.class, () -> b.append("s", 0, Payloads.of(61, 100)));
            Appended a = b.append("s", 0, Payloads.of(62, 100));
            assertTrue(a.sequence() > 60, "no sequence of a failed or lost record again: " + a.sequence());
            next = a.sequence();
            assertEquals(List.of(next), readAll(b));
        }
        try (DurableBuffer b = open(Durability.groupCommit(Duration.ofMillis(5), 1 << 20))) {
            assertEquals(List.of(next), readAll(b), "the record appended after the loss is durable");
            assertTrue(b.append("s", 0, Payloads.of(63, 100)).sequence() > next);
        }
    }

    @Test
    @DisplayName("sync on every append: the append after the deletion fails, the next one starts a new segment")
    void syncEveryAppend() throws Exception {
        try (DurableBuffer b = open(Durability.always())) {
            for (int i = 0; i < 20; i++) {
                b.append("s", 0, Payloads.of(i + 1, 100));
            }
            Files.delete(onlySegment());
            IOException e = assertThrows(IOException.class, () -> b.append("s", 0, Payloads.of(21, 100)));
            assertTrue(e.getMessage().contains("was deleted"), e.getMessage());
            reportsLost(b, 1, 20);
            Appended a = b.append("s", 0, Payloads.of(22, 100));
            assertTrue(a.sequence() > 20, "sequence " + a.sequence());
            assertEquals(List.of(a.sequence()), readAll(b));
        }
        try (DurableBuffer b = open(Durability.always())) {
            assertEquals(1, readAll(b).size());
            assertTrue(b.lossReport().isClean(), "the loss was reported where it happened: " + b.lossReport());
        }
    }

    @Test
    @DisplayName("a cursor reading the deleted segment moves on to the records appended after it")
    void cursorMovesPast() throws Exception {
        try (DurableBuffer b = open(Durability.always())) {
            Cursor c = b.cursor("up");
            for (int i = 0; i < 20; i++) {
                b.append("s", 0, Payloads.of(i + 1, 100));
            }
            c.commit(c.poll(5, 1 << 20).get(4));
            Files.delete(onlySegment());
            assertThrows(IOException.class, () -> b.append("s", 0, Payloads.of(21, 100)));
            long kept = b.append("s", 0, Payloads.of(22, 100)).sequence();
            List<BufferedRecord> got = c.poll(100, 1 << 20);
            assertEquals(1, got.size(), "only the record after the loss: " + got);
            assertEquals(kept, got.get(0).sequence());
            c.commit(got.get(0));
        }
    }

    @Test
    @DisplayName("a reader that finds the segment being written gone reports the loss and returns nothing lost")
    void readerFindsItFirst() throws Exception {
        try (DurableBuffer b = open(Durability.groupCommit(Duration.ofMillis(5), 1 << 20))) {
            for (int i = 0; i < 10; i++) {
                b.appendAsync("s", 0, Payloads.of(i + 1, 100));
            }
            b.flush();
            Files.delete(onlySegment());
            assertTrue(b.cursor("new").poll(100, 1 << 20).isEmpty(), "the records went with the file");
            reportsLost(b, 1, 10);
            Appended a = b.appendAsync("s", 0, Payloads.of(11, 100)).get(10, TimeUnit.SECONDS);
            assertEquals(List.of(a.sequence()), readAll(b));
        }
    }

    @Test
    @DisplayName("durability none: the loss is found before the next append and reported; appends go on")
    void durabilityNone() throws Exception {
        try (DurableBuffer b = open(Durability.none())) {
            for (int i = 0; i < 20; i++) {
                b.append("s", 0, Payloads.of(i + 1, 100));
            }
            Files.delete(onlySegment());
            IOException e = assertThrows(IOException.class, b::flush, "flush promises the records are durable");
            assertTrue(e.getMessage().contains("was deleted"), e.getMessage());
            reportsLost(b, 1, 20);
            Appended a = b.append("s", 0, Payloads.of(21, 100));
            b.flush();
            assertEquals(List.of(a.sequence()), readAll(b));
        }
    }

    @Test
    @DisplayName("the whole directory deleted: appends fail with a message naming it, nothing is acknowledged")
    void directoryDeleted() throws Exception {
        Path sub = dir.resolve("buf");
        try (DurableBuffer b = DurableBuffer.builder().directory(sub).durability(Durability.always()).open()) {
            b.append("s", 0, Payloads.of(1, 100));
            try (Stream<Path> s = Files.walk(sub)) {
                for (Path p : s.sorted((x, y) -> y.getNameCount() - x.getNameCount()).collect(Collectors.toList())) {
                    Files.delete(p);
                }
            }
            assertFalse(Files.exists(sub));
            for (int i = 0; i < 3; i++) {
                IOException e = assertThrows(IOException.class, () -> b.append("s", 0, Payloads.of(2, 100)));
                assertTrue(e.getMessage().contains(sub.toString()), e.getMessage());
            }
        }
    }
}
