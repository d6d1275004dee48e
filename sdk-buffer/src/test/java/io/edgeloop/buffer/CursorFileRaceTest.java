package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.CursorSync;
import io.edgeloop.buffer.policy.Durability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under deferred cursor syncs with durability none, a commit writes its cursor file itself while another cursor's
 * commit, reclaiming, syncs the same cursor's deferred state into the same file. Both must take turns.
 */
class CursorFileRaceTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("concurrent commits and deferred-cursor syncs never break a commit or the cursor files")
    void commitsAndSyncsTakeTurns() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Map<String, Long> lastCommitted = new ConcurrentHashMap<>();
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.none())
                .cursorSync(CursorSync.DEFERRED).segmentBytes(4096).open()) {
            Cursor x = b.cursor("x");
            Cursor y = b.cursor("y");
            Thread appender = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        b.append("s", Payloads.of(i, 60));
                        if (i % 64 == 0) {
                            Thread.sleep(1);
                        }
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            });
            Thread[] consumers = new Thread[2];
            Cursor[] cs = {x, y};
            for (int k = 0; k < 2; k++) {
                Cursor c = cs[k];
                int batch = k == 0 ? 1 : 7;
                consumers[k] = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            List<BufferedRecord> r = c.poll(batch, 1 << 20);
                            for (BufferedRecord rec : r) {
                                c.commit(rec);
                                lastCommitted.put(c.name(), rec.nextPosition());
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            appender.start();
            consumers[0].start();
            consumers[1].start();
            Thread.sleep(4000);
            stop.set(true);
            appender.join();
            consumers[0].join();
            consumers[1].join();
        }
        assertEquals(null, failure.get(), () -> "a commit failed: " + failure.get());
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.none())
                .cursorSync(CursorSync.DEFERRED).segmentBytes(4096).open()) {
            assertTrue(b.lossReport().isClean(), b.lossReport().toString());
            for (String name : List.of("x", "y")) {
                assertEquals(lastCommitted.get(name), b.cursor(name).committedPosition(), name);
            }
        }
    }

    @Test
    @DisplayName("deleting a cursor while its consumer commits: later commits fail clearly and never recreate its"
            + " files, under either cursor sync")
    void deleteCursorWhileCommitting() throws Exception {
        for (CursorSync sync : CursorSync.values()) {
            Path sub = dir.resolve(sync.name());
            try (DurableBuffer b = DurableBuffer.builder().directory(sub).deviceId("d").durability(Durability.none())
                    .cursorSync(sync).segmentBytes(1 << 16).open()) {
                for (int i = 0; i < 5000; i++) {
                    b.append("s", Payloads.of(i, 20));
                }
                b.flush();
                Cursor c = b.cursor("gone");
                java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
                AtomicReference<Throwable> failure = new AtomicReference<>();
                AtomicReference<IllegalStateException> refused = new AtomicReference<>();
                Thread committer = new Thread(() -> {
                    try {
                        for (List<BufferedRecord> r = c.poll(1, 1 << 20); !r.isEmpty(); r = c.poll(1, 1 << 20)) {
                            c.commit(r.get(0));
                            started.countDown();
                        }
                    } catch (IllegalStateException e) {
                        refused.set(e);
                    } catch (Exception e) {
                        failure.set(e);
                    } finally {
                        started.countDown();
                    }
                });
                committer.start();
                started.await();
                b.deleteCursor("gone");
                committer.join();
                assertNull(failure.get(), () -> sync + ": " + failure.get());
                assertNotNull(refused.get(), sync + ": the consumer's next commit was refused");
                assertTrue(refused.get().getMessage().contains("was deleted"), refused.get().getMessage());
                try (var files = Files.list(sub.resolve("cursors"))) {
                    assertEquals(List.of(), files.map(p -> p.getFileName().toString()).toList(),
                            sync + ": no file of the deleted cursor came back");
                }
            }
        }
    }
}
