package io.edgeloop.buffer.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.policy.Durability;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record refused as never acceptable with no later record to probe the receiver with is kept and retried; the
 * ERROR saying so was logged on every retry (8 lines in 30 s from a gateway with such a record last in its buffer,
 * then one per backoff for as long as it stayed last). Now once per record, the retries at DEBUG.
 */
class KeptRefusalLogTest {
    private static final String KEPT = "refused and no later record accepted";

    @TempDir
    Path dir;

    /** Refuses every record whose payload starts with 'x' as never acceptable; takes the others. */
    static final class RefusingX implements Transport {
        final List<Envelope> received = new ArrayList<>();

        @Override
        public synchronized void send(Batch batch) throws TransportException {
            for (Envelope e : batch.envelopes()) {
                if (e.payloadBytes().length > 0 && e.payloadBytes()[0] == 'x') {
                    throw new TransportException("record " + e.key() + " is refused", false);
                }
            }
            received.addAll(batch.envelopes());
        }

        synchronized int count() {
            return received.size();
        }

        @Override
        public void close() {
        }
    }

    @Test
    @DisplayName("a refused record with no accepted record after it is logged at ERROR once, not on every retry")
    void keptRefusalIsLoggedOncePerRecord() throws Exception {
        PrintStream before = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        RefusingX transport = new RefusingX();
        ForwarderStats stats;
        try (DurableBuffer b = DurableBuffer.builder().directory(dir.resolve("buf")).deviceId("d")
                .durability(Durability.always()).open();
                Forwarder f = Forwarder.builder().source(b, "up").transport(transport)
                        .batching(50, 1 << 20, Duration.ZERO)
                        .backoff(Duration.ofMillis(5), Duration.ofMillis(20), 0.5, 1).build().start()) {
            b.append("s", "good".getBytes(StandardCharsets.UTF_8));
            b.append("s", "x-first".getBytes(StandardCharsets.UTF_8));
            await(() -> f.stats().failedAttempts() >= 8, () -> "8 failed attempts: " + f.stats());
            // a later record refused as well: the probe with it fails, and the first record is kept, as before
            b.append("s", "x-second".getBytes(StandardCharsets.UTF_8));
            long after = f.stats().failedAttempts();
            await(() -> f.stats().failedAttempts() >= after + 16, () -> "16 more failed attempts: " + f.stats());
            stats = f.stats();
        } finally {
            System.setErr(before);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        List<String> kept = log.lines().filter(l -> l.contains(KEPT) && l.contains("ERROR")).toList();
        assertEquals(1, transport.count(), "only the good record is taken: " + stats);
        assertEquals(0, stats.recordsRejected(), "nothing skipped: no later record was accepted");
        // before: one ERROR per retry, at least 8 + 16 of them
        assertEquals(1, kept.size(), "one ERROR for the refused record, however often it is retried: " + log);
        assertTrue(kept.get(0).contains("/2 refused"), kept.get(0));
    }

    /** Waits for {@code condition}; {@code what} is evaluated at the timeout, so it shows the state then. */
    private static void await(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> "waited 60 s for " + what.get());
            Thread.sleep(5);
        }
    }
}
