package io.edgeloop.api.window;

import io.edgeloop.api.record.QualityFlag;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A window of consecutive readings from one device and stream: per-channel sample arrays (NaN for missing),
 * sample timestamps, data-quality marks and named features computed by the windowing stage
 * ({@code "co2.mean"}, {@code "light.slope"}).
 *
 * <p>A window whose samples include missing or flagged values is {@linkplain #hasBadData() marked}; features are
 * never computed by silently skipping bad samples unless the feature's name says so.
 *
 * <p>Thread-safe: instances are immutable (arrays are copied in and never exposed).
 */
public final class Window {
    private final String deviceId;
    private final String stream;
    private final long index;
    private final long[] timestamps;
    private final List<String> channels;
    private final Map<String, Integer> channelIndex;
    private final double[][] values;
    private final int[] missing;
    private final Set<QualityFlag> flags;
    private final Map<String, Double> features;

    private Window(Builder b) {
        this.deviceId = b.deviceId;
        this.stream = b.stream;
        this.index = b.index;
        this.timestamps = b.timestamps.clone();
        this.channels = List.copyOf(b.channels.keySet());
        this.channelIndex = new HashMap<>();
        this.values = new double[channels.size()][];
        this.missing = new int[channels.size()];
        int i = 0;
        for (Map.Entry<String, double[]> e : b.channels.entrySet()) {
            channelIndex.put(e.getKey(), i);
            double[] v = e.getValue().clone();
            values[i] = v;
            for (double x : v) {
                if (Double.isNaN(x)) {
                    missing[i]++;
                }
            }
            i++;
        }
        EnumSet<QualityFlag> f = b.flags.isEmpty() ? EnumSet.noneOf(QualityFlag.class) : EnumSet.copyOf(b.flags);
        for (int m : missing) {
            if (m > 0) {
                f.add(QualityFlag.MISSING);
            }
        }
        this.flags = Collections.unmodifiableSet(f);
        this.features = Collections.unmodifiableMap(new LinkedHashMap<>(b.features));
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

    /** @return the window's ordinal within its device and stream, from 0 */
    public long index() {
        return index;
    }

    /** @return the number of samples */
    public int size() {
        return timestamps.length;
    }

    /** @return the first sample's timestamp, or 0 for an empty window */
    public long startMillis() {
        return timestamps.length == 0 ? 0 : timestamps[0];
    }

    /** @return the last sample's timestamp, or 0 for an empty window */
    public long endMillis() {
        return timestamps.length == 0 ? 0 : timestamps[timestamps.length - 1];
    }

    /**
     * @param sample the sample position
     * @return the timestamp of that sample
     */
    public long timestamp(int sample) {
        return timestamps[sample];
    }

    /** @return the channel names in order */
    public List<String> channels() {
        return channels;
    }

    /**
     * Returns a channel's position.
     *
     * @param channel the channel name
     * @return its index, or -1 when absent
     */
    public int channelIndex(String channel) {
        Integer i = channelIndex.get(channel);
        return i == null ? -1 : i;
    }

    /**
     * Returns one sample of one channel.
     *
     * @param channel the channel position
     * @param sample  the sample position
     * @return the value, NaN when missing
     */
    public double value(int channel, int sample) {
        return values[channel][sample];
    }

    /**
     * Returns a copy of one channel's samples.
     *
     * @param channel the channel name
     * @return the samples, NaN where missing
     * @throws IllegalArgumentException when the channel is absent
     */
    public double[] values(String channel) {
        int i = channelIndex(channel);
        if (i < 0) {
            throw new IllegalArgumentException("Window has no channel '" + channel + "'; channels: " + channels);
        }
        return values[i].clone();
    }

    /**
     * @param channel the channel name
     * @return the number of missing (NaN) samples in the channel, 0 when absent
     */
    public int missingCount(String channel) {
        int i = channelIndex(channel);
        return i < 0 ? 0 : missing[i];
    }

    /** @return the union of the samples' quality flags, including {@code MISSING} when any value is NaN */
    public Set<QualityFlag> flags() {
        return flags;
    }

    /** @return true when any sample is missing or carries a quality flag */
    public boolean hasBadData() {
        return !flags.isEmpty();
    }

    /** @return the computed features by name */
    public Map<String, Double> features() {
        return features;
    }

    /**
     * Returns a feature.
     *
     * @param name the feature name, for example {@code co2.mean}
     * @return the value, empty when the feature was not computed or is NaN
     */
    public OptionalDouble feature(String name) {
        Double v = features.get(name);
        return v == null || Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    @Override
    public String toString() {
        return "Window[" + deviceId + "/" + stream + " #" + index + " n=" + size() + " " + channels
                + (flags.isEmpty() ? "" : " " + flags) + "]";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Window)) {
            return false;
        }
        Window w = (Window) o;
        return index == w.index && deviceId.equals(w.deviceId) && stream.equals(w.stream)
                && Arrays.equals(timestamps, w.timestamps) && channels.equals(w.channels)
                && Arrays.deepEquals(values, w.values) && flags.equals(w.flags) && features.equals(w.features);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, stream, index, Arrays.hashCode(timestamps), channels);
    }

    /** Builder for {@link Window}. Not thread-safe. */
    public static final class Builder {
        private String deviceId;
        private String stream = "default";
        private long index;
        private long[] timestamps = new long[0];
        private final LinkedHashMap<String, double[]> channels = new LinkedHashMap<>();
        private final EnumSet<QualityFlag> flags = EnumSet.noneOf(QualityFlag.class);
        private final LinkedHashMap<String, Double> features = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * @param deviceId the device id
         * @return this builder
         */
        public Builder deviceId(String deviceId) {
            this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
            return this;
        }

        /**
         * @param stream the stream
         * @return this builder
         */
        public Builder stream(String stream) {
            this.stream = Objects.requireNonNull(stream, "stream");
            return this;
        }

        /**
         * @param index the window ordinal, non-negative
         * @return this builder
         */
        public Builder index(long index) {
            this.index = index;
            return this;
        }

        /**
         * @param timestamps the sample timestamps (copied)
         * @return this builder
         */
        public Builder timestamps(long[] timestamps) {
            this.timestamps = Objects.requireNonNull(timestamps, "timestamps").clone();
            return this;
        }

        /**
         * @param name   the channel name
         * @param values the samples (copied), NaN for missing
         * @return this builder
         */
        public Builder channel(String name, double[] values) {
            channels.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(values, "values").clone());
            return this;
        }

        /**
         * @param flag a quality flag carried by some sample
         * @return this builder
         */
        public Builder flag(QualityFlag flag) {
            flags.add(Objects.requireNonNull(flag, "flag"));
            return this;
        }

        /**
         * @param name  the feature name
         * @param value the value, NaN when it cannot be computed
         * @return this builder
         */
        public Builder feature(String name, double value) {
            features.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /**
         * Builds the window.
         *
         * @return the window
         * @throws IllegalArgumentException when ids are blank, channel lengths differ from the timestamps, or a
         *                                  timestamp is below the one before it (equal ones are allowed: samples
         *                                  stamped at one instant)
         */
        public Window build() {
            if (deviceId == null || deviceId.isBlank() || stream.isBlank()) {
                throw new IllegalArgumentException("Window needs a non-blank deviceId and stream");
            }
            if (index < 0) {
                throw new IllegalArgumentException("Window index must be >= 0, got " + index);
            }
            for (int i = 1; i < timestamps.length; i++) {
                if (timestamps[i] < timestamps[i - 1]) {
                    // start(), end() and every time-based feature (slope, duration rules) read them in order
                    throw new IllegalArgumentException("Window timestamps must not decrease: sample " + i + " at "
                            + timestamps[i] + " follows " + timestamps[i - 1] + "; sort the samples by time");
                }
            }
            for (Map.Entry<String, double[]> e : channels.entrySet()) {
                if (e.getValue().length != timestamps.length) {
                    throw new IllegalArgumentException("Channel '" + e.getKey() + "' has " + e.getValue().length
                            + " samples but the window has " + timestamps.length + " timestamps");
                }
            }
            return new Window(this);
        }
    }
}
