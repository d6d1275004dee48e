package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.buffer.policy.FullPolicy;
import io.edgeloop.buffer.policy.StreamPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk budget bounds every file the buffer writes: footers and trailers of sealed segments, quarantine. */
class BudgetAccountingTest {
    @TempDir
    Path dir;

    private long bytes(String prefix, Path in) throws IOException {
        if (!Files.isDirectory(in)) {
            return 0;
        }
        long total = 0;
        try (Stream<Path> s = Files.list(in)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().startsWith(prefix)) {
                    total += Files.size(p);
                }
            }
        }
        return total;
    }

    @Test
    @DisplayName("segment files, footers included, never exceed the budget, whatever the full policy")
    void footersCountAgainstTheBudget() throws IOException {
        for (FullPolicy policy : List.of(FullPolicy.REJECT_NEW, FullPolicy.DROP_OLDEST)) {
            // many long stream names make big footers, which the frames alone do not show
            fillWithinBudget(policy, 200);
            // with short names drop-oldest has sealed segments to drop and goes on
            fillWithinBudget(policy, 1);
        }
    }

    private void fillWithinBudget(FullPolicy policy, int nameWidth) throws IOException {
        Path sub = dir.resolve(policy.name() + nameWidth);
        StreamPolicy sp = StreamPolicy.builder().whenFull(policy).build();
        try (DurableBuffer b = DurableBuffer.builder().directory(sub).deviceId("dev").durability(Durability.none())
                .segmentBytes(4096).diskBudget(8192).defaultStreamPolicy(sp).open()) {
            int n = 0;
            for (; n < 400; n++) {
                try {
                    b.append("s" + "x".repeat(nameWidth) + (n % 50), new byte[1]);
                } catch (BufferFullException e) {
                    break;
                }
                long onDisk = bytes("seg-", sub);
                assertTrue(onDisk <= 8192, policy + ": " + onDisk + " bytes of segments after record " + n);
            }
            if (policy == FullPolicy.DROP_OLDEST && nameWidth == 1) {
                assertEquals(400, n, "drop-oldest made room every time");
                assertTrue(b.metrics().droppedByPolicy() > 0);
            }
        }
        assertTrue(bytes("seg-", sub) <= 8192, policy + ": " + bytes("seg-", sub));
    }

    @Test
    @DisplayName("bytesUnacknowledged counts only live bytes: segments dropped by policy under a lagging cursor do"
            + " not count")
    void unacknowledgedExcludesDroppedSegments() throws IOException {
        try (DurableBuffer b = DurableBuffer.builder().directory(dir.resolve("lag")).segmentBytes(16 * 1024)
                .diskBudget(64 * 1024).durability(Durability.none())
                .defaultStreamPolicy(StreamPolicy.builder().whenFull(FullPolicy.DROP_OLDEST).build()).open()) {
            Cursor c = b.cursor("slow");
            for (int i = 0; i < 2000; i++) {
                b.append("s", new byte[100]);
            }
            io.edgeloop.buffer.metrics.BufferMetrics m = b.metrics();
            assertTrue(m.droppedByPolicy() > 0, m.toString());
            assertEquals(0, c.committedPosition(), "the cursor lags behind every dropped segment");
            assertTrue(m.bytesUnacknowledged() <= m.bytesBuffered(), m.toString());
            assertTrue(m.bytesUnacknowledged() > m.bytesBuffered() / 2, "live records are unacknowledged: " + m);
        }
    }

    @Test
    @DisplayName("quarantined copies stay under a sixteenth of the budget and are deleted with their segment")
    void quarantineIsCappedAndReclaimed() throws IOException {
        long budget = 64 * 1024;
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("dev").durability(Durability.none())
                .segmentBytes(4096).diskBudget(budget).open()) {
            for (int i = 1; i <= 40; i++) {
                b.append("a", Payloads.of(i, 1000));
            }
        }
        // damage the payload of the second record of each of the first six segments (non-zero garbage)
        List<Path> segs;
        try (Stream<Path> s = Files.list(dir)) {
            segs = s.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
        }
        for (Path seg : segs.subList(0, 6)) {
            try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
                long frame = (4096 - 40) / 3;
                ch.write(ByteBuffer.wrap("garbage!".repeat(40).getBytes()), 40 + 1200 + 200);
                assertTrue(ch.size() > 40 + frame);
            }
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("dev").durability(Durability.none())
                .segmentBytes(4096).diskBudget(budget).open()) {
            Cursor c = b.cursor("up");
            List<BufferedRecord> r = c.poll(1000, 1 << 30);
            assertTrue(r.size() < 40, "damaged records were skipped: " + r.size());
            assertTrue(b.lossReport().corruptFrames() >= 6, b.lossReport().toString());
            long q = bytes("", dir.resolve("quarantine"));
            assertTrue(q > 0 && q <= budget / 16, "quarantine holds " + q + " bytes");
            c.commit(r.get(r.size() - 1));
            assertEquals(0, bytes("", dir.resolve("quarantine")), "copies go with their reclaimed segments");
        }
    }

    @Test
    @DisplayName("quarantined copies whose segment is already gone are deleted on open, not counted forever")
    void orphanedQuarantineCopiesAreDeletedOnOpen() throws IOException {
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("dev").durability(Durability.none())
                .segmentBytes(4096).open()) {
            for (int i = 1; i <= 12; i++) {
                b.append("a", Payloads.of(i, 1000));
            }
        }
        List<Path> segs;
        try (Stream<Path> s = Files.list(dir)) {
            segs = s.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
        }
        try (FileChannel ch = FileChannel.open(segs.get(0), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("garbage!".repeat(40).getBytes()), 40 + 1200 + 200);
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("dev").durability(Durability.none())
                .segmentBytes(4096).open()) {
            b.cursor("up").poll(1000, 1 << 30);
            assertTrue(b.lossReport().corruptFrames() >= 1, b.lossReport().toString());
        }
        assertTrue(bytes("", dir.resolve("quarantine")) > 0, "a copy was kept");
        // a crash after the segment was deleted but before its copies were (the order of a 1.0 SDK)
        Files.delete(segs.get(0));
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("dev").durability(Durability.none())
                .segmentBytes(4096).open()) {
            assertEquals(0, bytes("", dir.resolve("quarantine")), "the orphaned copy was deleted on open");
            assertEquals(13, b.append("a", Payloads.of(13, 1000)).key().sequence());
        }
    }
}
