package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.CursorSync;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.tck.Tmpfs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

/**
 * A buffer opened on a file system that something else filled while it was closed, with no {@code reserve.bin}
 * left to release (a process that died with the reserve released, or the file deleted): before, no cursor commit
 * could be stored ("Disk full while writing cursor up; the commit was not stored"), so nothing was reclaimed, the
 * forwarder sent the same records again forever, and the buffer stayed full until someone freed space by hand.
 * Now the first commit finds its block by deleting {@code segments.idx} (a cache), the segments it acknowledged
 * are reclaimed and the reserve comes back; the open logs one WARN saying the disk is full, appends meanwhile fail
 * with a {@link DiskFullException} that says why and names the free space and the disk budget, and nothing stored
 * is lost.
 */
class FullDiskWithoutReserveTest {
    static final int RECORDS = 500;
    static final int SIZE = 1000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"EVERY_COMMIT, 0", "DEFERRED, 0", "EVERY_COMMIT, 4194304"})
    @DisplayName("a disk filled by something else while the buffer was closed: draining frees space, appends say why"
            + " they fail, nothing is lost")
    void drainingFreesSpaceOnDiskFullAtOpen(CursorSync sync, long budget) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 1 << 20, "the full-disk-at-open case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            try (DurableBuffer b = open(bufDir, sync, budget)) {
                b.cursor("up");
                for (int i = 1; i <= RECORDS; i++) {
                    b.append("s", Payloads.of(i, SIZE));
                }
            }
            // a process died with the reserve released, then something else filled the file system
            Files.delete(bufDir.resolve("reserve.bin"));
            fs.fill("filler", 512);
            long last;
            PrintStream stderr = System.err;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            DurableBuffer reopened;
            try {
                reopened = open(bufDir, sync, budget);
            } finally {
                System.setErr(stderr);
            }
            List<String> warns = captured.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains(" WARN ") && l.contains("reserve.bin could not be created")).toList();
            assertEquals(1, warns.size(), "the open says the disk is full: " + captured);
            assertTrue(warns.get(0).contains("bytes free on the file system"), warns.get(0));
            try (DurableBuffer b = reopened) {
                DiskFullException refused = assertThrows(DiskFullException.class,
                        () -> b.append("s", Payloads.of(0, SIZE)));
                Cursor c = b.cursor("up");
                long sent = 0;
                for (List<BufferedRecord> r = c.poll(50, 1 << 20); !r.isEmpty(); r = c.poll(50, 1 << 20)) {
                    for (BufferedRecord x : r) {
                        assertEquals(++sent, x.sequence(), "every record stored is read, in order");
                        assertArrayEquals(Payloads.of(x.sequence(), SIZE), x.payloadBytes());
                    }
                    c.commit(r.get(r.size() - 1)); // failed with "the commit was not stored" before
                }
                assertEquals(RECORDS, sent);
                String m = refused.getMessage();
                assertTrue(m.contains("reserve.bin") && m.contains("bytes free on the file system")
                        && m.contains("the record was not stored") && m.contains(budget == 0
                        ? "no disk budget is set" : "disk budget " + budget + " bytes"), m);
                assertTrue(Files.exists(bufDir.resolve("reserve.bin")), "the reserve is back once all is drained");
                last = b.append("s", Payloads.of(RECORDS + 1, SIZE)).sequence();
                assertEquals(RECORDS + 1, last, "appends work again, and no sequence is reused");
            }
            try (DurableBuffer b = open(bufDir, sync, budget)) {
                assertTrue(b.lossReport().isClean(), b.lossReport().toString());
                List<BufferedRecord> left = b.cursor("up").poll(RECORDS, 1 << 20);
                assertEquals(1, left.size(), "every commit was stored: only the record appended after the drain is"
                        + " left to send, " + left);
                assertEquals(last, left.get(0).sequence());
                assertTrue(b.metrics().recordsBuffered() < RECORDS / 2, "acknowledged segments were reclaimed: "
                        + b.metrics().recordsBuffered() + " records left on disk");
            }
        }
    }

    @org.junit.jupiter.api.Test
    @DisplayName("segments.idx, deleted to make room for a commit, is written again once the reserve is back")
    void droppedIndexIsWrittenAgain() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 1 << 20, "the full-disk-at-open case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            try (DurableBuffer b = open(bufDir, CursorSync.EVERY_COMMIT, 0)) {
                b.cursor("up");
                for (int i = 1; i <= RECORDS; i++) {
                    b.append("s", Payloads.of(i, SIZE));
                }
            }
            Files.delete(bufDir.resolve("reserve.bin"));
            fs.fill("filler", 512);
            try (DurableBuffer b = open(bufDir, CursorSync.EVERY_COMMIT, 0)) {
                Cursor c = b.cursor("up");
                List<BufferedRecord> half = c.poll(RECORDS / 2, Long.MAX_VALUE);
                c.commit(half.get(half.size() - 1)); // stored by deleting segments.idx; reclaims about half
                assertTrue(Files.exists(bufDir.resolve("reserve.bin")), "the reserve is back after the reclaim");
                // before 2026-12-02 the index stayed missing until enough seals compacted it (open read footers,
                // and a sealed segment cut short outside the buffer lost the length check the index gives)
                java.util.Set<Long> indexed = io.edgeloop.buffer.log.SegmentIndex.read(bufDir).entries().keySet();
                long sealedOnDisk;
                try (java.util.stream.Stream<Path> files = Files.list(bufDir)) {
                    sealedOnDisk = files.filter(f -> f.getFileName().toString().matches("seg-.*\\.log")).count() - 1;
                }
                assertTrue(sealedOnDisk > 0, "sealed segments are left after the partial drain");
                assertEquals(sealedOnDisk, indexed.size(), "every sealed segment left is indexed again: " + indexed);
            }
            try (DurableBuffer b = open(bufDir, CursorSync.EVERY_COMMIT, 0)) {
                assertTrue(b.lossReport().isClean(), b.lossReport().toString());
                assertEquals(RECORDS - RECORDS / 2, b.cursor("up").poll(RECORDS, Long.MAX_VALUE).size());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"EVERY_COMMIT", "DEFERRED"})
    @DisplayName("no segment ever sealed (no segments.idx) and no reserve.bin: the lock note's block lets commits"
            + " through, the drain frees the disk, and the note comes back")
    void drainsWithNothingSealed(CursorSync sync) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 1 << 20, "the full-disk-at-open case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            try (DurableBuffer b = openUnsealed(bufDir, sync)) {
                b.cursor("up");
                for (int i = 1; i <= RECORDS; i++) {
                    b.append("s", Payloads.of(i, SIZE));
                }
            }
            assertTrue(Files.notExists(bufDir.resolve("segments.idx")), "one segment, never sealed: no index");
            Files.delete(bufDir.resolve("reserve.bin"));
            fs.fill("filler", 512);
            long last;
            try (DurableBuffer b = openUnsealed(bufDir, sync)) {
                assertThrows(DiskFullException.class, () -> b.append("s", Payloads.of(0, SIZE)));
                Cursor c = b.cursor("up");
                long sent = 0;
                for (List<BufferedRecord> r = c.poll(50, 1 << 20); !r.isEmpty(); r = c.poll(50, 1 << 20)) {
                    for (BufferedRecord x : r) {
                        assertEquals(++sent, x.sequence(), "every record stored is read once, in order");
                        assertArrayEquals(Payloads.of(x.sequence(), SIZE), x.payloadBytes());
                    }
                    // before 2026-12-02: DiskFullException "the commit was not stored", nothing was ever freed
                    c.commit(r.get(r.size() - 1));
                }
                assertEquals(RECORDS, sent);
                assertTrue(Files.exists(bufDir.resolve("reserve.bin")), "the reserve is back once all is drained");
                assertTrue(Files.size(bufDir.resolve("buffer.lock")) > 0, "the lock note is written again");
                last = b.append("s", Payloads.of(RECORDS + 1, SIZE)).sequence();
                assertEquals(RECORDS + 1, last, "appends work again, and no sequence is reused");
            }
            try (DurableBuffer b = openUnsealed(bufDir, sync)) {
                assertTrue(b.lossReport().isClean(), b.lossReport().toString());
                List<BufferedRecord> left = b.cursor("up").poll(RECORDS, 1 << 20);
                assertEquals(1, left.size(), "every commit was stored: only the record appended after the drain is"
                        + " left to send, " + left);
                assertEquals(last, left.get(0).sequence());
                assertEquals(0, io.edgeloop.buffer.log.SequenceMarks.read(bufDir).orElseThrow().floor(),
                        "no floor: the numbers go on densely");
                assertEquals(last + 1, b.append("s", Payloads.of(0, SIZE)).sequence());
            }
        }
    }

    @org.junit.jupiter.api.Test
    @DisplayName("the lock note, given up for a commit, comes back before the reserve: room for the reserve but not"
            + " for both no longer leaves the note empty for the rest of the session")
    void noteComesBackBeforeTheReserve() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 1 << 20, "the full-disk-at-open case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            try (DurableBuffer b = openUnsealed(bufDir, CursorSync.EVERY_COMMIT)) {
                b.cursor("up");
                for (int i = 1; i <= RECORDS; i++) {
                    b.append("s", Payloads.of(i, SIZE));
                }
            }
            Files.delete(bufDir.resolve("reserve.bin"));
            Path filler = fs.fill("filler", 512);
            List<String> after = new java.util.ArrayList<>();
            try (DurableBuffer b = openUnsealed(bufDir, CursorSync.EVERY_COMMIT)) {
                Cursor c = b.cursor("up");
                // stored in the note's block; the rename frees the old cursor file's block, room for the note only
                commitNext(c);
                after.add(noteAndReserve(bufDir));
                // room for the 64 KiB reserve (whole pages) and not one page more
                Files.delete(filler);
                filler = fs.fill("filler", 512);
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(filler,
                        java.nio.file.StandardOpenOption.WRITE)) {
                    ch.truncate(ch.size() - 64 * 1024);
                }
                commitNext(c); // its temporary file's page is freed again by the rename
                after.add(noteAndReserve(bufDir));
                Files.delete(filler);
                commitNext(c);
                after.add(noteAndReserve(bufDir));
                // before 2026-12-02 the note came after the reserve: [empty, no reserve] (no room for the reserve,
                // so the note was not tried), [empty, reserve] (the reserve took the last pages), and then nothing
                // tried again while the buffer was open: [empty, reserve]
                assertEquals(List.of("note, no reserve", "note, reserve", "note, reserve"), after);
                assertEquals(RECORDS + 1, b.append("s", Payloads.of(RECORDS + 1, SIZE)).sequence());
            }
        }
    }

    private static void commitNext(Cursor c) throws Exception {
        List<BufferedRecord> r = c.poll(50, 1 << 20);
        c.commit(r.get(r.size() - 1));
    }

    private static String noteAndReserve(Path bufDir) throws Exception {
        return (Files.size(bufDir.resolve("buffer.lock")) > 0 ? "note" : "empty")
                + (Files.exists(bufDir.resolve("reserve.bin")) ? ", reserve" : ", no reserve");
    }

    @org.junit.jupiter.api.Test
    @DisplayName("nothing left to give up (no reserve.bin, no segments.idx, the lock note already cut): the commit"
            + " failure says what to free, nothing acknowledged is lost, and commits work once it is freed")
    void nothingLeftToGiveUpSaysWhatToFree() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 1 << 20, "the full-disk-at-open case is untested")) {
            Path bufDir = fs.path().resolve("buf");
            try (DurableBuffer b = openUnsealed(bufDir, CursorSync.EVERY_COMMIT)) {
                b.cursor("up");
                for (int i = 1; i <= RECORDS; i++) {
                    b.append("s", Payloads.of(i, SIZE));
                }
            }
            Files.delete(bufDir.resolve("reserve.bin"));
            // a crash while the note was given up: the next open cannot write its note on the full disk either
            Files.write(bufDir.resolve("buffer.lock"), new byte[0]);
            Path filler = fs.fill("filler", 512);
            try (DurableBuffer b = openUnsealed(bufDir, CursorSync.EVERY_COMMIT)) {
                Cursor c = b.cursor("up");
                List<BufferedRecord> first = c.poll(50, 1 << 20);
                DiskFullException e = assertThrows(DiskFullException.class, () -> c.commit(first.get(49)));
                String m = e.getMessage();
                assertTrue(m.contains("writing cursor up") && m.contains("the commit was not stored")
                        && !m.contains("the record was not stored") && m.contains("nothing left to give up")
                        && m.contains("free at least one block of the file system (4096 bytes)"), m);
                assertEquals(0, c.committedPosition(), "nothing was committed");
                Files.delete(filler);
                c.rewind();
                long sent = 0;
                for (List<BufferedRecord> r = c.poll(50, 1 << 20); !r.isEmpty(); r = c.poll(50, 1 << 20)) {
                    for (BufferedRecord x : r) {
                        assertEquals(++sent, x.sequence(), "every record is still there, in order");
                        assertArrayEquals(Payloads.of(x.sequence(), SIZE), x.payloadBytes());
                    }
                    c.commit(r.get(r.size() - 1));
                }
                assertEquals(RECORDS, sent);
            }
        }
    }

    private static DurableBuffer openUnsealed(Path bufDir, CursorSync sync) throws Exception {
        // the default 4 MiB segment never fills on a 1 MiB file system
        return DurableBuffer.builder().directory(bufDir).deviceId("d").durability(Durability.always())
                .cursorSync(sync).open();
    }

    private static DurableBuffer open(Path bufDir, CursorSync sync, long budget) throws Exception {
        DurableBuffer.Builder b = DurableBuffer.builder().directory(bufDir).deviceId("d")
                .durability(Durability.always()).cursorSync(sync).segmentBytes(64 * 1024);
        if (budget > 0) {
            b.diskBudget(budget);
        }
        return b.open();
    }
}
