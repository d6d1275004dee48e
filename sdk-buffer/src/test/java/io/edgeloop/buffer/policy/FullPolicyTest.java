package io.edgeloop.buffer.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.Appended;
import io.edgeloop.buffer.BufferFullException;
import io.edgeloop.buffer.BufferReader;
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.MutableClock;
import io.edgeloop.buffer.Payloads;
import io.edgeloop.buffer.cursor.Cursor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Disk budget policies and TTLs. */
class FullPolicyTest {
    private static final long SEGMENT = 4096;
    private static final long BUDGET = 4 * SEGMENT;

    @TempDir
    Path dir;

    private DurableBuffer open(StreamPolicy p, MutableClock clock) throws IOException {
        return DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.none())
                .segmentBytes(SEGMENT).diskBudget(BUDGET).defaultStreamPolicy(p).clock(clock).open();
    }

    private long diskBytes() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            long n = 0;
            for (Path p : s.filter(x -> x.getFileName().toString().startsWith("seg-")).toList()) {
                n += Files.size(p);
            }
            return n;
        }
    }

    private static List<BufferedRecord> readAll(DurableBuffer b) throws IOException {
        BufferReader r = b.reader();
        List<BufferedRecord> out = new ArrayList<>();
        for (List<BufferedRecord> x = r.next(100, 1 << 20); !x.isEmpty(); x = r.next(100, 1 << 20)) {
            out.addAll(x);
        }
        return out;
    }

    @Test
    @DisplayName("reject-new fails appends once full, keeps what it has, and accepts again after acknowledgement")
    void rejectsNewWhenFull() throws IOException {
        try (DurableBuffer b = open(StreamPolicy.builder().whenFull(FullPolicy.REJECT_NEW).build(),
                new MutableClock(0))) {
            Cursor c = b.cursor("up");
            int stored = 0;
            BufferFullException full = null;
            while (full == null) {
                try {
                    b.append("s", Payloads.of(stored + 1, 100));
                    stored++;
                } catch (BufferFullException e) {
                    full = e;
                }
            }
            assertTrue(full.getMessage().contains("reject-new"), full.getMessage());
            assertTrue(diskBytes() <= BUDGET, "budget respected: " + diskBytes());
            List<BufferedRecord> all = new ArrayList<>();
            for (List<BufferedRecord> x = c.poll(100, 1 << 20); !x.isEmpty(); x = c.poll(100, 1 << 20)) {
                all.addAll(x);
            }
            assertEquals(stored, all.size());
            assertEquals(0, b.metrics().droppedByPolicy());
            c.commit(all.get(all.size() - 1));
            assertEquals(stored + 1, b.append("s", Payloads.of(stored + 1, 100)).sequence());
        }
    }

    @Test
    @DisplayName("block waits for the timeout, then fails; it proceeds as soon as a cursor acknowledges")
    void blocksUntilAcknowledgedOrTimeout() throws Exception {
        try (DurableBuffer b = open(StreamPolicy.builder().whenFull(FullPolicy.BLOCK)
                .blockTimeout(Duration.ofMillis(150)).build(), new MutableClock(0))) {
            Cursor c = b.cursor("up");
            int i = 0;
            long t0 = 0;
            try {
                while (true) {
                    t0 = System.nanoTime();
                    b.append("s", Payloads.of(++i, 100));
                }
            } catch (BufferFullException e) {
                assertTrue(System.nanoTime() - t0 >= 140_000_000L, "must have waited for the timeout");
                assertTrue(e.getMessage().contains("block"), e.getMessage());
            }
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.none())
                .segmentBytes(SEGMENT).diskBudget(BUDGET).defaultStreamPolicy(StreamPolicy.builder()
                        .whenFull(FullPolicy.BLOCK).blockTimeout(Duration.ofSeconds(120)).build()).open()) {
            Cursor c = b.cursor("up");
            // Still full from above. The acknowledgement comes only once the appender is seen waiting in the
            // buffer (not after a sleep that a slow appender could outlast), and it must release the append long
            // before the 120 s block timeout would.
            CompletableFuture<Appended> appended = new CompletableFuture<>();
            Thread appender = new Thread(() -> {
                try {
                    appended.complete(b.append("s", Payloads.of(0, 100)));
                } catch (Throwable e) {
                    appended.completeExceptionally(e);
                }
            }, "blocked-appender");
            appender.setDaemon(true);
            appender.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!appended.isDone() && appender.getState() != Thread.State.TIMED_WAITING) {
                assertTrue(System.nanoTime() < deadline, "the appender never waited: " + appender.getState());
                Thread.sleep(1);
            }
            assertFalse(appended.isDone(), "the append must wait while the buffer is full");
            List<BufferedRecord> all = new ArrayList<>();
            for (List<BufferedRecord> x = c.poll(100, 1 << 20); !x.isEmpty(); x = c.poll(100, 1 << 20)) {
                all.addAll(x);
            }
            c.commit(all.get(all.size() - 1));
            assertTrue(appended.get(60, TimeUnit.SECONDS).sequence() > all.get(all.size() - 1).sequence(),
                    "the acknowledgement let the waiting append through");
        }
    }

    @Test
    @DisplayName("drop-oldest never fails, stays within the budget and keeps the newest records")
    void dropsOldestWhenBudgetExceeded() throws IOException {
        try (DurableBuffer b = open(StreamPolicy.builder().whenFull(FullPolicy.DROP_OLDEST).build(),
                new MutableClock(0))) {
            b.cursor("up");
            for (int i = 1; i <= 2000; i++) {
                b.append("s", Payloads.of(i, 100));
                assertTrue(diskBytes() <= BUDGET + SEGMENT / 8, "budget respected");
            }
            List<BufferedRecord> all = readAll(b);
            assertEquals(2000, all.get(all.size() - 1).sequence());
            for (int k = 1; k < all.size(); k++) {
                assertEquals(all.get(k - 1).sequence() + 1, all.get(k).sequence(), "newest records contiguous");
                assertArrayEquals(Payloads.of(all.get(k).sequence(), 100), all.get(k).payloadBytes());
            }
            assertEquals(2000 - all.size(), b.metrics().droppedByPolicy());
            List<BufferedRecord> viaCursor = b.cursor("up").poll(1, 1000);
            assertEquals(all.get(0).sequence(), viaCursor.get(0).sequence(), "a cursor skips dropped segments");
        }
    }

    @Test
    @DisplayName("drop-lowest-priority drops low-priority segments first and never drops more important data")
    void dropsLowestPriorityFirst() throws IOException {
        try (DurableBuffer b = open(StreamPolicy.builder().whenFull(FullPolicy.DROP_LOWEST_PRIORITY).build(),
                new MutableClock(0))) {
            b.cursor("up");
            // 140-byte frames: 28 per 4 KiB segment, so each loop fills exactly one segment
            for (int i = 1; i <= 28; i++) {
                b.append("high", 9, Payloads.of(i, 100));
            }
            for (int i = 1; i <= 28; i++) {
                b.append("lowp", 1, Payloads.of(i, 100));
            }
            for (int i = 29; i <= 56; i++) {
                b.append("high", 9, Payloads.of(i, 100));
            }
            for (int i = 1; i <= 60; i++) {
                b.append("midp", 5, Payloads.of(i, 100));
            }
            List<BufferedRecord> all = readAll(b);
            assertEquals(56, all.stream().filter(r -> r.stream().equals("high")).count(), "no high record dropped");
            assertEquals(0, all.stream().filter(r -> r.stream().equals("lowp")).count(), "low segment dropped first");
            assertTrue(b.metrics().droppedByPolicy() >= 28);
            BufferFullException e = assertThrows(BufferFullException.class, () -> {
                for (int i = 29; i < 1000; i++) {
                    b.append("lowp", 1, Payloads.of(i, 100));
                }
            });
            assertTrue(e.getMessage().contains("priority above 1"), e.getMessage());
            assertEquals(56, readAll(b).stream().filter(r -> r.stream().equals("high")).count());
        }
    }

    @Test
    @DisplayName("records past their stream's TTL are not delivered and their segments are reclaimed")
    void expiresRecordsByTtl() throws IOException {
        MutableClock clock = new MutableClock(1_000_000);
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.none())
                .segmentBytes(SEGMENT).clock(clock)
                .streamPolicy("short", StreamPolicy.builder().ttl(Duration.ofMinutes(1)).build()).open()) {
            Cursor c = b.cursor("up");
            for (int i = 1; i <= 100; i++) {
                b.append("short", Payloads.of(i, 100));
            }
            clock.advance(Duration.ofMinutes(2));
            b.append("keep", Payloads.of(1, 100));
            List<BufferedRecord> got = c.poll(1000, 1 << 20);
            assertEquals(1, got.size());
            assertEquals("keep", got.get(0).stream());
            assertTrue(b.metrics().droppedByPolicy() >= 100 - 40, "expired records are counted");
            long before = diskBytes();
            assertTrue(b.reclaim() > 0, "expired sealed segments are deleted without any ack");
            assertTrue(diskBytes() < before);
        }
    }
}
