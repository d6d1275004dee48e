package io.edgeloop.labeling.window;

import io.edgeloop.api.record.SensorRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A streaming stage before the {@link Windower} that says how far each reading lies from its device's usual level:
 * it returns each {@link SensorRecord} with a derived channel {@code <channel><suffix>} (by default
 * {@code HumidityExcess} for {@code Humidity}) per configured channel, the reading minus the median of the same
 * device, stream and channel's readings {@code lag} to {@code lag + span} readings earlier. Window features describe
 * one window only, so a one-minute window cannot tell a device sitting at 60 % from one that rose to it; the derived
 * channel's window features ({@code HumidityExcess.mean}, {@code .last}, ...) can, whatever each device's usual
 * level. The lag keeps an event shorter than {@code lag} readings out of its own baseline.
 *
 * <pre>{@code
 * DeviceBaseline baseline = DeviceBaseline.builder().channels(List.of("Humidity")).lag(120).span(240).build();
 * Windower windower = new Windower(WindowSpec.bySamples(12).step(1).build());
 * for (SensorRecord r : records) {
 *     for (Window w : windower.add(baseline.apply(r))) { ... }
 * }
 * }</pre>
 *
 * <p>Positions count records of the device and stream, readings or not, so the lag stays the same stretch of time
 * when some readings are bad; they count records, not milliseconds (after a device sent nothing for an hour, its
 * baseline is the readings before the gap). Reading {@code n} (from 0) takes the median of the readings at positions
 * {@code [max(0, n - lag - span), max(n - lag, min(n, warmUp)))}: once {@code lag + warmUp} readings have been seen,
 * the readings {@code lag} to {@code lag + span} back (fewer while the device's history is shorter); before that, a
 * warm-up baseline of the device's first readings: all readings before it for its first {@code warmUp} readings,
 * then its first {@code warmUp} readings.
 * The first reading, with nothing before it, is its own baseline (excess 0: a device is taken to start at its usual
 * level; NaN there would blank every excess feature of the device's first window). The warm-up trades the lag's
 * protection (an event in the device's first minutes is in its own baseline) for a baseline from the start;
 * {@code warmUp(0)} turns it off, and the first {@code lag + 1} readings get NaN. The median of an even number of
 * readings is the mean of the middle two.
 *
 * <p>Missing data is explicit, as in the {@link Windower}: a NaN or infinite value, a channel the record lacks and
 * every value of a record flagged {@code SATURATED}, {@code OFFLINE} or {@code OUT_OF_RANGE} is not a reading. It
 * never enters a baseline (it keeps its position) and its own excess is NaN. A baseline without a good reading in
 * its range gives NaN, never 0 (so the reading after a bad first reading gets NaN). A NaN excess is a missing value
 * like any other, so the returned record carries {@code MISSING} (the {@link SensorRecord} rule).
 *
 * <p>Records must arrive in time order per device and stream, with the {@link Windower}'s rules: a record equal to
 * the stream's previous record (a redelivery) is counted in {@link #duplicateRecords()} and returned as it was the
 * first time, so the Windower drops it as a duplicate too; a record older than the stream's previous record is
 * counted in {@link #lateRecords()}, kept out of the history and returned with NaN excess (a sample-count Windower
 * counts it late and does not use it; a time Windower compares with the records it still buffers and may use one
 * that arrives after its windows were emitted, with that NaN excess: missing, never a wrong value). Neither changes a
 * baseline. A record that already has a derived channel's name is
 * refused with an {@link IllegalArgumentException} before anything changes.
 *
 * <p>Memory is bounded per device and stream (one history each, as the {@link Windower} keeps one stream each): the
 * last {@code lag + span} readings of the configured channels (see {@link #heldReadings(String, String)}), and the
 * last record in and out. The number of devices and streams is the caller's: {@link #forget(String, String)} drops
 * one that is gone (a decommissioned device), as its history would otherwise stay for the life of the stage. Each
 * record costs, per channel, a walk over up to {@code lag + span} held readings and a sort of up to {@code span}
 * values.
 *
 * <p>Not thread-safe: use one instance per ingest thread, or guard it externally. The settings are immutable.
 */
public final class DeviceBaseline {
    /** The default suffix of a derived channel's name. */
    public static final String DEFAULT_SUFFIX = "Excess";
    /** The most readings {@code lag + span} may hold per device, stream and channel. */
    public static final int MAX_HISTORY = 1_000_000;

    private final List<String> channels;
    private final List<String> derived;
    private final String suffix;
    private final int lag;
    private final int span;
    private final int warmUp;
    private final Map<String, History> histories = new HashMap<>();
    /** Reused for each median: a baseline never holds more than {@code span} readings. */
    private final double[] scratch;
    private long late;
    private long duplicates;

    private DeviceBaseline(Builder b, List<String> derived, int warmUp) {
        this.channels = List.copyOf(b.channels);
        this.derived = List.copyOf(derived);
        this.suffix = b.suffix;
        this.lag = b.lag;
        this.span = b.span;
        this.warmUp = warmUp;
        this.scratch = new double[span];
    }

    /** @return a builder; channels, lag and span must be set */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds the record's readings to its device and stream's history and returns it with the derived channels.
     *
     * @param record the record, in time order for its device and stream
     * @return the record with {@link #derivedChannels()} appended
     * @throws IllegalArgumentException when the record already has a channel named as a derived one
     */
    public SensorRecord apply(SensorRecord record) {
        Objects.requireNonNull(record, "record");
        for (String d : derived) {
            if (record.channels().containsKey(d)) {
                throw new IllegalArgumentException("record " + record.deviceId() + "/" + record.stream() + " #"
                        + record.sequence() + " already has channel '" + d + "', which DeviceBaseline derives;"
                        + " choose another suffix than '" + suffix + "'");
            }
        }
        String key = record.deviceId() + '\u0000' + record.stream();
        History h = histories.get(key);
        if (h != null && record.equals(h.lastIn)) {
            duplicates++;
            return h.lastOut;
        }
        double[] excess = new double[channels.size()];
        if (h != null && record.timestampMillis() < h.lastIn.timestampMillis()) {
            late++;
            Arrays.fill(excess, Double.NaN);
            return withExcess(record, excess);
        }
        if (h == null) {
            h = new History();
            histories.put(key, h);
        }
        boolean reading = !Windower.notAReading(record);
        double[] values = new double[channels.size()];
        for (int c = 0; c < values.length; c++) {
            double v = reading ? record.value(channels.get(c)) : Double.NaN;
            values[c] = Double.isFinite(v) ? v : Double.NaN;
            // A device's first reading has nothing before it; with a warm-up it is its own usual level.
            double base = h.count == 0 && warmUp > 0 ? values[c] : baseline(h, c);
            excess[c] = values[c] - base;
        }
        h.readings.addLast(values);
        if (h.readings.size() > lag + span) {
            h.readings.pollFirst();
        }
        h.count++;
        SensorRecord out = withExcess(record, excess);
        h.lastIn = record;
        h.lastOut = out;
        return out;
    }

    /** The median of channel {@code c}'s readings in the baseline range of the next position, NaN if none. */
    private double baseline(History h, int c) {
        long n = h.count;
        long hi = Math.max(n - lag, Math.min(n, warmUp));
        long lo = Math.max(0, n - lag - span);
        int k = 0;
        long p = n - h.readings.size();
        for (Iterator<double[]> it = h.readings.iterator(); it.hasNext() && p < hi; p++) {
            double v = it.next()[c];
            if (p >= lo && !Double.isNaN(v)) {
                scratch[k++] = v;
            }
        }
        if (k == 0) {
            return Double.NaN;
        }
        Arrays.sort(scratch, 0, k);
        int m = k / 2;
        return k % 2 == 1 ? scratch[m] : (scratch[m - 1] + scratch[m]) / 2;
    }

    private SensorRecord withExcess(SensorRecord record, double[] excess) {
        SensorRecord.Builder b = record.toBuilder();
        for (int c = 0; c < excess.length; c++) {
            b.channel(derived.get(c), excess[c]);
        }
        return b.build();
    }

    /** @return the channels whose excess is derived, in order */
    public List<String> channels() {
        return channels;
    }

    /** @return the derived channels' names, in the order of {@link #channels()} */
    public List<String> derivedChannels() {
        return derived;
    }

    /** @return readings between a reading and the newest one in its baseline */
    public int lag() {
        return lag;
    }

    /** @return readings in a full baseline */
    public int span() {
        return span;
    }

    /** @return the size of the warm-up baseline of a device's first readings, 0 for none */
    public int warmUp() {
        return warmUp;
    }

    /**
     * @param deviceId the device
     * @param stream   the stream
     * @return the readings held for the device and stream, at most {@code lag + span}; 0 for one not seen
     */
    public int heldReadings(String deviceId, String stream) {
        History h = histories.get(Objects.requireNonNull(deviceId, "deviceId") + '\u0000'
                + Objects.requireNonNull(stream, "stream"));
        return h == null ? 0 : h.readings.size();
    }

    /**
     * Drops a device and stream's history (a device taken out of service); a later record of it starts afresh, as
     * a new device's first reading.
     *
     * @param deviceId the device
     * @param stream   the stream
     * @return whether there was a history to drop
     */
    public boolean forget(String deviceId, String stream) {
        return histories.remove(Objects.requireNonNull(deviceId, "deviceId") + '\u0000'
                + Objects.requireNonNull(stream, "stream")) != null;
    }

    /** @return the devices and streams with a history, for a caller that bounds them */
    public int trackedStreams() {
        return histories.size();
    }

    /** @return records dropped from the history as older than their stream's previous record */
    public long lateRecords() {
        return late;
    }

    /** @return records dropped as redeliveries: equal to their stream's previous record */
    public long duplicateRecords() {
        return duplicates;
    }

    @Override
    public String toString() {
        return "DeviceBaseline[channels=" + channels + " suffix=" + suffix + " lag=" + lag + " span=" + span
                + " warmUp=" + warmUp + "]";
    }

    /** One device and stream: its last readings, oldest first (one value per channel, NaN if not a reading). */
    private static final class History {
        final ArrayDeque<double[]> readings = new ArrayDeque<>();
        /** Positions taken so far: the next reading's position. */
        long count;
        SensorRecord lastIn;
        SensorRecord lastOut;
    }

    /** Builder for {@link DeviceBaseline}. Not thread-safe. */
    public static final class Builder {
        private List<String> channels = List.of();
        private String suffix = DEFAULT_SUFFIX;
        private int lag = -1;
        private int span = -1;
        private int warmUp = -1;

        private Builder() {
        }

        /**
         * @param channels the channels to derive an excess for, in order
         * @return this builder
         */
        public Builder channels(List<String> channels) {
            this.channels = List.copyOf(Objects.requireNonNull(channels, "channels"));
            return this;
        }

        /**
         * @param suffix appended to a channel's name to name its derived channel (default {@value DeviceBaseline#DEFAULT_SUFFIX})
         * @return this builder
         */
        public Builder suffix(String suffix) {
            this.suffix = Objects.requireNonNull(suffix, "suffix");
            return this;
        }

        /**
         * @param readings readings between a reading and the newest one its baseline holds, {@code >= 0}: an event
         *                 shorter than this stays out of its own baseline
         * @return this builder
         */
        public Builder lag(int readings) {
            this.lag = readings;
            return this;
        }

        /**
         * @param readings readings in a full baseline, {@code >= 1}
         * @return this builder
         */
        public Builder span(int readings) {
            this.span = readings;
            return this;
        }

        /**
         * @param readings the size of the warm-up baseline of a device's first readings, in {@code [0, span]};
         *                 default {@code min(lag, span)}, 0 for none (NaN until {@code lag} readings lie back)
         * @return this builder
         */
        public Builder warmUp(int readings) {
            this.warmUp = readings;
            return this;
        }

        /**
         * @return the stage
         * @throws IllegalArgumentException when a setting is missing or out of range, or a derived name clashes
         */
        public DeviceBaseline build() {
            if (channels.isEmpty()) {
                throw new IllegalArgumentException("DeviceBaseline needs at least one channel, e.g."
                        + " channels(List.of(\"Humidity\"))");
            }
            if (lag < 0) {
                throw new IllegalArgumentException("DeviceBaseline lag must be set to a reading count >= 0, got "
                        + (lag == -1 ? "none" : lag));
            }
            if (span < 1) {
                throw new IllegalArgumentException("DeviceBaseline span must be set to a reading count >= 1, got "
                        + (span == -1 ? "none" : span));
            }
            if ((long) lag + span > MAX_HISTORY) {
                throw new IllegalArgumentException("DeviceBaseline lag + span must be at most " + MAX_HISTORY
                        + " readings (the history kept per device, stream and channel), got " + lag + " + " + span);
            }
            int w = warmUp == -1 ? Math.min(lag, span) : warmUp;
            if (w < 0 || w > span) {
                throw new IllegalArgumentException("DeviceBaseline warmUp must be in [0, span=" + span
                        + "] readings, got " + warmUp);
            }
            if (suffix.isEmpty()) {
                throw new IllegalArgumentException("DeviceBaseline suffix must not be empty: a derived channel"
                        + " would replace its channel");
            }
            Set<String> seen = new HashSet<>();
            for (String c : channels) {
                if (c.isBlank()) {
                    throw new IllegalArgumentException("DeviceBaseline channels must not be blank, got " + channels);
                }
                if (!seen.add(c)) {
                    throw new IllegalArgumentException("DeviceBaseline channel '" + c + "' is listed twice in "
                            + channels);
                }
            }
            List<String> derived = new ArrayList<>();
            for (String c : channels) {
                String d = c + suffix;
                if (seen.contains(d)) {
                    throw new IllegalArgumentException("DeviceBaseline derived channel '" + d + "' (of '" + c
                            + "') is also a configured channel; choose another suffix than '" + suffix + "'");
                }
                derived.add(d);
            }
            return new DeviceBaseline(this, derived, w);
        }
    }
}
