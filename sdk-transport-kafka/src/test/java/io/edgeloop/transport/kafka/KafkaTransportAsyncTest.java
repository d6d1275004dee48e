package io.edgeloop.transport.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.transport.kafka.publish.KafkaTransport;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link KafkaTransport#sendAsync} hands its batches to a thread of the transport and never blocks its caller,
 * not even while the producer waits for metadata from a cluster that is not there; against a real broker it keeps
 * the order of the batches one thread queued; close() ends the queued ones and leaves no thread behind.
 */
class KafkaTransportAsyncTest {
    private static final String HAND_OFF = "edgeloop-kafka-handoff";

    private static String nothingListening() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "kafka://127.0.0.1:" + s.getLocalPort() + "/t"; // closed again: nothing listens there
        }
    }

    private static KafkaTransport transport(String uri, String... kv) {
        Map<String, String> m = new HashMap<>(Map.of("uri", uri));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return new KafkaTransport(ComponentConfig.of(m));
    }

    private static Throwable failureOf(CompletableFuture<Void> f) {
        return assertThrows(CompletionException.class, f::join).getCause();
    }

    /** Waits until this transport's hand-off thread is inside the Kafka producer (waiting for metadata). */
    private static void awaitHandOffInProducer() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Thread.getAllStackTraces().entrySet().stream().noneMatch(e -> e.getKey().getName().startsWith(HAND_OFF)
                && Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().startsWith(
                        "org.apache.kafka.clients.producer")))) {
            assertTrue(System.nanoTime() < deadline, "the hand-off thread never entered the producer");
            Thread.sleep(10);
        }
    }

    private static Set<Thread> transportThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive()
                && (t.getName().startsWith("kafka-") || t.getName().startsWith(HAND_OFF))).collect(Collectors.toSet());
    }

    @Test
    @DisplayName("sendAsync returns at once with nothing listening; each future fails retryably after the timeout")
    void sendAsyncDoesNotBlockWhileTheClusterIsUnreachable() throws Exception {
        Duration timeout = Duration.ofSeconds(5);
        try (KafkaTransport t = transport(nothingListening(), "timeout", "5s")) {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            List<Long> callMillis = new ArrayList<>();
            long firstCall = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                futures.add(t.sendAsync(SensorEnvelopes.batch("d", 1 + i * 2L, 2)));
                callMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
            // Before the hand-off each call waited for the metadata, up to the timeout (5 s here): a bound far below
            // that, and far above a slow shared machine's scheduling hiccups.
            for (long ms : callMillis) {
                assertTrue(ms < 1000, "sendAsync blocked its caller: calls took " + callMillis + " ms");
            }
            for (CompletableFuture<Void> f : futures) {
                assertFalse(f.isDone(), "no metadata can have come yet, nor the timeout passed");
            }
            List<Long> failedAfter = new ArrayList<>();
            for (CompletableFuture<Void> f : futures) {
                Throwable e = failureOf(f);
                failedAfter.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstCall));
                assertTrue(e instanceof TransportException te && te.isRetryable(), "expected a retryable"
                        + " TransportException, got " + e);
            }
            System.out.printf("sendAsync with nothing listening, timeout=%s: calls took %s ms, futures failed after"
                    + " %s ms%n", timeout, callMillis, failedAfter);
            for (long ms : failedAfter) {
                assertTrue(ms >= timeout.toMillis() - 50 && ms < timeout.toMillis() + 10_000,
                        "each future fails about the timeout after its call: " + failedAfter);
            }
        }
    }

    @Test
    @DisplayName("sendAsync fails at once, retryably, when async-queue batches already wait for the hand-off thread")
    void fullQueueFailsRetryablyAtOnce() throws Exception {
        try (KafkaTransport t = transport(nothingListening(), "timeout", "60s", "async-queue", "2")) {
            CompletableFuture<Void> first = t.sendAsync(SensorEnvelopes.batch("q", 1, 1));
            awaitHandOffInProducer(); // the first batch has left the queue and waits for metadata
            CompletableFuture<Void> second = t.sendAsync(SensorEnvelopes.batch("q", 2, 1));
            CompletableFuture<Void> third = t.sendAsync(SensorEnvelopes.batch("q", 3, 1));
            long start = System.nanoTime();
            CompletableFuture<Void> refused = t.sendAsync(SensorEnvelopes.batch("q", 4, 1));
            assertTrue(refused.isDone(), "a full queue must fail the call's future at once");
            Throwable e = failureOf(refused);
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 1000);
            assertTrue(e instanceof TransportException te && te.isRetryable(), String.valueOf(e));
            assertTrue(e.getMessage().contains("async-queue"), e.getMessage());
            assertFalse(first.isDone() || second.isDone() || third.isDone());
        }
    }

    @Test
    @DisplayName("close() fails every queued and waiting sendAsync future with IllegalStateException and leaves no"
            + " kafka-* or hand-off thread")
    void closeEndsQueuedBatchesAndStopsItsThreads() throws Exception {
        Set<Thread> before = transportThreads();
        KafkaTransport t = transport(nothingListening(), "timeout", "60s");
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        futures.add(t.sendAsync(SensorEnvelopes.batch("c", 1, 2)));
        awaitHandOffInProducer();
        for (int i = 1; i < 20; i++) {
            futures.add(t.sendAsync(SensorEnvelopes.batch("c", 1 + i * 2L, 2)));
        }
        long start = System.nanoTime();
        t.close();
        t.close(); // idempotent
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        for (CompletableFuture<Void> f : futures) {
            assertTrue(f.isDone(), "close() must end every future it leaves unacknowledged");
            Throwable e = failureOf(f);
            assertTrue(e instanceof IllegalStateException, "a batch ended by close() must fail with"
                    + " IllegalStateException (not retryable on this instance), got " + e);
            assertTrue(e.getMessage().contains("closed during a send"), e.getMessage());
        }
        Set<Thread> left = transportThreads();
        left.removeAll(before);
        assertTrue(left.isEmpty(), "close() left threads running: " + left);
        assertTrue(closeMillis < 15_000, "close took " + closeMillis + " ms");
        Throwable after = failureOf(t.sendAsync(SensorEnvelopes.batch("c", 99, 1)));
        assertTrue(after instanceof IllegalStateException, String.valueOf(after));
    }

    @Test
    @DisplayName("keeps the order of many batches one thread queued with sendAsync, per device, on a real broker")
    void keepsOrderAcrossManySendAsyncCalls() throws Exception {
        String topic = "async-order";
        SharedBroker.get().createTopic(topic, 3);
        int devices = 5;
        int batchesPerDevice = 60;
        int batchSize = 7;
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        // A new transport: the first batches queue up behind the metadata fetch, the rest pipeline.
        try (KafkaTransport t = transport(SharedBroker.get().uri(topic), "timeout", "30s")) {
            for (int b = 0; b < batchesPerDevice; b++) {
                for (int d = 0; d < devices; d++) {
                    futures.add(t.sendAsync(SensorEnvelopes.batch("o-" + d, 1 + (long) b * batchSize, batchSize)));
                }
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        }
        Map<String, Long> last = new HashMap<>();
        int count = 0;
        for (Envelope e : SharedBroker.envelopes(topic)) {
            Long prev = last.put(e.key().deviceId(), e.key().sequence());
            assertEquals(prev == null ? 1 : prev + 1, e.key().sequence(), "order of " + e.key().deviceId());
            count++;
        }
        assertEquals(devices * batchesPerDevice * batchSize, count);
    }

    @Test
    @DisplayName("refuses an async-queue that is not 1 to 1000000 batches")
    void refusesInvalidQueueSize() throws Exception {
        String uri = nothingListening();
        assertEquals("async-queue", assertThrows(ConfigException.class,
                () -> transport(uri, "async-queue", "0")).key());
        assertEquals("async-queue", assertThrows(ConfigException.class,
                () -> transport(uri, "async-queue", "many")).key());
    }
}
