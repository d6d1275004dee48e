package io.edgeloop.transport.kafka;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Kafka record layout of an Edgeloop envelope, format version 1 (documented in
 * {@code docs/formats/kafka-record.md}):
 * <ul>
 *   <li>key: the device id, UTF-8, so every record of a device lands in one partition and keeps its order;</li>
 *   <li>value: the envelope payload unchanged (normally a {@link io.edgeloop.api.record.SensorRecordCodec}
 *       encoding);</li>
 *   <li>timestamp: the envelope's append time (CreateTime);</li>
 *   <li>header {@value #FORMAT}: the format version as text, {@code "1"};</li>
 *   <li>header {@value #IDEMPOTENCY_KEY}: {@link IdempotencyKey#toString()}, UTF-8;</li>
 *   <li>header {@value #PRIORITY}: the envelope priority as text, {@code "0"} to {@code "9"}.</li>
 * </ul>
 * Readers reject records whose format header names an unknown major version.
 *
 * <p>Thread-safe: stateless.
 */
public final class KafkaHeaders {
    /** Header holding the layout's format version. */
    public static final String FORMAT = "edgeloop-format";
    /** Header holding the idempotency key text. */
    public static final String IDEMPOTENCY_KEY = "edgeloop-key";
    /** Header holding the envelope priority. */
    public static final String PRIORITY = "edgeloop-priority";
    /** The format version this SDK writes and reads. */
    public static final int VERSION = 1;

    private static final byte[] VERSION_BYTES = Integer.toString(VERSION).getBytes(StandardCharsets.US_ASCII);

    private KafkaHeaders() {
    }

    /**
     * Lays out an envelope as a producer record.
     *
     * @param topic    the topic
     * @param envelope the envelope
     * @return the record (key and value as bytes)
     */
    public static ProducerRecord<byte[], byte[]> toProducerRecord(String topic, Envelope envelope) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(envelope, "envelope");
        Headers headers = new RecordHeaders();
        headers.add(FORMAT, VERSION_BYTES);
        headers.add(IDEMPOTENCY_KEY, envelope.key().toString().getBytes(StandardCharsets.UTF_8));
        headers.add(PRIORITY, Integer.toString(envelope.priority()).getBytes(StandardCharsets.US_ASCII));
        return new ProducerRecord<>(topic, null, envelope.timestampMillis(),
                envelope.key().deviceId().getBytes(StandardCharsets.UTF_8), envelope.payloadBytes(), headers);
    }

    /**
     * Reads the idempotency key of a consumed record.
     *
     * @param record the record
     * @return the key
     * @throws IllegalArgumentException when the record is not an Edgeloop envelope of a known format version
     */
    public static IdempotencyKey idempotencyKey(ConsumerRecord<byte[], byte[]> record) {
        checkFormat(record);
        Header h = record.headers().lastHeader(IDEMPOTENCY_KEY);
        if (h == null || h.value() == null) {
            throw new IllegalArgumentException("Kafka record " + where(record) + " has no " + IDEMPOTENCY_KEY
                    + " header: not written by an Edgeloop kafka transport");
        }
        return IdempotencyKey.parse(new String(h.value(), StandardCharsets.UTF_8));
    }

    /**
     * Rebuilds the envelope a consumed record carries.
     *
     * @param record the record
     * @return the envelope
     * @throws IllegalArgumentException when the record is not an Edgeloop envelope of a known format version
     */
    public static Envelope toEnvelope(ConsumerRecord<byte[], byte[]> record) {
        IdempotencyKey key = idempotencyKey(record);
        Header p = record.headers().lastHeader(PRIORITY);
        int priority = 0;
        if (p != null && p.value() != null) {
            try {
                priority = Integer.parseInt(new String(p.value(), StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Kafka record " + where(record) + " has a malformed " + PRIORITY
                        + " header", e);
            }
        }
        byte[] value = record.value() == null ? new byte[0] : record.value();
        return new Envelope(key, record.timestamp(), priority, value);
    }

    /**
     * Names a consumed record's position for messages: {@code topic-partition@offset}.
     *
     * @param record the record
     * @return the position
     */
    public static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private static void checkFormat(ConsumerRecord<byte[], byte[]> record) {
        Header f = record.headers().lastHeader(FORMAT);
        if (f == null || f.value() == null) {
            throw new IllegalArgumentException("Kafka record " + where(record) + " has no " + FORMAT
                    + " header: not written by an Edgeloop kafka transport");
        }
        String text = new String(f.value(), StandardCharsets.US_ASCII);
        int major;
        try {
            int dot = text.indexOf('.');
            major = Integer.parseInt(dot < 0 ? text : text.substring(0, dot));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Kafka record " + where(record) + " has a malformed " + FORMAT
                    + " header '" + text + "'", e);
        }
        if (major != VERSION) {
            throw new IllegalArgumentException("Kafka record " + where(record) + " uses Edgeloop record format version "
                    + text + "; this SDK reads version " + VERSION + " (upgrade the consumer)");
        }
    }
}
