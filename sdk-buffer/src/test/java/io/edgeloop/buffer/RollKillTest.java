package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.log.Loss;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A writer JVM killed with SIGKILL inside a roll, at the two points where the files show no trace of the segment
 * being started ({@link RollKillMain} stops there): every record it reported durable is read back, and the
 * reopened buffer hands out no sequence again.
 */
class RollKillTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "killed with the new segment {0}")
    @ValueSource(strings = {"created", "sealed"})
    @DisplayName("SIGKILL inside a roll loses nothing reported durable and reuses no sequence")
    void killInsideRoll(String where) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), RollKillMain.class.getName(), dir.toString(), where)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<String, Long> durable = new HashMap<>();
        boolean rolling = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.US_ASCII))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("durable ")) {
                    String[] f = line.split(" ");
                    durable.merge(f[1], Long.parseLong(f[2]), Math::max);
                } else if (line.startsWith("rolling ")) {
                    rolling = true;
                    p.destroyForcibly();
                    break;
                }
            }
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(rolling, "the child reached the roll");
        assertTrue(durable.get("a") > 20 && durable.get("b") > 20, durable.toString());
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).open()) {
            Map<String, Set<Long>> read = new HashMap<>();
            BufferReader reader = b.reader();
            for (List<BufferedRecord> batch = reader.next(1000, 1 << 20); !batch.isEmpty();
                    batch = reader.next(1000, 1 << 20)) {
                batch.forEach(x -> read.computeIfAbsent(x.stream(), k -> new HashSet<>()).add(x.sequence()));
            }
            for (Map.Entry<String, Long> e : durable.entrySet()) {
                for (long q = 1; q <= e.getValue(); q++) {
                    assertTrue(read.get(e.getKey()).contains(q), e.getKey() + " " + q + " was reported durable");
                }
                long next = b.append(e.getKey(), 0, new byte[1]).sequence();
                assertTrue(next > e.getValue(), e.getKey() + ": " + next + " after " + e.getValue());
            }
            assertEquals(0, b.lossReport().corruptFrames(), b.lossReport().toString());
            if (where.equals("created")) {
                assertEquals(1, b.lossReport().losses().stream()
                        .filter(l -> l.kind() == Loss.Kind.SEGMENT_TRUNCATED).count(), b.lossReport().toString());
            }
        }
    }
}
