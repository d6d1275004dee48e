package io.edgeloop.transport.kafka;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A producer plug-in reading a key of its own, as a schema-registry serializer reads {@code schema.registry.url}:
 * it remembers the value of {@link #KEY} its producer was configured with, and counts the records it saw.
 */
public final class KeyRecordingInterceptor implements ProducerInterceptor<byte[], byte[]> {
    /** The plug-in's own setting, not a Kafka one. */
    static final String KEY = "edgeloop.test.registry.url";
    static volatile Object configured;
    static final AtomicInteger RECORDS = new AtomicInteger();

    /** Kafka creates it by reflection. */
    public KeyRecordingInterceptor() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
        configured = configs.get(KEY);
    }

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
        RECORDS.incrementAndGet();
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    }

    @Override
    public void close() {
    }
}
