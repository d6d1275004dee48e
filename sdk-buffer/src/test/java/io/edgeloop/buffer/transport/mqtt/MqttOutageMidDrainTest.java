package io.edgeloop.buffer.transport.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.buffer.Appended;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.policy.Durability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One broker outage in the middle of a drain, with a batch certainly in flight: every record is appended first,
 * the {@link Forwarder} drains them through the {@code mqtt} transport, and when it sends batch {@link #KILL_AT}
 * the broker is frozen (SIGSTOP) before the PUBLISH is written, so it can neither take nor acknowledge it; once
 * the forwarder's thread is seen waiting for the PUBACK, the broker is SIGKILLed, left down until the forwarder
 * has failed {@link #FAILED_CONNECTS} more attempts against the closed port, and restarted on the same port with
 * the same persistence file. Nothing in the test tells the forwarder that the broker is back.
 *
 * <p>The subscriber ({@link SyncSubscriber}: persistent session, records each message before acknowledging it)
 * stays subscribed while the drain runs, so a PUBACK means the message was written to its socket (see
 * {@link MqttBrokerKillDrainTest}). A copy it receives more than once is either the broker's own redelivery after
 * the restart (flagged DUP) or, were the drain to send acknowledged records again, a plain second delivery: only
 * records of the batch in flight at the kill may come twice that way.
 */
class MqttOutageMidDrainTest {
    static final int RECORDS = 1000;
    static final int BATCH = 20;
    /** The batch (1-based) during whose send the broker is frozen and killed. */
    static final int KILL_AT = 21;
    /** Sends that must fail against the dead broker before it is restarted ("a while"). */
    static final int FAILED_CONNECTS = 3;

    @TempDir
    Path dir;

    /**
     * The mqtt transport, with a hook run in the sending thread just before the {@link #KILL_AT}-th send reaches
     * it; remembers the keys of every send attempt and of that batch.
     */
    static final class Hooked implements Transport {
        final Transport delegate;
        final Runnable beforeKillBatch;
        final AtomicInteger sends = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        volatile Thread sender;
        volatile Set<IdempotencyKey> inFlight = Set.of();
        /** The keys of every batch the broker acknowledged. */
        final Set<IdempotencyKey> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Hooked(Transport delegate, Runnable beforeKillBatch) {
            this.delegate = delegate;
            this.beforeKillBatch = beforeKillBatch;
        }

        @Override
        public void send(Batch batch) throws TransportException {
            if (sends.incrementAndGet() == KILL_AT) {
                sender = Thread.currentThread();
                inFlight = batch.envelopes().stream().map(Envelope::key).collect(Collectors.toUnmodifiableSet());
                beforeKillBatch.run();
            }
            try {
                delegate.send(batch);
            } catch (TransportException | RuntimeException e) {
                failures.incrementAndGet();
                throw e;
            }
            for (Envelope e : batch.envelopes()) {
                acknowledged.add(e.key());
            }
        }

        @Override
        public boolean isReachable() {
            return delegate.isReachable();
        }

        @Override
        public void close() throws TransportException {
            delegate.close();
        }
    }

    @Test
    @DisplayName("a broker killed with a batch in flight and restarted later: the drain resumes by itself, every"
            + " record arrives, only the batch in flight is sent twice, close() returns at once and leaves no thread")
    void drainResumesAfterMidDrainOutage() throws Exception {
        Random random = new Random(20261202L);
        Map<IdempotencyKey, byte[]> sent = new HashMap<>();
        try (MosquittoBroker broker = MosquittoBroker.start(Files.createDirectories(dir.resolve("broker")), true);
                SyncSubscriber sub = new SyncSubscriber(broker.port(), "plant/outage");
                DurableBuffer buffer = DurableBuffer.builder().directory(dir.resolve("device")).deviceId("device-9")
                        .durability(Durability.groupCommit(Duration.ofMillis(5), 1 << 20)).open()) {
            sub.awaitSubscribed(60_000);
            List<CompletableFuture<Appended>> appends = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                byte[] p = new byte[200];
                random.nextBytes(p);
                payloads.add(p);
                appends.add(buffer.appendAsync("vibration", i % 10, p));
            }
            for (int i = 0; i < RECORDS; i++) {
                sent.put(appends.get(i).get(60, TimeUnit.SECONDS).key(), payloads.get(i));
            }
            Set<Thread> before = Thread.getAllStackTraces().keySet();

            Hooked transport = new Hooked(new MqttTransportProvider().create(ComponentConfig.of(Map.of(
                    "uri", broker.uri("plant/outage"), "connect-timeout", "2s", "publish-timeout", "30s"))), () -> {
                        try {
                            broker.pause();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
            Forwarder forwarder = Forwarder.builder().source(buffer, "mqtt").transport(transport)
                    .batching(BATCH, 1 << 20, Duration.ofMillis(5))
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(500), 0.5, 7).build().start();
            try {
                // the forwarder's thread is inside the in-flight send, waiting for the frozen broker's PUBACK
                await(() -> transport.sender != null && waitsForPuback(transport.sender),
                        "the forwarder to wait for the PUBACK of batch " + KILL_AT, transport, forwarder, broker);
                assertEquals((KILL_AT - 1) * BATCH, forwarder.stats().recordsAcknowledged(), "batch " + KILL_AT
                        + " is in flight, none after it");
                broker.kill();
                await(() -> transport.failures.get() >= 1 + FAILED_CONNECTS, FAILED_CONNECTS
                        + " sends to fail against the dead broker", transport, forwarder, broker);
                assertEquals((KILL_AT - 1) * BATCH, forwarder.stats().recordsAcknowledged(), "nothing is acknowledged"
                        + " while the broker is down");
                broker.startProcess();
                // the drain resumes by itself: nobody calls wakeUp(); it ends when the cursor has committed
                // everything (the buffer holds nothing unacknowledged), whether or not the broker acknowledged it all
                await(() -> buffer.metrics().bytesUnacknowledged() == 0, "the drain to finish after the restart",
                        transport, forwarder, broker);
            } finally {
                closeWithin60s(() -> {
                    forwarder.close();
                    transport.close();
                });
            }
            assertNoThreadLeft(before);

            // the drain moved past a record only once the broker acknowledged it
            Set<IdempotencyKey> unacknowledged = new HashSet<>(sent.keySet());
            unacknowledged.removeAll(transport.acknowledged);
            assertTrue(unacknowledged.isEmpty(), unacknowledged.size() + " records were committed without a PUBACK,"
                    + " e.g. " + unacknowledged.stream().limit(5).toList());
            assertEquals(RECORDS, forwarder.stats().recordsAcknowledged());
            // every record arrives at least once; nothing acknowledged is lost (a PUBACK came after the message was
            // written to the subscriber's socket, so this wait ends at once unless a message was lost)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (distinct(sub.envelopes()) < RECORDS && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<Envelope> got = sub.envelopes();
            assertTrue(sub.problems().isEmpty(), sub.problems().toString());
            Map<IdempotencyKey, Integer> copies = new HashMap<>();
            for (Envelope e : got) {
                byte[] original = sent.get(e.key());
                assertTrue(original != null, "received a record that was never appended: " + e.key());
                assertArrayEquals(original, e.payloadBytes(), "payload of " + e.key());
                copies.merge(e.key(), 1, Integer::sum);
            }
            Set<IdempotencyKey> missing = new HashSet<>(sent.keySet());
            missing.removeAll(copies.keySet());
            assertTrue(missing.isEmpty(), missing.size() + " records never arrived, e.g. "
                    + missing.stream().limit(5).toList());
            // duplicates other than the broker's own redeliveries: only the batch in flight at the kill
            for (Envelope e : sub.redelivered()) {
                copies.merge(e.key(), -1, Integer::sum);
            }
            Set<IdempotencyKey> resent = copies.entrySet().stream().filter(x -> x.getValue() > 1)
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
            resent.removeAll(transport.inFlight);
            assertTrue(resent.isEmpty(), resent.size() + " records outside the batch in flight at the kill were"
                    + " delivered twice, e.g. " + resent.stream().limit(5).toList());
            assertEquals(RECORDS / BATCH + transport.failures.get(), transport.sends.get(),
                    "sends: one per batch, plus one per failure");
            System.out.printf("mqtt outage mid-drain: records=%d sends=%d failures=%d received=%d redelivered=%d%n",
                    RECORDS, transport.sends.get(), transport.failures.get(), got.size(), sub.redelivered().size());
        }
    }

    /** A close that throws or runs for longer than 60 s fails the test. */
    interface Closing {
        void run() throws Exception;
    }

    private static void closeWithin60s(Closing closing) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                closing.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "test-close");
        t.start();
        done.get(60, TimeUnit.SECONDS);
        t.join(60_000);
    }

    /**
     * Fails when a thread started since {@code before} is still alive (the JDK's process reaper, which runs kill and
     * mosquitto, is not ours).
     */
    private static void assertNoThreadLeft(Set<Thread> before) {
        Set<Thread> left = new HashSet<>(Thread.getAllStackTraces().keySet());
        left.removeAll(before);
        left.removeIf(t -> !t.isAlive() || t.getName().startsWith("process reaper"));
        assertTrue(left.isEmpty(), "threads left after close(): " + left);
    }

    /** Whether {@code t} is blocked in the mqtt transport's wait for a PUBACK. */
    private static boolean waitsForPuback(Thread t) {
        return Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().equals(MqttTransport.class.getName())
                && f.getMethodName().equals("awaitPuback"));
    }

    private static int distinct(List<Envelope> es) {
        return (int) es.stream().map(Envelope::key).distinct().count();
    }

    private static void await(BooleanSupplier condition, String what, Hooked transport, Forwarder forwarder,
            MosquittoBroker broker) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited 60 s for " + what + ": sends " + transport.sends.get()
                    + ", failures " + transport.failures.get() + ", " + forwarder.stats() + "\n" + broker.log());
            Thread.sleep(2);
        }
    }

    @Test
    @DisplayName("close() during a send to a frozen broker returns after the shutdown grace, keeps the batch, and"
            + " leaves no thread")
    void closeDoesNotHangOnFrozenBroker() throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start(Files.createDirectories(dir.resolve("broker")), false);
                DurableBuffer buffer = DurableBuffer.builder().directory(dir.resolve("device")).deviceId("device-9")
                        .open()) {
            for (int i = 0; i < 3 * BATCH; i++) {
                buffer.append("vibration", new byte[50]);
            }
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            Hooked transport = new Hooked(new MqttTransportProvider().create(ComponentConfig.of(Map.of(
                    "uri", broker.uri("plant/outage"), "publish-timeout", "10m"))), () -> {
                        try {
                            broker.pause();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
            Forwarder forwarder = Forwarder.builder().source(buffer, "mqtt").transport(transport)
                    .batching(1, 1 << 20, Duration.ZERO).shutdownGrace(Duration.ofMillis(200)).build().start();
            try {
                await(() -> transport.sender != null && waitsForPuback(transport.sender),
                        "the forwarder to wait for the PUBACK of batch " + KILL_AT, transport, forwarder, broker);
            } finally {
                closeWithin60s(forwarder::close);
            }
            assertFalse(transport.sender.isAlive(), "the forwarder's thread ended");
            assertEquals(KILL_AT - 1, forwarder.stats().recordsAcknowledged());
            assertEquals(1, transport.failures.get(), "the send in flight failed when close() closed the transport");
            assertNoThreadLeft(before);
            broker.kill();
            try (Forwarder again = Forwarder.builder().source(buffer, "mqtt").transport(new MqttTransportProvider()
                    .create(ComponentConfig.of(Map.of("uri", broker.uri("plant/outage"))))).build()) {
                broker.startProcess();
                assertTrue(again.drainAvailable(Duration.ofSeconds(60)), "the batch in flight was kept");
                assertEquals(3 * BATCH - KILL_AT + 1, again.stats().recordsAcknowledged());
            }
        }
    }
}
