package io.edgeloop.transport.kafka.ingest;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.record.SensorRecordCodec;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SourceException;
import io.edgeloop.transport.kafka.KafkaClientConfig;
import io.edgeloop.transport.kafka.KafkaEndpoint;
import io.edgeloop.transport.kafka.KafkaHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads ingested sensor records from a Kafka topic as a member of a consumer group, drops redelivered records
 * by idempotency key, and decodes payloads with {@link SensorRecordCodec}, so its output can feed windowing
 * directly.
 *
 * <p>Delivery: {@link #poll} returns at most {@code maxRecords} records and leaves the consumer positioned at
 * the first record it did not return, so nothing fetched is skipped. {@link #commit()} commits, for every
 * assigned partition, the offset after the last record returned (or dropped as a duplicate): call it after
 * processing. Records returned but not committed are delivered again after a restart or when their partition
 * moves to another group member (at-least-once); within one source's life, duplicates are dropped by a
 * {@link DuplicateFilter}.
 *
 * <p>Order: the kafka transport keys records by device, so a device's records sit in one partition in the order
 * published and come out of {@link #poll} in that order, as {@link SensorSource} requires. Two cases break it, and
 * a windower then counts the records as late: after the topic's partition count grew, a device's older records sit
 * in its old partition and may be read after newer ones ({@link #sequencesArrivedLate()} counts them); and a
 * record met again after a rebalance (its partition taken away and given back before a commit) that the duplicate
 * filter no longer remembers (more than {@code dedup.max-streams} streams, or past its window) passes as new, after
 * newer ones.
 *
 * <p>Malformed records (not written by an Edgeloop kafka transport, an unknown format version, a payload that
 * is not a sensor record): with {@code on-malformed=fail} (the default) {@link #poll} first returns the good
 * records before it, then throws {@link SourceException} naming the record, and the consumer stays positioned
 * on it, so nothing is lost while someone looks; with {@code on-malformed=skip} it is logged, counted and
 * skipped.
 *
 * <p>Configuration: {@code uri} ({@code kafka://host:port[,host:port]/topic}, required); {@code group} (consumer
 * group id, default {@code edgeloop-ingest}); {@code start} ({@code earliest} or {@code latest}: where a group
 * without committed offsets begins, default earliest); {@code on-malformed} ({@code fail} or {@code skip});
 * {@code dedup.window} (default 1024 sequences per device stream); {@code dedup.max-streams} (default 1000000);
 * {@code max-poll-records} (default 2000); {@code client-id}; and any {@code kafka.*} key naming a consumer
 * setting, passed to the consumer unchanged, or read by a plug-in the settings name ({@code kafka-plugin-keys}
 * lists such keys). The constructor refuses any other key and checks the consumer settings as Kafka will (see
 * {@link KafkaClientConfig}); a setting only the consumer's creation can check makes the first
 * {@link #poll} throw {@link ConfigException} with Kafka's reason.
 *
 * <p>Not thread-safe: one thread polls, commits and closes a source. {@link #close()} is idempotent; polling
 * after close throws {@link IllegalStateException}.
 */
public final class KafkaSensorSource implements SensorSource {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSensorSource.class);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> KEYS = Set.of(KafkaEndpoint.URI_KEY, "group", "start", "on-malformed",
            "dedup.window", "dedup.max-streams", "max-poll-records", "client-id");

    /** What to do with a record that is not an Edgeloop sensor record. */
    enum OnMalformed {
        FAIL,
        SKIP
    }

    /** Where a group without committed offsets begins. */
    enum Start {
        EARLIEST,
        LATEST
    }

    private final KafkaEndpoint endpoint;
    private final Map<String, Object> consumerConfig;
    private final OnMalformed onMalformed;
    private final DuplicateFilter filter;
    private final KafkaHeaders.Reader keys = new KafkaHeaders.Reader();
    /** Per partition, the offset after the last record returned or dropped, not yet committed. */
    private final Map<TopicPartition, Long> processed = new HashMap<>();
    private KafkaConsumer<byte[], byte[]> consumer;
    private boolean closed;
    private long delivered;
    private long duplicatesDropped;
    private long malformedSkipped;

    /**
     * Validates the configuration; connects nothing.
     *
     * @param config the settings described in the class comment
     * @throws ConfigException when a setting is missing or invalid
     */
    public KafkaSensorSource(ComponentConfig config) {
        Objects.requireNonNull(config, "config");
        KafkaClientConfig.CONSUMER.requireKnownKeys(config, KEYS, "kafka source");
        this.endpoint = KafkaEndpoint.from(config);
        String group = config.getString("group", "edgeloop-ingest");
        if (group.isBlank()) {
            throw new ConfigException("group", "Configuration key 'group' must not be blank");
        }
        this.onMalformed = config.getEnum("on-malformed", OnMalformed.class, OnMalformed.FAIL);
        Start start = config.getEnum("start", Start.class, Start.EARLIEST);
        this.filter = new DuplicateFilter(roundUp64(config.getInt("dedup.window", 1024, 64, 1 << 20)),
                config.getInt("dedup.max-streams", 1_000_000, 1, Integer.MAX_VALUE));
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoint.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, start == Start.EARLIEST ? "earliest" : "latest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.getInt("max-poll-records", 2000, 1, 1_000_000));
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, config.getString("client-id", "edgeloop-source"));
        c.putAll(endpoint.clientOverrides());
        KafkaClientConfig.CONSUMER.validate(c, endpoint.clientOverrides());
        this.consumerConfig = Map.copyOf(c);
    }

    private static int roundUp64(int n) {
        return (n + 63) / 64 * 64;
    }

    /** @return the endpoint this source reads */
    public KafkaEndpoint endpoint() {
        return endpoint;
    }

    /** @return records returned by {@link #poll} so far */
    public long delivered() {
        return delivered;
    }

    /** @return records dropped because their idempotency key was already seen */
    public long duplicatesDropped() {
        return duplicatesDropped;
    }

    /** @return malformed records skipped ({@code on-malformed=skip}) */
    public long malformedSkipped() {
        return malformedSkipped;
    }

    /**
     * @return the duplicate filter's count of sequences passed without being seen (gaps upstream; this includes
     *         sequences a buffer's floor jump skipped, which were never issued, so it is not a loss count)
     */
    public long sequencesSkipped() {
        return filter.skipped();
    }

    /**
     * @return records delivered although the duplicate filter had moved past their sequence (records met out of
     *         order, for example after the partition count grew): see {@link DuplicateFilter#arrivedLate()}
     */
    public long sequencesArrivedLate() {
        return filter.arrivedLate();
    }

    @Override
    public List<SensorRecord> poll(int maxRecords, Duration timeout) throws SourceException {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
        }
        Objects.requireNonNull(timeout, "timeout");
        KafkaConsumer<byte[], byte[]> c = consumer();
        ConsumerRecords<byte[], byte[]> batch;
        try {
            batch = c.poll(timeout);
        } catch (KafkaException e) {
            throw new SourceException("Polling Kafka " + endpoint + " failed: " + e.getMessage(), e);
        }
        List<SensorRecord> out = new ArrayList<>(Math.min(maxRecords, batch.count()));
        SourceException failure = null;
        for (TopicPartition tp : batch.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> records = batch.records(tp);
            int i = 0;
            long next = -1;
            while (i < records.size() && out.size() < maxRecords && failure == null) {
                ConsumerRecord<byte[], byte[]> r = records.get(i);
                try {
                    IdempotencyKey key = keys.idempotencyKey(r);
                    if (r.value() == null) {
                        throw new IllegalArgumentException("Kafka record " + KafkaHeaders.where(r) + " has no value");
                    }
                    SensorRecord record = SensorRecordCodec.decode(r.value());
                    if (filter.accept(key) == DuplicateFilter.Verdict.NEW) {
                        out.add(record);
                    } else {
                        duplicatesDropped++;
                    }
                } catch (IllegalArgumentException e) {
                    if (onMalformed == OnMalformed.FAIL) {
                        failure = new SourceException("Kafka record " + KafkaHeaders.where(r) + " is not an Edgeloop"
                                + " sensor record: " + e.getMessage() + "; the group stays positioned on it (set"
                                + " on-malformed=skip to skip such records)", e);
                        break;
                    }
                    malformedSkipped++;
                    LOG.warn("Skipping malformed Kafka record {}: {}", KafkaHeaders.where(r), e.getMessage());
                }
                next = r.offset() + 1;
                i++;
            }
            if (next >= 0) {
                processed.put(tp, next);
            }
            if (i < records.size()) {
                c.seek(tp, records.get(i).offset());
            }
        }
        delivered += out.size();
        if (failure != null && out.isEmpty()) {
            throw failure;
        }
        return out;
    }

    @Override
    public void commit() throws SourceException {
        if (closed) {
            throw new IllegalStateException("Kafka source " + endpoint + " is closed");
        }
        if (consumer == null || processed.isEmpty()) {
            return;
        }
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        processed.forEach((tp, next) -> {
            if (assigned.contains(tp)) {
                offsets.put(tp, new OffsetAndMetadata(next));
            }
        });
        try {
            consumer.commitSync(offsets, COMMIT_TIMEOUT);
            processed.clear();
        } catch (CommitFailedException e) {
            processed.clear();
            throw new SourceException("Kafka " + endpoint + " rejected the offset commit because the group rebalanced;"
                    + " the records since the last commit will be delivered again", e);
        } catch (KafkaException e) {
            throw new SourceException("Committing offsets to Kafka " + endpoint + " failed: " + e.getMessage(), e);
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() throws SourceException {
        if (closed) {
            throw new IllegalStateException("Kafka source " + endpoint + " is closed");
        }
        if (consumer == null) {
            try {
                KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig);
                c.subscribe(List.of(endpoint.topic()), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        // Not yet committed, so the next owner redelivers them: at-least-once.
                        processed.keySet().removeAll(partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    }
                });
                consumer = c;
            } catch (KafkaException e) {
                if (KafkaClientConfig.isConfigurationError(e)) {
                    // a setting only the consumer's construction could check: polling again cannot help
                    throw new ConfigException(KafkaEndpoint.CLIENT_PREFIX, "Cannot create a Kafka consumer for "
                            + endpoint + ": " + KafkaClientConfig.rootMessage(e) + " (fix the kafka.* settings)");
                }
                throw new SourceException("Cannot create a Kafka consumer for " + endpoint + ": "
                        + KafkaClientConfig.rootMessage(e), e);
            }
        }
        return consumer;
    }

    @Override
    public void close() throws SourceException {
        if (closed) {
            return;
        }
        closed = true;
        if (consumer != null) {
            try {
                consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
            } catch (KafkaException e) {
                throw new SourceException("Closing the Kafka consumer for " + endpoint + " failed: " + e.getMessage(), e);
            } finally {
                consumer = null;
            }
        }
    }

    @Override
    public String toString() {
        return "KafkaSensorSource[" + endpoint + "]";
    }
}
