package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.log.Segment;
import io.edgeloop.buffer.log.SequenceMarks;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A writer JVM killed with SIGKILL at every step of a segment roll ({@link RollKillMain} stops there), under each
 * durability: every record it reported durable is read back, nothing is reported lost, no temporary file stays,
 * no sequence floor is written, and both streams continue at the next sequence, also after an open that appends
 * nothing. The controls take the roll's temporary file away (or the segment it became): the log then looks as if
 * its end was lost, and the floor is raised as before.
 */
class RollKillTest {
    private static final List<String> DURABILITIES = List.of("always", "group:2", "none");

    @TempDir
    Path dir;

    static Stream<Arguments> everyStep() {
        List<Arguments> out = new ArrayList<>();
        for (String durability : DURABILITIES) {
            for (RollStep step : RollStep.values()) {
                out.add(Arguments.of(step, durability));
            }
        }
        return out.stream();
    }

    /** Runs {@link RollKillMain} until it stops at {@code step}, kills it; returns the last durable per stream. */
    private Map<String, Long> killAt(RollStep step, String durability) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), RollKillMain.class.getName(), dir.toString(), step.name(),
                durability).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<String, Long> durable = new TreeMap<>();
        boolean rolling = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.US_ASCII))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("durable ")) {
                    String[] f = line.split(" ");
                    durable.merge(f[1], Long.parseLong(f[2]), Math::max);
                } else if (line.equals("rolling " + step)) {
                    rolling = true;
                    p.destroyForcibly();
                    break;
                }
            }
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(rolling, "the child reached " + step);
        assertTrue(durable.get("a") > 20 && durable.get("b") > 20, durable.toString());
        return durable;
    }

    private DurableBuffer open() throws IOException {
        return DurableBuffer.builder().directory(dir).open();
    }

    private List<String> names(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted()
                    .collect(Collectors.toList());
        }
    }

    private Path lastSegment() throws IOException {
        List<String> segs = names(".log");
        return dir.resolve(segs.get(segs.size() - 1));
    }

    private void cut(Path file, long bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - bytes);
        }
    }

    /** Every sequence up to the last durable one of each stream, and none beyond it, intact. */
    private static void holdsExactly(DurableBuffer b, Map<String, Long> durable) throws IOException {
        Map<String, List<Long>> read = new HashMap<>();
        for (BufferedRecord r : DiskFullTest.readAll(b)) {
            read.computeIfAbsent(r.stream(), k -> new ArrayList<>()).add(r.sequence());
            // the child numbers its payloads 1, 2, 3, ... across both streams: b gets odd, a even ones
            long i = r.stream().equals("a") ? 2 * r.sequence() : 2 * r.sequence() - 1;
            assertArrayEquals(Payloads.of(i, 100), r.payloadBytes(), r.stream() + " " + r.sequence() + " intact");
        }
        for (Map.Entry<String, Long> e : durable.entrySet()) {
            List<Long> expected = Stream.iterate(1L, q -> q + 1).limit(e.getValue()).collect(Collectors.toList());
            assertEquals(expected, read.get(e.getKey()), "stream " + e.getKey() + ": exactly the records reported"
                    + " durable (the append in the roll had no sequence yet)");
        }
    }

    /** Two opens after the kill: the first appends nothing, the second continues densely; no floor anywhere. */
    private void continuesDensely(Map<String, Long> durable, boolean tornTail) throws IOException {
        try (DurableBuffer b = open()) {
            holdsExactly(b, durable);
            if (tornTail) {
                assertTrue(b.lossReport().losses().stream().allMatch(l -> l.kind() == Loss.Kind.TORN_TAIL),
                        b.lossReport().toString());
            } else {
                assertTrue(b.lossReport().isClean(), "a roll interrupted loses nothing: " + b.lossReport());
            }
            for (Map.Entry<String, Long> e : durable.entrySet()) {
                assertEquals(e.getValue(), b.lastSequence(e.getKey()), "no jump for stream " + e.getKey());
            }
        }
        assertEquals(List.of(), names(".tmp"), "the writable open deleted the roll's temporary file");
        try (DurableBuffer b = open()) {
            assertTrue(b.lossReport().isClean(), "the first open repaired everything: " + b.lossReport());
            for (Map.Entry<String, Long> e : durable.entrySet()) {
                assertEquals(e.getValue() + 1, b.append(e.getKey(), 0, new byte[1]).sequence(),
                        "stream " + e.getKey() + " continues at the next sequence");
            }
        }
        assertEquals(0, SequenceMarks.read(dir).orElseThrow().floor(), "no floor written");
    }

    private void raisedTheFloor(Map<String, Long> durable) throws IOException {
        try (DurableBuffer b = open()) {
            for (Map.Entry<String, Long> e : durable.entrySet()) {
                long next = b.append(e.getKey(), 0, new byte[1]).sequence();
                assertTrue(next > e.getValue() + 1, "stream " + e.getKey() + " jumps above the floor: " + next);
            }
        }
        assertTrue(SequenceMarks.read(dir).orElseThrow().floor() > 0, "floor written");
    }

    @ParameterizedTest(name = "{1}, killed at {0}")
    @MethodSource("everyStep")
    @DisplayName("SIGKILL at any step of a roll loses nothing and makes no sequence jump")
    void killAtAnyStepOfARoll(RollStep step, String durability) throws Exception {
        Map<String, Long> durable = killAt(step, durability);
        if (step.compareTo(RollStep.NEXT_CREATED) >= 0 && step.compareTo(RollStep.NEXT_SYNCED) <= 0) {
            assertEquals(1, names(".log.tmp").size(), "the next segment is still a temporary file");
        }
        continuesDensely(durable, false);
    }

    @ParameterizedTest(name = "{0}, {1} bytes missing")
    @CsvSource({"always,10", "always,40", "group:2,10", "group:2,40", "none,10", "none,40"})
    @DisplayName("a seal the kill cut short (a partial write: the trailer, or part of the footer, missing) is cut"
            + " off; no sequence jumps, also under none")
    void tornFooter(String durability, int missing) throws Exception {
        Map<String, Long> durable = killAt(RollStep.FOOTER_WRITTEN, durability);
        cut(lastSegment(), missing);
        continuesDensely(durable, true);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"always", "none"})
    @DisplayName("a next segment's header the kill cut short stays a temporary file; no sequence jumps")
    void tornNextHeader(String durability) throws Exception {
        Map<String, Long> durable = killAt(RollStep.NEXT_HEADER_WRITTEN, durability);
        cut(dir.resolve(names(".log.tmp").get(0)), 23);
        continuesDensely(durable, false);
    }

    @Test
    @DisplayName("control: a log ending sealed without the roll's temporary file raises the floor (a lost segment)")
    void sealedEndWithoutTemporaryFileRaisesTheFloor() throws Exception {
        Map<String, Long> durable = killAt(RollStep.SEALED, "always");
        Files.delete(dir.resolve(names(".log.tmp").get(0)));
        raisedTheFloor(durable);
    }

    @Test
    @DisplayName("control: the completed roll's segment deleted later raises the floor (the end of the log lost)")
    void deletedNewSegmentRaisesTheFloor() throws Exception {
        Map<String, Long> durable = killAt(RollStep.DIRECTORY_SYNCED, "always");
        Path last = lastSegment();
        assertEquals(RollKillMain.STOP_IN_ROLL, names(".log").size(), "the roll renamed the next segment into place");
        Files.delete(last);
        raisedTheFloor(durable);
    }

    @Test
    @DisplayName("control: under none a cut tail without the roll's temporary file raises the floor")
    void tornTailUnderNoneWithoutTemporaryFileRaisesTheFloor() throws Exception {
        Map<String, Long> durable = killAt(RollStep.FOOTER_WRITTEN, "none");
        Files.delete(dir.resolve(names(".log.tmp").get(0)));
        cut(lastSegment(), 10);
        raisedTheFloor(durable);
    }

    @Test
    @DisplayName("the temporary file names the next segment's base, one past the sealed segment's footer")
    void temporaryFileNamesTheNextBase() throws Exception {
        killAt(RollStep.SEALED, "always");
        Path last = lastSegment();
        long base = Segment.parseBase(last.getFileName().toString()).orElseThrow();
        assertEquals(List.of(Segment.tempName(base + Files.size(last))), names(".tmp"));
    }
}
