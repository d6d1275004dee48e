package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import io.edgeloop.buffer.policy.CursorSync;
import io.edgeloop.buffer.policy.Durability;
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
}
