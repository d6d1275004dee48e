package io.edgeloop.api.record;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One reading from one device: named channel values at a timestamp, with a per-stream sequence number and
 * data-quality flags. Missing values are {@code NaN} and flagged {@link QualityFlag#MISSING} by the builder.
 *
 * <p>Thread-safe: instances are immutable.
 */
public final class SensorRecord {
    private final String deviceId;
    private final String stream;
    private final long timestampMillis;
    private final long sequence;
    private final Map<String, Double> channels;
    private final Set<QualityFlag> flags;

    private SensorRecord(Builder b) {
        this.deviceId = b.deviceId;
        this.stream = b.stream;
        this.timestampMillis = b.timestampMillis;
        this.sequence = b.sequence;
        this.channels = Collections.unmodifiableMap(new LinkedHashMap<>(b.channels));
        EnumSet<QualityFlag> f = b.flags.isEmpty() ? EnumSet.noneOf(QualityFlag.class) : EnumSet.copyOf(b.flags);
        for (double v : b.channels.values()) {
            if (Double.isNaN(v)) {
                f.add(QualityFlag.MISSING);
                break;
            }
        }
        this.flags = Collections.unmodifiableSet(f);
    }

    /**
     * Returns a new builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the device id */
    public String deviceId() {
        return deviceId;
    }

    /** @return the stream name */
    public String stream() {
        return stream;
    }

    /** @return milliseconds since the Unix epoch */
    public long timestampMillis() {
        return timestampMillis;
    }

    /** @return the source sequence number, 0 when the source does not number its records */
    public long sequence() {
        return sequence;
    }

    /** @return channel name to value, in insertion order; NaN marks a missing value */
    public Map<String, Double> channels() {
        return channels;
    }

    /**
     * Returns one channel's value.
     *
     * @param channel the channel name
     * @return the value, NaN when missing or absent
     */
    public double value(String channel) {
        Double v = channels.get(channel);
        return v == null ? Double.NaN : v;
    }

    /** @return the quality flags */
    public Set<QualityFlag> flags() {
        return flags;
    }

    /**
     * Returns a builder holding this record's fields.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder().deviceId(deviceId).stream(stream).timestampMillis(timestampMillis)
                .sequence(sequence);
        b.channels.putAll(channels);
        b.flags.addAll(flags);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SensorRecord)) {
            return false;
        }
        SensorRecord r = (SensorRecord) o;
        return timestampMillis == r.timestampMillis && sequence == r.sequence && deviceId.equals(r.deviceId)
                && stream.equals(r.stream) && channels.equals(r.channels) && flags.equals(r.flags);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, stream, timestampMillis, sequence, channels, flags);
    }

    @Override
    public String toString() {
        return "SensorRecord[" + deviceId + "/" + stream + " #" + sequence + " @" + timestampMillis + " "
                + channels + (flags.isEmpty() ? "" : " " + flags) + "]";
    }

    /** Builder for {@link SensorRecord}. Not thread-safe. */
    public static final class Builder {
        private String deviceId;
        private String stream = "default";
        private long timestampMillis;
        private long sequence;
        private final LinkedHashMap<String, Double> channels = new LinkedHashMap<>();
        private final EnumSet<QualityFlag> flags = EnumSet.noneOf(QualityFlag.class);

        private Builder() {
        }

        /**
         * @param deviceId the device id, not blank
         * @return this builder
         */
        public Builder deviceId(String deviceId) {
            this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
            return this;
        }

        /**
         * @param stream the stream name, not blank (default {@code default})
         * @return this builder
         */
        public Builder stream(String stream) {
            this.stream = Objects.requireNonNull(stream, "stream");
            return this;
        }

        /**
         * @param timestampMillis milliseconds since the Unix epoch
         * @return this builder
         */
        public Builder timestampMillis(long timestampMillis) {
            this.timestampMillis = timestampMillis;
            return this;
        }

        /**
         * @param sequence the source's sequence number, non-negative
         * @return this builder
         */
        public Builder sequence(long sequence) {
            this.sequence = sequence;
            return this;
        }

        /**
         * Adds a channel value; NaN marks a missing value.
         *
         * @param channel the channel name
         * @param value   the value
         * @return this builder
         */
        public Builder channel(String channel, double value) {
            channels.put(Objects.requireNonNull(channel, "channel"), value);
            return this;
        }

        /**
         * Adds a quality flag.
         *
         * @param flag the flag
         * @return this builder
         */
        public Builder flag(QualityFlag flag) {
            flags.add(Objects.requireNonNull(flag, "flag"));
            return this;
        }

        /**
         * Builds the record.
         *
         * @return the record
         * @throws IllegalArgumentException when the device id or stream is blank or the sequence negative
         */
        public SensorRecord build() {
            if (deviceId == null || deviceId.isBlank()) {
                throw new IllegalArgumentException("SensorRecord needs a non-blank deviceId");
            }
            if (stream.isBlank()) {
                throw new IllegalArgumentException("SensorRecord needs a non-blank stream");
            }
            if (sequence < 0) {
                throw new IllegalArgumentException("SensorRecord sequence must be >= 0, got " + sequence);
            }
            return new SensorRecord(this);
        }
    }
}
