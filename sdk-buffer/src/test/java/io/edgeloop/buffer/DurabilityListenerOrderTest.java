package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.policy.Durability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener hears of a stream's watermark in increasing order, whichever threads move it. */
class DurabilityListenerOrderTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("with four appenders, rolls, flushes and the sync thread all moving the watermark, the listener"
            + " never hears a lower sequence after a higher one, and last hears the highest")
    void listenerCallsNeverGoBackwards() throws Exception {
        Object calls = new Object();
        List<String> regressions = new ArrayList<>();
        long[] lastHeard = {0};
        long[] heard = {0};
        DurabilityListener listener = (stream, seq) -> {
            synchronized (calls) {
                heard[0]++;
                if (seq <= lastHeard[0] && regressions.size() < 5) {
                    regressions.add(lastHeard[0] + " then " + seq);
                }
                lastHeard[0] = Math.max(lastHeard[0], seq);
            }
        };
        long last;
        // 1 ms syncs on the sync thread, 16 KiB segments sealed by whichever appender fills them, and one appender
        // flushing every 7th record: three kinds of thread move the watermark at once
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).deviceId("d")
                .durability(Durability.groupCommit(Duration.ofMillis(1), 4096)).segmentBytes(16384)
                .durabilityListener(listener).open()) {
            AtomicReference<Throwable> failed = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean flusher = t == 0;
                Thread th = new Thread(() -> {
                    try {
                        byte[] p = new byte[200];
                        for (int i = 1; i <= 15_000; i++) {
                            b.appendAsync("s", 0, p);
                            if (flusher && i % 7 == 0) {
                                b.flush();
                            }
                        }
                    } catch (Exception | Error e) {
                        failed.set(e);
                    }
                });
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join();
            }
            assertEquals(null, failed.get());
            b.flush();
            last = b.lastSequence("s");
        }
        synchronized (calls) {
            assertTrue(regressions.isEmpty(), "the listener went backwards: " + regressions + " in " + heard[0]
                    + " calls");
            assertEquals(last, lastHeard[0], "the last call names the highest durable sequence");
        }
    }
}
