package io.edgeloop.transport.kafka;

import io.edgeloop.api.transport.Envelope;
import io.edgeloop.transport.kafka.broker.LocalKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One real single-node KRaft broker for all tests of this module (started on first use, a child JVM built from
 * the test class path), plus a raw reader of whole topics. Test classes run one after another, so a test may kill
 * and restart it.
 */
final class SharedBroker {
    private static LocalKafkaBroker broker;

    private SharedBroker() {
    }

    static synchronized LocalKafkaBroker get() {
        if (broker == null) {
            try {
                LocalKafkaBroker b = LocalKafkaBroker.builder().build();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        b.close();
                    } catch (IOException e) {
                        System.err.println("closing the test broker failed: " + e);
                    }
                }));
                b.start();
                broker = b;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            broker.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return broker;
    }

    /** Reads every record of a topic from the beginning to its current end, as raw records. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, get().bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo pi : c.partitionsFor(topic, Duration.ofSeconds(30))) {
                tps.add(new TopicPartition(topic, pi.partition()));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!reached(c, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** Reads every record of a topic and rebuilds the envelopes. */
    static List<Envelope> envelopes(String topic) {
        List<Envelope> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
            out.add(KafkaHeaders.toEnvelope(r));
        }
        return out;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (c.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
