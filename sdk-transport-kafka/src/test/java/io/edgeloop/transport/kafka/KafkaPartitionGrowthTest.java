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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The topic's partition count grows while a device keeps sending: its newer records go to another partition and a
 * consumer group meets them before the older ones still waiting behind other devices' records in the old partition.
 */
class KafkaPartitionGrowthTest {
    private static final int NEW_RECORDS = 2000;

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

        Map<Long, Integer> times = new HashMap<>();
        long skipped;
        long late;
        try (KafkaSensorSource in = new KafkaSensorSource(ComponentConfig.of(Map.of("uri", uri, "group",
                "growth", "max-poll-records", "500")))) {
            long total = 100 + NEW_RECORDS + 40 * 500;
            long delivered = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (delivered < total && System.nanoTime() < deadline) {
                List<SensorRecord> got = in.poll(500, Duration.ofMillis(500));
                delivered += got.size();
                for (SensorRecord r : got) {
                    if (r.deviceId().equals(moved)) {
                        times.merge(r.sequence(), 1, Integer::sum);
                    }
                }
                in.commit();
            }
            assertEquals(0, in.duplicatesDropped(), "nothing was sent twice, so nothing is a duplicate");
            skipped = in.sequencesSkipped();
            late = in.sequencesArrivedLate();
        }
        List<Long> missing = new ArrayList<>();
        for (long s = 1; s <= 100 + NEW_RECORDS; s++) {
            if (!times.containsKey(s)) {
                missing.add(s);
            }
        }
        assertTrue(missing.isEmpty(), "records of " + moved + " never delivered: " + missing + " (sequences skipped "
                + skipped + ", arrived late " + late + ")");
        times.forEach((s, n) -> assertEquals(1, n, "sequence " + s + " delivered " + n + " times"));
        assertEquals(skipped, late, "every sequence the filter moved past arrived later");
        System.out.println("partition growth: sequences skipped " + skipped + ", arrived late " + late);
    }
}
