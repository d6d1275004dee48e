package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.policy.Durability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interrupted thread doing I/O on a FileChannel closes it for everyone. An appender's interrupt must neither
 * break the buffer for other threads nor let the sync thread report records durable without a sync.
 */
class InterruptedAppendTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("an interrupted appender stores its record, keeps its interrupt, and breaks nothing for others")
    void interruptedAppenderBreaksNothing() throws Exception {
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d")
                .durability(Durability.groupCommit(Duration.ofSeconds(30), 1 << 30)).open()) {
            CompletableFuture<Appended> first = b.appendAsync("a", 0, Payloads.of(1, 100));
            AtomicReference<Object> outcome = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread t = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    outcome.set(b.appendAsync("a", 0, Payloads.of(2, 100)));
                } catch (Exception e) {
                    outcome.set(e);
                }
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            t.start();
            t.join();
            assertTrue(outcome.get() instanceof CompletableFuture, "interrupted append: " + outcome.get());
            assertTrue(stillInterrupted.get(), "the caller's interrupt is kept");
            Thread.sleep(300);
            assertFalse(first.isDone(), "nothing was synced yet (30 s group commit), so nothing may be reported durable");
            CompletableFuture<Appended> third = b.appendAsync("a", 0, Payloads.of(3, 100));
            b.flush();
            assertTrue(first.isDone() && !first.isCompletedExceptionally());
            assertEquals(3, third.get(10, TimeUnit.SECONDS).sequence());
            assertEquals(3, b.lastSequence("a"));
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").open()) {
            assertEquals(3, b.reader().next(10, 1 << 20).size());
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
        }
    }

    @Test
    @DisplayName("interrupts arriving at any moment of appends lose no record reported durable and never stop the buffer")
    void interruptsDuringIoLoseNothingReported() throws Exception {
        Set<Long> reported = new HashSet<>();
        for (Durability d : List.of(Durability.always(), Durability.groupCommit(Duration.ofMillis(1), 1 << 20))) {
            Path sub = dir.resolve(d.mode().name());
            reported.clear();
            try (DurableBuffer b = DurableBuffer.builder().directory(sub).deviceId("d").durability(d)
                    .segmentBytes(16384).open()) {
                List<CompletableFuture<Appended>> futures = new ArrayList<>();
                AtomicBoolean done = new AtomicBoolean();
                Thread appender = new Thread(() -> {
                    for (int i = 0; i < 1000; i++) {
                        try {
                            futures.add(b.appendAsync("s", 0, Payloads.of(i, 200)));
                        } catch (Exception e) {
                            // an interrupt that closed the channel mid-write fails that one append only
                        }
                        Thread.interrupted();
                    }
                    done.set(true);
                });
                appender.start();
                java.util.Random rnd = new java.util.Random(7);
                while (!done.get()) {
                    appender.interrupt();
                    java.util.concurrent.locks.LockSupport.parkNanos(rnd.nextInt(2_000_000));
                }
                appender.join();
                b.flush();
                for (CompletableFuture<Appended> f : futures) {
                    try {
                        reported.add(f.get(10, TimeUnit.SECONDS).sequence());
                    } catch (ExecutionException e) {
                        // failed appends are reported as such
                    }
                }
                assertTrue(reported.size() > 0, "appends went through for " + d);
                b.append("s", Payloads.of(0, 200));
                reported.add(b.lastSequence("s"));
            }
            try (DurableBuffer b = DurableBuffer.builder().directory(sub).deviceId("d").open()) {
                assertTrue(b.lossReport().isClean(), "failed writes were cut off: " + b.lossReport());
                Set<Long> present = new HashSet<>();
                BufferReader r = b.reader();
                for (List<BufferedRecord> batch = r.next(500, 1 << 24); !batch.isEmpty();
                        batch = r.next(500, 1 << 24)) {
                    for (BufferedRecord rec : batch) {
                        assertTrue(present.add(rec.sequence()), "sequence " + rec.sequence() + " twice");
                    }
                }
                assertTrue(present.containsAll(reported), d + ": reported durable but missing: "
                        + reported.stream().filter(s -> !present.contains(s)).limit(10).toList());
            }
        }
    }
}
