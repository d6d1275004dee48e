package io.edgeloop.transport.kafka;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongSupplier;
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
 *   <li>timestamp: the envelope's append time (CreateTime) when it lies within
 *       {@link #PAST_TIMESTAMP_LIMIT_MILLIS} before and {@link #FUTURE_TIMESTAMP_LIMIT_MILLIS} after the producer's
 *       clock, otherwise the producer's time;</li>
 *   <li>header {@value #FORMAT}: the format version as text, {@code "1"};</li>
 *   <li>header {@value #IDEMPOTENCY_KEY}: {@link IdempotencyKey#toString()}, UTF-8;</li>
 *   <li>header {@value #PRIORITY}: the envelope priority as text, {@code "0"} to {@code "9"};</li>
 *   <li>header {@value #DEVICE_TIMESTAMP}, only for an envelope whose time is outside that window: the
 *       envelope's time as decimal text, while the record's own timestamp is left to the producer (its clock).
 *       Too old (a record a device buffered through an outage, a device clock running slow or reset, a time before
 *       1970, which a record cannot carry at all): the broker's time-based retention counts from the record's
 *       timestamp, so a record stamped longer ago than the topic's {@code retention.ms} (7 days by default) would
 *       be deleted by the broker's next retention check (every 5 minutes by default), before a consumer could
 *       read it.
 *       Too far ahead (a device clock running fast): brokers refuse it (Kafka 4:
 *       {@code log.message.timestamp.after.max.ms}, 1 hour by default) and the refusal is retryable, so one such
 *       record would hold its buffer back for good.</li>
 * </ul>
 * Readers reject records whose format header names an unknown major version, and take an envelope's timestamp
 * from {@value #DEVICE_TIMESTAMP} when present.
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
    /** Header holding an envelope's time that was too old or too far ahead for the record's own timestamp. */
    public static final String DEVICE_TIMESTAMP = "edgeloop-timestamp";
    /**
     * How far ahead of the producer's clock an envelope's timestamp may be and still become the record's
     * timestamp: 50 minutes, inside Kafka 4's default limit of 1 hour with room for the producer's own clock error.
     */
    public static final long FUTURE_TIMESTAMP_LIMIT_MILLIS = 50L * 60 * 1000;
    /**
     * How far behind the producer's clock an envelope's timestamp may be and still become the record's timestamp:
     * 10 minutes. Retention counts from a record's timestamp, so a record keeps at least the topic's retention less
     * this limit in the topic, however long its device buffered it; a forwarder that is connected sends a record
     * within seconds of its append, so only a backlog carries its time in the header.
     */
    public static final long PAST_TIMESTAMP_LIMIT_MILLIS = 10L * 60 * 1000;
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
        return new Layout(topic).toProducerRecord(envelope);
    }

    /**
     * Lays out the envelopes of one batch, reusing what consecutive envelopes share: a batch holds one device's
     * records, so the device id's bytes and the idempotency key's text up to the sequence are encoded once rather
     * than per record (measured: the per-record layout was a fifth of a gateway thread's CPU).
     *
     * <p>Not thread-safe: one instance per batch or per thread.
     */
    public static final class Layout {
        private static final byte[][] SMALL_INTS = new byte[256][];

        static {
            for (int i = 0; i < SMALL_INTS.length; i++) {
                SMALL_INTS[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
            }
        }

        private final String topic;
        private final LongSupplier clock;
        private String device;
        private String stream;
        private long epoch;
        private byte[] deviceBytes;
        private byte[] keyPrefix;

        /**
         * @param topic the topic
         */
        public Layout(String topic) {
            this(topic, System::currentTimeMillis);
        }

        /**
         * @param topic the topic
         * @param clock the producer's clock in epoch milliseconds, for {@link #PAST_TIMESTAMP_LIMIT_MILLIS} and
         *              {@link #FUTURE_TIMESTAMP_LIMIT_MILLIS}
         */
        public Layout(String topic, LongSupplier clock) {
            this.topic = Objects.requireNonNull(topic, "topic");
            this.clock = Objects.requireNonNull(clock, "clock");
        }

        /**
         * Lays out an envelope exactly as {@link KafkaHeaders#toProducerRecord(String, Envelope)} documents.
         *
         * @param envelope the envelope
         * @return the record
         */
        public ProducerRecord<byte[], byte[]> toProducerRecord(Envelope envelope) {
            Objects.requireNonNull(envelope, "envelope");
            IdempotencyKey key = envelope.key();
            if (!key.deviceId().equals(device) || !key.stream().equals(stream) || key.epoch() != epoch) {
                device = key.deviceId();
                stream = key.stream();
                epoch = key.epoch();
                deviceBytes = device.getBytes(StandardCharsets.UTF_8);
                // the key's own text with sequence 1, less the 1: exactly IdempotencyKey.toString's encoding
                String one = new IdempotencyKey(device, stream, epoch, 1).toString();
                keyPrefix = one.substring(0, one.length() - 1).getBytes(StandardCharsets.UTF_8);
            }
            byte[] seq = ascii(key.sequence());
            byte[] keyText = Arrays.copyOf(keyPrefix, keyPrefix.length + seq.length);
            System.arraycopy(seq, 0, keyText, keyPrefix.length, seq.length);
            Headers headers = new RecordHeaders();
            headers.add(FORMAT, VERSION_BYTES);
            headers.add(IDEMPOTENCY_KEY, keyText);
            headers.add(PRIORITY, ascii(envelope.priority()));
            Long timestamp = envelope.timestampMillis();
            long now = clock.getAsLong();
            // too old: retention would delete it before it is read (and before 1970 a record cannot carry it at all,
            // ProducerRecord refuses a negative timestamp); too far ahead: the broker refuses it
            if (timestamp < 0 || timestamp < now - PAST_TIMESTAMP_LIMIT_MILLIS
                    || timestamp > now + FUTURE_TIMESTAMP_LIMIT_MILLIS) {
                headers.add(DEVICE_TIMESTAMP, ascii(timestamp));
                timestamp = null; // the producer stamps it with its own clock
            }
            return new ProducerRecord<>(topic, null, timestamp, deviceBytes, envelope.payloadBytes(), headers);
        }

        private static byte[] ascii(long v) {
            return v >= 0 && v < SMALL_INTS.length ? SMALL_INTS[(int) v]
                    : Long.toString(v).getBytes(StandardCharsets.US_ASCII);
        }
    }

    /**
     * Reads the idempotency keys of consumed records as {@link KafkaHeaders#idempotencyKey(ConsumerRecord)} does,
     * reusing what consecutive records of one device stream share: a partition holds runs of one device's
     * records, so the key text up to the sequence ({@code device/stream/epoch/}) is parsed once per run and only
     * the sequence per record (measured: parsing the whole key text per record, with the format header, was a
     * third of a consumer thread's CPU on the Kafka ingest benchmark).
     *
     * <p>Not thread-safe: one instance per consuming thread.
     */
    public static final class Reader {
        private byte[] prefix = new byte[0];
        private String device;
        private String stream;
        private long epoch;

        /** Creates a reader with nothing cached. */
        public Reader() {
        }

        /**
         * Reads the idempotency key of a consumed record.
         *
         * @param record the record
         * @return the key
         * @throws IllegalArgumentException when the record is not an Edgeloop envelope of a known format version
         */
        public IdempotencyKey idempotencyKey(ConsumerRecord<byte[], byte[]> record) {
            Header format = null;
            Header key = null;
            // one pass; the last header of a name wins, as with lastHeader
            for (Header h : record.headers()) {
                String name = h.key();
                if (FORMAT.equals(name)) {
                    format = h;
                } else if (IDEMPOTENCY_KEY.equals(name)) {
                    key = h;
                }
            }
            checkFormat(record, format);
            if (key == null || key.value() == null) {
                throw noKey(record);
            }
            byte[] text = key.value();
            int slash = text.length - 1;
            while (slash >= 0 && text[slash] != '/') {
                slash--;
            }
            if (slash > 0 && slash + 1 == prefix.length && Arrays.equals(text, 0, slash + 1, prefix, 0, slash + 1)) {
                long sequence = digits(text, slash + 1);
                if (sequence >= 1) {
                    return new IdempotencyKey(device, stream, epoch, sequence);
                }
            }
            IdempotencyKey parsed = IdempotencyKey.parse(new String(text, StandardCharsets.UTF_8));
            if (slash > 0) {
                prefix = Arrays.copyOf(text, slash + 1);
                device = parsed.deviceId();
                stream = parsed.stream();
                epoch = parsed.epoch();
            }
            return parsed;
        }

        /** The decimal number in {@code b[from..]}, or -1 when it is not 1 to 18 plain digits. */
        private static long digits(byte[] b, int from) {
            int n = b.length - from;
            if (n < 1 || n > 18) {
                return -1;
            }
            long v = 0;
            for (int i = from; i < b.length; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) {
                    return -1;
                }
                v = v * 10 + d;
            }
            return v;
        }
    }

    /**
     * Reads the idempotency key of a consumed record.
     *
     * @param record the record
     * @return the key
     * @throws IllegalArgumentException when the record is not an Edgeloop envelope of a known format version
     */
    public static IdempotencyKey idempotencyKey(ConsumerRecord<byte[], byte[]> record) {
        checkFormat(record, record.headers().lastHeader(FORMAT));
        Header h = record.headers().lastHeader(IDEMPOTENCY_KEY);
        if (h == null || h.value() == null) {
            throw noKey(record);
        }
        return IdempotencyKey.parse(new String(h.value(), StandardCharsets.UTF_8));
    }

    private static IllegalArgumentException noKey(ConsumerRecord<byte[], byte[]> record) {
        return new IllegalArgumentException("Kafka record " + where(record) + " has no " + IDEMPOTENCY_KEY
                + " header: not written by an Edgeloop kafka transport");
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
        long timestamp = record.timestamp();
        Header t = record.headers().lastHeader(DEVICE_TIMESTAMP);
        if (t != null && t.value() != null) {
            try {
                timestamp = Long.parseLong(new String(t.value(), StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Kafka record " + where(record) + " has a malformed "
                        + DEVICE_TIMESTAMP + " header", e);
            }
        }
        byte[] value = record.value() == null ? new byte[0] : record.value();
        return new Envelope(key, timestamp, priority, value);
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

    private static void checkFormat(ConsumerRecord<byte[], byte[]> record, Header f) {
        if (f != null && Arrays.equals(f.value(), VERSION_BYTES)) {
            return; // what every record of this version carries
        }
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
