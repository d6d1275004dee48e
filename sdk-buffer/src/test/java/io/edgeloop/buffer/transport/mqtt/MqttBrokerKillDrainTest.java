package io.edgeloop.buffer.transport.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.Appended;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.policy.Durability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figure: mosquitto is killed with SIGKILL and restarted several times while a drain runs through the
 * {@code mqtt} transport: the device's {@link DurableBuffer} drained by its {@link Forwarder}.
 *
 * <p>What "acknowledged" means here. The transport's acknowledgement is the broker's PUBACK, and the drain moves
 * past a batch only after it. mosquitto writes a QoS 1 message to every connected subscriber's socket before it
 * sends the publisher's PUBACK (it writes packets as it queues them), but it keeps its own state in memory and
 * saves it only after an event-loop pass (here {@code autosave_on_changes true}, {@code autosave_interval 1}, the
 * most eager setting; the Debian default is every 30 minutes). So a PUBACK means "delivered to the subscriber's
 * socket" only while the subscriber is connected <em>and</em> the broker is not holding messages back for it:
 * mosquitto writes at most {@code max_inflight_messages} (default 20) unacknowledged messages to a subscriber and
 * queues the rest in memory until its next save. A subscriber that falls that far behind (a loaded machine: one
 * run with two busy loops on 2 cores had 460 acknowledged records not at the connected subscriber at a kill)
 * leaves acknowledged messages in no socket, and a kill before the save loses them: with the subscriber slowed
 * to 20 ms a message, 40 records acknowledged 5 ms before a kill were lost, the likely cause of the 40 lost once
 * in a full module build. That is the broker's persistence, not the drain, so the test enforces its premise: the broker has
 * no in-flight window ({@code max_inflight_messages 0}), and before each kill the drain's sends are held until
 * the subscriber is connected and holds every record acknowledged so far; the kill then comes as the next batch
 * is sent. After each kill, with the subscriber's connection read to its end, the test checks the premise:
 * everything acknowledged so far is at the subscriber. The subscriber records each message before acknowledging
 * it and before reading the next one ({@link SyncSubscriber}; a client that queues messages for a callback
 * thread can drop queued ones when the connection dies). It has a persistent session, so messages the broker
 * saved while it was away are delivered after a restart.
 *
 * <p>Asserted: (1) every record was acknowledged, that is the drain never skips one; (2) every acknowledged
 * record reached the subscriber; (3) everything received is intact and one of ours; (4) duplicates (re-sent
 * batches without PUBACK, and broker redeliveries after restarts) are byte-identical copies of the same key, so
 * dropping by idempotency key leaves exactly one of each.
 */
class MqttBrokerKillDrainTest {
    static final int RECORDS = 4000;
    static final int BATCH = 20;
    static final int KILLS = 3;
    /** Records the appender may run ahead of a kill point before that kill has happened. */
    static final int GATE = 10 * BATCH;

    @TempDir
    Path dir;

    static int distinct(List<Envelope> es) {
        return (int) es.stream().map(Envelope::key).distinct().count();
    }

    /**
     * Holds the appender before record {@code next} while a kill whose point lies more than {@link #GATE} records
     * back has not happened yet.
     */
    private static void awaitKillBefore(long next, long[] targets, AtomicInteger killsDone,
            AtomicReference<Throwable> killerFailure, AckLedger ledger) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (int k = killsDone.get(); k < targets.length && next > targets[k] + GATE; k = killsDone.get()) {
            assertEquals(null, killerFailure.get(), "the killer failed");
            assertTrue(System.nanoTime() < deadline, "kill " + (k + 1) + " at " + targets[k]
                    + " acknowledged records did not happen; acknowledged: " + ledger.acknowledged());
            Thread.sleep(1);
        }
    }

    @Test
    @DisplayName("drains through SIGKILLed and restarted brokers: nothing acknowledged is lost, duplicates are"
            + " removable by key")
    void drainSurvivesBrokerKills() throws Exception {
        // Separate seeded generators: one thread draws payloads, the other kill points and pauses, so neither
        // sequence depends on how the two threads interleave.
        Random random = new Random(20261129L);
        Random killRandom = new Random(20261130L);
        long[] targets = new long[KILLS];
        int[] pauses = new int[KILLS];
        for (int k = 0; k < KILLS; k++) {
            targets[k] = (long) (RECORDS * (k + 1) / (KILLS + 1.0)) + killRandom.nextInt(RECORDS / (KILLS * 3));
            pauses[k] = 100 + killRandom.nextInt(400);
        }
        Map<IdempotencyKey, Envelope> byKey = new HashMap<>();
        AtomicInteger incarnation = new AtomicInteger(1);
        AtomicInteger killsDone = new AtomicInteger();
        AtomicReference<Throwable> killerFailure = new AtomicReference<>();
        List<Long> killNanos = new ArrayList<>();
        List<String> killReports = new CopyOnWriteArrayList<>();
        List<String> premiseBroken = new CopyOnWriteArrayList<>();
        // No in-flight window towards the subscriber: with mosquitto's default of 20, a subscriber 20 messages
        // behind gets the next ones queued in the broker's memory, and their PUBACK does not mean "at the subscriber".
        try (MosquittoBroker broker = MosquittoBroker.start(Files.createDirectories(dir.resolve("broker")), true,
                "allow_anonymous true\nmax_inflight_messages 0\n");
                SyncSubscriber sub = new SyncSubscriber(broker.port(), "plant/vibration");
                DurableBuffer buffer = DurableBuffer.builder().directory(dir.resolve("device")).deviceId("device-7")
                        .durability(Durability.groupCommit(Duration.ofMillis(5), 1 << 20)).open();
                AckLedger ledger = new AckLedger(new MqttTransportProvider().create(ComponentConfig.of(Map.of(
                        "uri", broker.uri("plant/vibration"), "compression", "lz4", "connect-timeout", "2s",
                        "publish-timeout", "2s"))), incarnation::get)) {
            // The persistent session must exist before the first publish, or the broker has nobody to queue for.
            sub.awaitSubscribed(60_000);
            // The killer waits for the drain to reach a seeded point, kills, waits a moment, restarts. The appender
            // below never runs more than GATE records past the next kill point before that kill happened, so the
            // drain cannot finish before the killer (however slowly it is scheduled) got all its kills in, and
            // records are still in flight when each kill comes.
            Thread killer = new Thread(() -> {
                try {
                    for (int k = 0; k < KILLS; k++) {
                        while (ledger.acknowledged() < targets[k]) {
                            Thread.sleep(1);
                        }
                        // The premise, enforced: no publish starts until the subscriber is connected and holds
                        // every record acknowledged so far, so the broker keeps no acknowledged message that only
                        // its memory holds; then the kill comes as the next batch is sent.
                        long started;
                        ledger.hold(60_000);
                        try {
                            sub.awaitSubscribed(60_000);
                            sub.awaitKeys(ledger.acks().keySet(), 60_000);
                        } finally {
                            started = ledger.release();
                        }
                        ledger.awaitStartedMoreThan(started, 1_000);
                        boolean connected = sub.isSubscribed();
                        int had = sub.keys().size();
                        synchronized (killNanos) {
                            broker.kill();
                            killNanos.add(System.nanoTime());
                            incarnation.incrementAndGet();
                        }
                        killsDone.incrementAndGet();
                        Thread.sleep(pauses[k]);
                        // No broker runs now, and the subscriber read its connection to the end: every record
                        // acknowledged so far must be at the subscriber
                        sub.awaitDisconnected(60_000);
                        Set<IdempotencyKey> acked = ledger.acks().keySet();
                        List<String> notThere = new ArrayList<>();
                        Set<IdempotencyKey> there = sub.keys();
                        for (IdempotencyKey key : acked) {
                            if (!there.contains(key)) {
                                notThere.add(key.toString());
                            }
                        }
                        Collections.sort(notThere);
                        String report = String.format("kill %d: acknowledged=%d subscriber-connected=%s"
                                + " subscriber-had=%d acknowledged-but-not-at-subscriber=%d %s", k + 1,
                                acked.size(), connected, had, notThere.size(), notThere.subList(0,
                                        Math.min(3, notThere.size())));
                        killReports.add(report);
                        if (!notThere.isEmpty()) {
                            premiseBroken.add(report);
                        }
                        broker.startProcess();
                    }
                } catch (Throwable e) {
                    killerFailure.set(e);
                }
            }, "broker-killer");
            killer.setDaemon(true);
            killer.start();

            // The product's drain: the device's durable buffer, its Forwarder, the mqtt transport.
            try (Forwarder forwarder = Forwarder.builder().source(buffer, "mqtt").transport(ledger)
                    .batching(BATCH, 1 << 20, Duration.ofMillis(5))
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(500), 0.5, 7).build().start()) {
                // Appends in groups of BATCH that share one group commit, paced so the drain spans the kills.
                for (int i = 1; i <= RECORDS; i += BATCH) {
                    awaitKillBefore(i, targets, killsDone, killerFailure, ledger);
                    List<CompletableFuture<Appended>> group = new ArrayList<>();
                    List<byte[]> payloads = new ArrayList<>();
                    for (int j = i; j < i + BATCH && j <= RECORDS; j++) {
                        byte[] payload = new byte[200];
                        random.nextBytes(payload);
                        payloads.add(payload);
                        group.add(buffer.appendAsync("vibration", j % 10, payload));
                    }
                    for (int j = 0; j < group.size(); j++) {
                        Appended a = group.get(j).get();
                        byKey.put(a.key(), new Envelope(a.key(), a.timestampMillis(), (i + j) % 10, payloads.get(j)));
                    }
                    Thread.sleep(2);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (ledger.acknowledged() < RECORDS) {
                    assertTrue(System.nanoTime() < deadline, "drain did not finish: " + ledger.acknowledged()
                            + " of " + RECORDS + " acknowledged, " + forwarder.stats());
                    Thread.sleep(10);
                }
                killer.join(60_000);
                assertEquals(null, killerFailure.get(), "the killer failed");
                assertFalse(killer.isAlive(), "the killer did not finish its restarts");
            }
            // Everything acknowledged is already at the subscriber or saved by the broker for its session.
            long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < wait && distinct(sub.envelopes()) < RECORDS) {
                Thread.sleep(20);
            }

            // (1) every record acknowledged
            Map<IdempotencyKey, AckLedger.Ack> acks = ledger.acks();
            assertEquals(RECORDS, acks.size());
            // (2) intact and ours; (3) duplicates are byte-identical copies
            assertTrue(sub.problems().isEmpty(), sub.problems().toString());
            Map<IdempotencyKey, Envelope> received = new HashMap<>();
            int copies = 0;
            for (Envelope e : sub.envelopes()) {
                Envelope original = byKey.get(e.key());
                assertTrue(original != null, "received a record that was never sent: " + e.key());
                assertArrayEquals(original.payloadBytes(), e.payloadBytes(), "payload of " + e.key());
                assertEquals(original.timestampMillis(), e.timestampMillis());
                if (received.put(e.key(), e) != null) {
                    copies++;
                }
            }
            List<String> lost = new ArrayList<>();
            for (IdempotencyKey k : acks.keySet()) {
                if (!received.containsKey(k)) {
                    lost.add(k.toString());
                }
            }
            System.out.printf("mqtt broker kill drain: records=%d kills=%d send-failures=%d received=%d distinct=%d"
                    + " duplicates=%d lost=%d subscriber-connections=%d%n", RECORDS, killNanos.size(), ledger.failures(),
                    sub.envelopes().size(), received.size(), copies, lost.size(), sub.connections());
            killReports.forEach(System.out::println);
            assertEquals(KILLS, killNanos.size(), "the broker was killed during the drain");
            assertTrue(ledger.failures() >= KILLS, "the kills interrupted sends");
            // Checked before the loss, which it would explain: then the broker, not the drain, kept acknowledged
            // messages only in memory, and whether they survived was up to its autosave.
            assertTrue(premiseBroken.isEmpty(), "the test's premise broke: acknowledged records were not at the"
                    + " connected subscriber when the broker was killed: " + premiseBroken);
            assertTrue(lost.isEmpty(), "acknowledged records missing at the subscriber: "
                    + lost.size() + " e.g. " + lost.subList(0, Math.min(5, lost.size())) + "\n" + killReports
                    + "\n" + broker.log().lines().skip(Math.max(0, broker.log().lines().count() - 40))
                            .reduce("", (x, y) -> x + "\n" + y));
            assertEquals(received.size() + copies, sub.envelopes().size());
        }
    }
}
