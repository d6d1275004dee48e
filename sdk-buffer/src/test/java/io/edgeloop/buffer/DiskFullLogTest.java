package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.policy.Durability;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk fails every group-commit write for as long as it lasts: the buffer logs one WARN line (naming the
 * segment and the free space) without a stack trace, not a WARN with a stack trace per failure (50 failed appends
 * logged 50 WARN lines and 700 stack lines on a real 1 MiB tmpfs). Captures standard error, where the tests'
 * slf4j-simple binding writes, as {@code RelayServerTest} does for the relay's refusals.
 */
class DiskFullLogTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("50 writes failing on a full disk log one WARN line without a stack trace")
    void repeatedDiskFullLogsOneLine() throws IOException {
        PrintStream before = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int failures = 0;
        AtomicLong free = new AtomicLong(20_000);
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d")
                .durability(Durability.groupCommit(Duration.ofMillis(2), 1 << 20)).segmentBytes(1 << 20)
                .channelOpener((p, o) -> new QuotaChannel(FileChannel.open(p, o), free)).open()) {
            for (int i = 1; i <= 10_000 && failures < 50; i++) {
                try {
                    b.append("s", Payloads.of(i, 200));
                } catch (DiskFullException e) {
                    failures++;
                }
            }
        } finally {
            System.setErr(before);
        }
        assertEquals(50, failures);
        String log = captured.toString(StandardCharsets.UTF_8);
        List<String> warns = log.lines().filter(l -> l.contains(" WARN ") && l.contains("appends not stored")).toList();
        assertEquals(1, warns.size(), log);
        assertTrue(warns.get(0).contains("seg-") && warns.get(0).contains("free space: "), warns.get(0));
        assertEquals(0, log.lines().filter(l -> l.startsWith("\tat ")).count(), "no stack trace at WARN: " + log);
    }
}
