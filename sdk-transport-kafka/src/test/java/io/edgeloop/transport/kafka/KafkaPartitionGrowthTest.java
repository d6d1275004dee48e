package io.edgeloop.transport.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.transport.kafka.ingest.KafkaSensorSource;
import io.edgeloop.transport.kafka.publish.KafkaTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The topic's partition count grows while a device keeps sending: its newer records go to another partition and a
 * consumer group meets them before the older ones still waiting behind other devices' records in the old partition.
 */
class KafkaPartitionGrowthTest {
    private static final int NEW_RECORDS = 2000;
    /**
     * Only a stalled consumer meets this bound: a run whose source drops records stops as soon as the group has
     * committed the topic's end. A passing run reads the 22,100 records in under a second (0.8 s in the full module
     * suite on the shared 2-core machine), so 60 s is the house liveness bound with a wide margin.
     */
    private static final Duration READ_BOUND = Duration.ofSeconds(60);

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartitionInfo p : admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                .partitions()) {
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> end = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
        admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
        return end;
    }

    private static Map<TopicPartition, Long> committedOffsets(Admin admin, String group) throws Exception {
        Map<TopicPartition, Long> out = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((tp, o) -> {
            if (o != null) {
                out.put(tp, o.offset());
            }
        });
        return out;
    }

    private static boolean caughtUp(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (committed.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The sequences as ranges, "[101-2100, 2105]", at most the first 20 ranges. */
    private static String ranges(List<Long> sorted) {
        StringJoiner out = new StringJoiner(", ", "[", "]");
        int shown = 0;
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            if (shown++ == 20) {
                out.add("...");
                break;
            }
            out.add(i == j ? Long.toString(sorted.get(i)) : sorted.get(i) + "-" + sorted.get(j));
            i = j + 1;
        }
        return out.toString();
    }

    private static int partitionOf(String device, int partitions) {
        return Utils.toPositive(Utils.murmur2(device.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static String deviceInPartition(String prefix, int partition, int partitions, int skip) {
        int found = 0;
        for (int i = 0;; i++) {
            if (partitionOf(prefix + i, partitions) == partition && found++ == skip) {
                return prefix + i;
            }
        }
    }

    private static void send(KafkaTransport t, String device, long first, long last) throws Exception {
        for (long s = first; s <= last; s += 500) {
            t.send(SensorEnvelopes.batch(device, s, (int) Math.min(500, last - s + 1)));
        }
    }

    @Test
    @DisplayName("a device that moves partition when the topic grows gets every record delivered once, the older"
            + " ones read after the newer")
    void deliversEveryRecordOfAMovedDevice() throws Exception {
        String topic = "grows";
        SharedBroker.get().createTopic(topic, 1);
        String uri = SharedBroker.get().uri(topic);
        String moved = deviceInPartition("moved-", 1, 2, 0);
        try (KafkaTransport t = new KafkaTransport(ComponentConfig.of(Map.of("uri", uri)))) {
            send(t, moved, 1, 50);
            for (int d = 0; d < 40; d++) {
                send(t, deviceInPartition("other-", 0, 2, d), 1, 500);
            }
            send(t, moved, 51, 100);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedBroker.get().bootstrapServers()))) {
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(2))).all().get();
            // the broker serving metadata learns of the new partition a moment after the controller
            while (admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .filter(p -> p.leader() != null).count() < 2) {
                Thread.sleep(50);
            }
        }
        // a new producer reads the grown partition count
        try (KafkaTransport t = new KafkaTransport(ComponentConfig.of(Map.of("uri", uri)))) {
            send(t, moved, 101, 100 + NEW_RECORDS);
        }
        for (ConsumerRecord<byte[], byte[]> r : SharedBroker.readAll(topic)) {
            IdempotencyKey key = KafkaHeaders.idempotencyKey(r);
            if (key.deviceId().equals(moved)) {
                assertEquals(key.sequence() <= 100 ? 0 : 1, r.partition(), "precondition: " + key + " partition");
            }
        }

        long total = 100 + NEW_RECORDS + 40 * 500;
        Map<Long, Integer> times = new HashMap<>();
        long delivered = 0;
        long dropped;
        long skipped;
        long late;
        String stoppedBecause;
        double readSeconds;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedBroker.get().bootstrapServers()));
                KafkaSensorSource in = new KafkaSensorSource(ComponentConfig.of(Map.of("uri", uri, "group",
                        "growth", "max-poll-records", "500")))) {
            Map<TopicPartition, Long> end = endOffsets(admin, topic);
            assertEquals(total, end.values().stream().mapToLong(Long::longValue).sum(), "precondition: records sent");
            long t0 = System.nanoTime();
            long deadline = t0 + READ_BOUND.toNanos();
            stoppedBecause = null;
            while (delivered < total && stoppedBecause == null) {
                List<SensorRecord> got = in.poll(500, Duration.ofMillis(500));
                delivered += got.size();
                for (SensorRecord r : got) {
                    if (r.deviceId().equals(moved)) {
                        times.merge(r.sequence(), 1, Integer::sum);
                    }
                }
                in.commit();
                // Fewer records than sent once the group has committed every partition's end: the source read the
                // whole topic and dropped some, and waiting longer cannot bring them back.
                if (delivered < total) {
                    Map<TopicPartition, Long> committed = committedOffsets(admin, "growth");
                    if (caughtUp(committed, end)) {
                        stoppedBecause = String.format(Locale.ROOT, "the group committed the topic's end offsets %s"
                                + " after %.1f s", end, (System.nanoTime() - t0) / 1e9);
                    } else if (System.nanoTime() > deadline) {
                        stoppedBecause = "the group had not reached the topic's end offsets " + end + " after "
                                + READ_BOUND.toSeconds() + " s (committed " + committed + ")";
                    }
                }
            }
            readSeconds = (System.nanoTime() - t0) / 1e9;
            dropped = in.duplicatesDropped();
            skipped = in.sequencesSkipped();
            late = in.sequencesArrivedLate();
        }
        List<Long> missing = new ArrayList<>();
        for (long s = 1; s <= 100 + NEW_RECORDS; s++) {
            if (!times.containsKey(s)) {
                missing.add(s);
            }
        }
        String summary = "delivered " + delivered + " of " + total + " records; " + moved + " missing "
                + missing.size() + " sequences " + ranges(missing) + "; duplicates dropped " + dropped
                + ", sequences skipped " + skipped + ", arrived late " + late;
        assertTrue(stoppedBecause == null, "stopped reading because " + stoppedBecause + ": " + summary);
        assertEquals(0, dropped, "nothing was sent twice, so nothing is a duplicate: " + summary);
        assertTrue(missing.isEmpty(), "records of " + moved + " never delivered: " + summary);
        times.forEach((s, n) -> assertEquals(1, n, "sequence " + s + " delivered " + n + " times"));
        assertEquals(skipped, late, "every sequence the filter moved past arrived later");
        System.out.println(String.format(Locale.ROOT, "partition growth: read %d records in %.1f s; sequences skipped"
                + " %d, arrived late %d", total, readSeconds, skipped, late));
    }
}
