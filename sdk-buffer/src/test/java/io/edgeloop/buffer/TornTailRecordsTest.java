package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.log.LossReport;
import io.edgeloop.buffer.policy.Durability;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tail of the last segment damaged after a clean close: its records had been synced and handed out, so they
 * are lost, and a record frame whose header survived in the tail names its record (stream and sequence), as a
 * corrupt frame before a valid one does. The loss report used to give the tail's bytes only ({@code records()}
 * -1), so {@code buffer verify} counted 0 records known lost for it. After a crash no record is named: under
 * {@code always} the tail is the crash's unsynced write, whose append never returned, and under {@code none} a
 * frame cut off was most likely being written.
 */
class TornTailRecordsTest {
    @TempDir
    Path dir;

    private List<Appended> fill(Path buf) throws Exception {
        List<Appended> all = new ArrayList<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(buf).deviceId("d").durability(Durability.always())
                .open()) {
            for (int i = 1; i <= 30; i++) {
                all.add(b.append(i % 3 == 0 ? "t" : "s", Payloads.of(i, 100)));
            }
        }
        return all;
    }

    @Test
    @DisplayName("a last frame cut off after a clean close names its record, read-only and writable; after a crash"
            + " under always or none it names none")
    void cutLastFrameNamesItsRecord() throws Exception {
        Path buf = dir.resolve("b");
        List<Appended> all = fill(buf);
        Appended last = all.get(29);
        // keep the header and half of the payload of the last frame
        try (RandomAccessFile f = new RandomAccessFile(segment(buf).toFile(), "rw")) {
            f.setLength(f.length() - 50);
        }
        for (boolean readOnly : new boolean[] {true, false}) {
            try (DurableBuffer b = DurableBuffer.builder().directory(buf).readOnly(readOnly).open()) {
                assertEquals(29, DiskFullTest.readAll(b).size());
                LossReport r = b.lossReport();
                List<Loss> named = named(r);
                assertEquals(1, named.size(), (readOnly ? "read-only: " : "writable: ") + r);
                assertEquals("t", named.get(0).stream(), r.toString());
                assertEquals(last.sequence(), named.get(0).firstSequence(), r.toString());
                assertEquals(1, named.get(0).records(), r.toString());
                assertEquals(last.endPosition() - last.position() - 50, r.truncatedBytes(), "bytes counted once");
            }
        }
        // the same cut after a crash: under always the tail is the crash's unsynced write, never handed out;
        // under none a frame cut off was most likely being written (its append had not returned)
        for (String mode : new String[] {"always", "none"}) {
            Path crashed = dir.resolve("crashed-" + mode);
            fill(crashed);
            Files.writeString(crashed.resolve("buffer.lock"), "pid 1 (java), durability " + mode + ", since"
                    + " 2026-12-02T05:00:00Z\n", StandardCharsets.UTF_8);
            try (RandomAccessFile f = new RandomAccessFile(segment(crashed).toFile(), "rw")) {
                f.setLength(f.length() - 50);
            }
            for (boolean readOnly : new boolean[] {true, false}) {
                try (DurableBuffer b = DurableBuffer.builder().directory(crashed).readOnly(readOnly).open()) {
                    LossReport r = b.lossReport();
                    assertEquals(1, r.losses().size(), mode + ": " + r);
                    assertEquals(Loss.Kind.TORN_TAIL, r.losses().get(0).kind());
                    assertEquals(-1, r.losses().get(0).records(), "after a crash under " + mode + " no record is"
                            + " named: " + r);
                }
            }
        }
    }

    @Test
    @DisplayName("corrupt frames ending the log after a clean close are named per stream, in runs of sequences")
    void corruptTailFramesAreNamedPerStream() throws Exception {
        Path buf = dir.resolve("b");
        List<Appended> all = fill(buf);
        for (int i = 26; i < 30; i++) { // records 27 (t), 28 (s), 29 (s), 30 (t)
            flipPayloadByte(buf, all.get(i));
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(buf).open()) {
            assertEquals(26, DiskFullTest.readAll(b).size());
            LossReport r = b.lossReport();
            List<String> named = new ArrayList<>();
            long records = 0;
            for (Loss l : named(r)) {
                named.add(l.stream() + " " + l.firstSequence() + "-" + l.lastSequence());
                records += l.records();
            }
            Appended s28 = all.get(27);
            Appended s29 = all.get(28);
            assertEquals(List.of("t " + all.get(26).sequence() + "-" + all.get(26).sequence(),
                    "s " + s28.sequence() + "-" + s29.sequence(),
                    "t " + all.get(29).sequence() + "-" + all.get(29).sequence()), named, r.toString());
            assertEquals(4, records, r.toString());
            assertEquals(s29.sequence(), s28.sequence() + 1);
        }
    }

    @Test
    @DisplayName("after a crash, a damaged tail names the records one cursor committed past while another had not"
            + " read them, read-only and writable; frames no cursor passed stay unnamed")
    void crashedTailNamesWhatACursorPassed() throws Exception {
        for (String mode : new String[] {"always", "none"}) {
            Path buf = dir.resolve("read-" + mode);
            List<Appended> all = new ArrayList<>();
            try (DurableBuffer b = DurableBuffer.builder().directory(buf).deviceId("d")
                    .durability(Durability.always()).open()) {
                b.cursor("slow");
                io.edgeloop.buffer.cursor.Cursor fast = b.cursor("fast");
                for (int i = 1; i <= 30; i++) {
                    all.add(b.append(i % 3 == 0 ? "t" : "s", Payloads.of(i, 100)));
                }
                List<BufferedRecord> read = fast.poll(28, 1 << 20);
                fast.commit(read.get(27)); // record 28 read and acknowledged; 29 and 30 not
            }
            Files.writeString(buf.resolve("buffer.lock"), "pid 1 (java), durability " + mode + ", since"
                    + " 2026-12-02T05:00:00Z\n", StandardCharsets.UTF_8);
            for (int i = 27; i < 30; i++) { // records 28, 29, 30 end the log damaged
                flipPayloadByte(buf, all.get(i));
            }
            for (boolean readOnly : new boolean[] {true, false}) {
                Path copy = dir.resolve("copy-" + mode + "-" + readOnly);
                copyDir(buf, copy);
                try (DurableBuffer b = DurableBuffer.builder().directory(copy).readOnly(readOnly).open()) {
                    LossReport r = b.lossReport();
                    List<Loss> named = named(r);
                    // before 2026-12-02 nothing was named after a crash, although a receiver had acknowledged
                    // record 28 and cursor "slow" never got it
                    assertEquals(1, named.size(), mode + (readOnly ? ", read-only: " : ", writable: ") + r);
                    assertEquals("s", named.get(0).stream(), r.toString());
                    assertEquals(all.get(27).sequence(), named.get(0).firstSequence(), r.toString());
                    assertEquals(1, named.get(0).records(), r.toString());
                }
            }
        }
    }

    private static void copyDir(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    /** The TORN_TAIL entries that name records. */
    private static List<Loss> named(LossReport r) {
        List<Loss> out = new ArrayList<>();
        int tails = 0;
        for (Loss l : r.losses()) {
            assertEquals(Loss.Kind.TORN_TAIL, l.kind(), r.toString());
            if (l.records() > 0) {
                assertEquals(0, l.length(), "a named record's entry counts no bytes: " + r);
                out.add(l);
            } else {
                tails++;
            }
        }
        assertEquals(1, tails, "one entry for the tail's bytes: " + r);
        return out;
    }

    private static Path segment(Path buf) throws Exception {
        try (Stream<Path> s = Files.list(buf)) {
            List<Path> segs = s.filter(x -> x.getFileName().toString().matches("seg-\\d+\\.log")).sorted().toList();
            assertEquals(1, segs.size());
            return segs.get(0);
        }
    }

    private static void flipPayloadByte(Path buf, Appended a) throws Exception {
        long at = a.position() + (a.endPosition() - a.position()) - 50; // the only segment has base 0
        try (RandomAccessFile f = new RandomAccessFile(segment(buf).toFile(), "rw")) {
            f.seek(at);
            int v = f.read();
            f.seek(at);
            f.write(v ^ 0x10);
        }
    }
}
