package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.log.FrameFormat;
import io.edgeloop.buffer.log.Segment;
import io.edgeloop.buffer.log.SequenceMarks;
import io.edgeloop.buffer.policy.Durability;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which open raises the sequence floor, and how far: the durability of the writer that crashed decides whether a
 * cut tail may have held records whose appends returned (not the durability of whoever opens next), a reservation
 * that a downgraded writer appended past is no bound, and one open raises the floor by one bound at most. Real
 * files; the crashed writer is a real child JVM halted without closing.
 */
class WriterModeFloorTest {
    @TempDir
    Path dir;

    private List<Long> bases() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> Segment.parseBase(p.getFileName().toString())).filter(o -> o.isPresent())
                    .map(o -> o.get()).sorted().collect(Collectors.toList());
        }
    }

    private void cutLast(long bytes) throws IOException {
        List<Long> b = bases();
        Path last = dir.resolve(Segment.fileName(b.get(b.size() - 1)));
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - bytes);
        }
    }

    /** Runs {@link CrashedWriterMain}; returns the highest sequence its appends returned. */
    private long crashedWriter(String durability, int count) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), CrashedWriterMain.class.getName(), dir.toString(), durability,
                Integer.toString(count)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String line;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = r.readLine();
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the writer halted");
        assertTrue(line != null && line.startsWith("handed "), "writer output: " + line);
        return Long.parseLong(line.substring(7));
    }

    @Test
    @DisplayName("a none writer crashes and its tail is cut; a drain under group commit opens first: the floor is"
            + " still raised, so the none writer's next append does not reuse a sequence it handed out")
    void aLaterOpenUnderGroupCommitKeepsTheNoneWritersEvidence() throws Exception {
        long handed = crashedWriter("none", 2000);
        assertTrue(Files.readString(dir.resolve(DirectoryLock.FILE)).contains("durability none"),
                "the crashed writer's note names its durability");
        cutLast(7);
        try (DurableBuffer drain = DurableBuffer.builder().directory(dir).durability(Durability.groupCommit(
                Duration.ofMillis(5), 1 << 20)).open()) {
            assertTrue(drain.lastSequence("s") >= handed, "the drain's open raised the floor: "
                    + drain.lastSequence("s") + " < " + handed);
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).durability(Durability.none()).open()) {
            long next = b.append("s", 0, new byte[10]).sequence();
            assertTrue(next > handed, "sequence " + next + " was handed out before the crash (up to " + handed + ")");
        }
    }

    @Test
    @DisplayName("a kill during the repairing open keeps the evidence: the note it wrote still names none")
    void theRepairingOpenInheritsNoneUntilItRecovered() throws Exception {
        DirectoryLockTest.leaveAsKilled(dir, "none");
        DirectoryLock held = DirectoryLock.acquire(dir, null, Durability.Mode.ALWAYS);
        try {
            assertTrue(held.previousMayHaveHandedOutUnsynced());
            assertTrue(Files.readString(dir.resolve(DirectoryLock.FILE)).contains("durability none"),
                    "until recovery kept the evidence, the note names none");
            held.recovered();
            assertTrue(Files.readString(dir.resolve(DirectoryLock.FILE)).contains("durability always"),
                    Files.readString(dir.resolve(DirectoryLock.FILE)));
        } finally {
            held.release(false);
        }
    }

    @Test
    @DisplayName("a crashed writer's note without a durability counts as none: its cut tail raises the floor;"
            + " a group commit writer's cut tail does not (numbering stays dense)")
    void aNoteWithoutDurabilityCountsAsNone() throws IOException {
        for (String mode : List.of("", "group")) {
            try (DurableBuffer b = DurableBuffer.builder().directory(dir).durability(Durability.always()).open()) {
                for (int i = 0; i < 20; i++) {
                    b.append("s", 0, new byte[50]);
                }
            }
            long before;
            try (DurableBuffer b = DurableBuffer.builder().directory(dir).readOnly(true).open()) {
                before = b.lastSequence("s");
            }
            DirectoryLockTest.leaveAsKilled(dir, mode);
            cutLast(5);
            try (DurableBuffer b = DurableBuffer.builder().directory(dir).durability(Durability.always()).open()) {
                long next = b.append("s", 0, new byte[10]).sequence();
                if (mode.isEmpty()) {
                    assertTrue(next > before + 1, "no durability named: floor raised, got " + next);
                } else {
                    assertEquals(before, next, "group commit: the cut frame's append never returned; reused densely");
                }
            }
        }
    }

    @Test
    @DisplayName("a reservation a downgraded writer appended past is stale: after the tail is cut, sequences"
            + " continue above every sequence found, not at the stale reservation")
    void aStaleReservationIsNoBound() throws IOException {
        long highest;
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).durability(Durability.none())
                .segmentBytes(1 << 20).open()) {
            for (int i = 0; i < 70_000; i++) {
                b.append("s", 0, new byte[1]);
            }
            highest = b.lastSequence("s");
        }
        // what a 1.1 writer leaves: it appended past the 1.2 reservation without raising it
        SequenceMarks m = SequenceMarks.read(dir).orElseThrow();
        new SequenceMarks(m.sequences(), m.floor(), DurableBuffer.RESERVATION_BLOCK).write(dir);
        cutLast(3);
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).durability(Durability.always()).open()) {
            long next = b.append("s", 0, new byte[1]).sequence();
            assertTrue(next > highest, "sequence " + next + " was handed out before (up to " + highest + ")");
        }
    }

    @Test
    @DisplayName("a buffer without a reservation whose last segment is short: the floor rises by one bound only,"
            + " though the log then also ends sealed")
    void oneOpenRaisesTheFloorOnce() throws IOException {
        long highest;
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).durability(Durability.none())
                .segmentBytes(64 * 1024).open()) {
            for (int i = 0; i < 2000; i++) {
                b.append("s", 0, new byte[100]);
            }
            highest = b.lastSequence("s");
        }
        assertTrue(bases().size() >= 2, bases().toString());
        // a format 1.1 buffer: no reservation
        SequenceMarks m = SequenceMarks.read(dir).orElseThrow();
        new SequenceMarks(m.sequences(), 0, 0).write(dir);
        List<Long> b0 = bases();
        try (FileChannel ch = FileChannel.open(dir.resolve(Segment.fileName(b0.get(b0.size() - 1))),
                StandardOpenOption.WRITE)) {
            ch.truncate(10);
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).durability(Durability.always()).open()) {
            long floor = SequenceMarks.read(dir).orElseThrow().floor();
            long bound = (1L << 30) / FrameFormat.frameSize(1, 0) + 1;
            assertTrue(floor > highest && floor <= highest + bound, "one bound above the highest sequence only: floor "
                    + floor + ", highest " + highest + ", bound " + bound);
            assertEquals(floor, b.lastSequence("s"));
        }
    }
}
