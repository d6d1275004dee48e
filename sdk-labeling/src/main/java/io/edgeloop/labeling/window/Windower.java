package io.edgeloop.labeling.window;

import io.edgeloop.api.record.QualityFlag;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.window.Window;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups {@link SensorRecord}s into {@link Window}s per device and stream, by count or time, tumbling or
 * sliding, and computes {@link Features}. Records must arrive in time order per device and stream; a record
 * older than the stream's previous record (or, for time windows, than the open window's start) is counted in
 * {@link #lateRecords()} and not used, for count and time windows alike (never merged into the wrong window), and
 * logged: the first at WARN, then at most one WARN per 30 s with the number of late records since the last (the
 * others at DEBUG), naming the device, stream, sequence numbers and timestamps of the record and the one it is
 * late against, how far back it lies, and whether its sequence number says the source delivered it out of order
 * (a lower number: the source breaks the {@link io.edgeloop.api.source.SensorSource} order) or the device's clock
 * stepped back (a higher number, an older timestamp).
 *
 * <p>Missing data is explicit: a record without a channel contributes NaN for it; any NaN or flagged sample
 * marks the window ({@link Window#hasBadData()}) and makes that channel's features NaN. A record flagged
 * {@code SATURATED}, {@code OFFLINE} or {@code OUT_OF_RANGE} is not a reading: its samples are NaN in the window
 * (for every channel, since flags are per record), so no feature, rate or duration rule uses them, and the window
 * carries the flag (and {@code MISSING}). Without {@link WindowSpec#channels() channels} in the spec, a window holds
 * every channel its stream has shown so far: a channel absent from the whole window is all NaN ({@code MISSING}),
 * not silently left out. Time windows with no records are not emitted; they are counted in
 * {@link #emptyWindows()}.
 *
 * <p>At-least-once delivery is expected: a record equal to its stream's previous record (same timestamp, sequence
 * number, values and flags) is a redelivery, dropped and counted in {@link #duplicateRecords()}; a record with the
 * previous one's timestamp but another sequence number or other values is a reading of its own and is used.
 * Timestamps may be any long: window
 * bounds are compared without overflow; a time-window record whose window would start before
 * {@link Long#MIN_VALUE} (within one step of it) cannot be windowed and is counted in {@link #outOfRangeRecords()}.
 *
 * <p>Not thread-safe: use one instance per ingest thread, or guard it externally.
 */
public final class Windower {
    private static final Logger LOG = LoggerFactory.getLogger(Windower.class);
    /** At most one WARN about late records per this period; the rest go to DEBUG. */
    private static final long LATE_WARNING_PERIOD_SECONDS = 30;

    private final WindowSpec spec;
    private final LongSupplier nanoClock;
    private boolean warnedLate;
    private long lateWarnedAtNanos;
    private long lateSinceWarning;
    private final Map<String, Stream> streams = new LinkedHashMap<>();
    private long late;
    private long empty;
    private long duplicates;
    private long outOfRange;

    /**
     * @param spec the windowing spec
     */
    public Windower(WindowSpec spec) {
        this(spec, System::nanoTime);
    }

    /**
     * @param spec      the windowing spec
     * @param nanoClock monotonic nanoseconds, as {@link System#nanoTime()}, for the late-record WARN's rate limit
     */
    Windower(WindowSpec spec, LongSupplier nanoClock) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * Adds a record and returns the windows it completed.
     *
     * @param record the record
     * @return completed windows, oldest first (often empty)
     */
    public List<Window> add(SensorRecord record) {
        Objects.requireNonNull(record, "record");
        String key = record.deviceId() + '\u0000' + record.stream();
        Stream s = streams.computeIfAbsent(key, k -> new Stream(record.deviceId(), record.stream()));
        List<Window> out = new ArrayList<>();
        long t = record.timestampMillis();
        if (record.equals(s.lastRecord)) {
            // A redelivery of the previous record (at-least-once transports): used once only.
            duplicates++;
            return out;
        }
        if (spec.unit() == WindowSpec.Unit.SAMPLES) {
            // The buffer may have been emptied by a tumbling window, so compare with the last record used.
            if (s.used && t < s.last) {
                late(s, record, s.last);
                return out;
            }
            s.use(record);
            s.buffer.add(record);
            while (s.buffer.size() >= spec.size()) {
                out.add(s.emit(new ArrayList<>(s.buffer).subList(0, (int) spec.size())));
                for (long i = 0; i < spec.step(); i++) {
                    s.buffer.pollFirst();
                }
            }
            if (lateSinceWarning > 0) {
                reportPendingLate(false);
            }
            return out;
        }
        if (!s.started) {
            long offset = Math.floorMod(t, spec.step());
            if (t < Long.MIN_VALUE + offset) {
                // The window's start, a multiple of the step, is below Long.MIN_VALUE.
                outOfRange++;
                return out;
            }
            s.start = t - offset;
            s.started = true;
        }
        // A used stream's previous record is the buffer's newest, or (buffer flushed) older than the start.
        if (s.used && t < s.last) {
            late(s, record, s.last);
            return out;
        }
        if (t < s.start) {
            late(s, record, s.start); // inside a window flush() emitted
            return out;
        }
        // From here t >= s.start (and every buffered timestamp is too), so t - s.start is exact read as unsigned:
        // no overflow whatever the timestamps, where s.start + size could wrap and loop forever.
        while (Long.compareUnsigned(t - s.start, spec.size()) >= 0) {
            List<SensorRecord> in = new ArrayList<>();
            for (SensorRecord r : s.buffer) {
                if (Long.compareUnsigned(r.timestampMillis() - s.start, spec.size()) < 0) {
                    in.add(r);
                }
            }
            if (in.isEmpty()) {
                empty++;
            } else {
                out.add(s.emit(in));
            }
            s.start += spec.step();
            for (Iterator<SensorRecord> it = s.buffer.iterator(); it.hasNext();) {
                if (it.next().timestampMillis() < s.start) {
                    it.remove();
                }
            }
            if (s.buffer.isEmpty()) {
                // Skip over a gap in one go instead of stepping through every empty window. The loop ran, so
                // t - size >= the previous start >= Long.MIN_VALUE; target is the first multiple of the step above
                // t - size (<= t, as step <= size), and its distance from s.start is exact read as unsigned.
                long from = t - spec.size();
                long target = from - Math.floorMod(from, spec.step()) + spec.step();
                if (target > s.start) {
                    empty += Long.divideUnsigned(target - s.start, spec.step());
                    s.start = target;
                }
            }
        }
        s.use(record);
        s.buffer.add(record);
        if (lateSinceWarning > 0) {
            reportPendingLate(false);
        }
        return out;
    }

    /**
     * Logs, at WARN, how many late records went to DEBUG since the last warning: after the period, at the next
     * record placed, and always at {@link #flush()} (the end of a batch of input), so a burst of late records that
     * stops within the period still reaches WARN (before, its count showed only in a WARN that might never come).
     */
    private void reportPendingLate(boolean atFlush) {
        long now = nanoClock.getAsLong();
        if (!atFlush && now - lateWarnedAtNanos < TimeUnit.SECONDS.toNanos(LATE_WARNING_PERIOD_SECONDS)) {
            return;
        }
        LOG.warn(lateSinceWarning + " more late record" + (lateSinceWarning == 1 ? " was" : "s were") + " counted and"
                + " not used since the last warning (" + late + " late so far, lateRecords()"
                + (atFlush ? "; reported at flush()" : "") + ")");
        lateSinceWarning = 0;
        if (!atFlush) {
            lateWarnedAtNanos = now;
        }
    }

    /**
     * Emits the open, incomplete windows (at the end of a file, or on an idle timeout), one per device and stream
     * with data. A flushed window is final: for time windows the stream resumes at the first window start at or
     * after the flushed window's end, so a later record inside the flushed interval is counted in
     * {@link #lateRecords()} and not used (it used to open a second window for the same interval, and LFs voted on
     * that interval twice). Count windows resume with an empty buffer.
     *
     * @return the partial windows
     */
    public List<Window> flush() {
        if (lateSinceWarning > 0) {
            reportPendingLate(true);
        }
        List<Window> out = new ArrayList<>();
        for (Stream s : streams.values()) {
            if (!s.buffer.isEmpty()) {
                out.add(s.emit(new ArrayList<>(s.buffer)));
                s.buffer.clear();
                if (spec.unit() != WindowSpec.Unit.SAMPLES) {
                    s.start = closedUntil(s.start);
                }
            }
        }
        return out;
    }

    /**
     * Counts a record that cannot be placed and logs it, rate-limited: a late record is a reading lost to every
     * window, so it must show without a caller polling {@link #lateRecords()}.
     *
     * @param bound the timestamp it is older than: its stream's previous record's, or its open window's start
     */
    private void late(Stream s, SensorRecord r, long bound) {
        late++;
        long now = nanoClock.getAsLong();
        boolean warn = !warnedLate || now - lateWarnedAtNanos >= TimeUnit.SECONDS.toNanos(LATE_WARNING_PERIOD_SECONDS);
        if (!warn) {
            lateSinceWarning++;
            if (LOG.isDebugEnabled()) {
                LOG.debug(lateMessage(s, r, bound));
            }
            return;
        }
        String since = lateSinceWarning > 0 ? " (" + lateSinceWarning + " more since the last warning; further ones "
                + "for " + LATE_WARNING_PERIOD_SECONDS + " s at DEBUG)" : " (further ones for "
                + LATE_WARNING_PERIOD_SECONDS + " s at DEBUG)";
        warnedLate = true;
        lateWarnedAtNanos = now;
        lateSinceWarning = 0;
        LOG.warn(lateMessage(s, r, bound) + since);
    }

    /** The WARN line: what was dropped, against what, by how much, and what the sequence numbers say. */
    private String lateMessage(Stream s, SensorRecord r, long bound) {
        SensorRecord prev = s.lastRecord; // set: a stream has used a record before any of its records is late
        String why;
        if (r.timestampMillis() >= prev.timestampMillis()) {
            why = "its window was already emitted by flush()";
        } else if (r.sequence() == 0 || prev.sequence() == 0) {
            why = "unnumbered records: delivered out of order, or the device's clock stepped back";
        } else if (r.sequence() < prev.sequence()) {
            why = "a lower sequence number than the previous record's: the source delivered it out of order "
                    + "(SensorSource requires each stream's records in rising sequence order), or the device's "
                    + "numbering started again (a wiped buffer, a re-provisioned device)";
        } else if (r.sequence() > prev.sequence()) {
            why = "a higher sequence number than the previous record's: the device's clock stepped back";
        } else {
            why = "the previous record's sequence number with other content";
        }
        String previous = "previous record #" + prev.sequence() + " @" + prev.timestampMillis();
        String than = bound == prev.timestampMillis() ? "the stream's " + previous
                : "the start of the stream's open window, " + bound + " (" + previous + ")";
        return "record #" + r.sequence() + " @" + r.timestampMillis() + " of device '" + s.device + "' stream '"
                + s.stream + "' is " + Long.toUnsignedString(bound - r.timestampMillis()) + " ms older than " + than
                + ": counted late and not used (" + late + " late so far, lateRecords()); " + why;
    }

    /** The first window start (a multiple of the step) at or after the end of the window starting at {@code start}. */
    private long closedUntil(long start) {
        long end = start + spec.size();
        if (end < start) {
            return Long.MAX_VALUE; // the window reaches past Long.MAX_VALUE: every later record is inside it
        }
        long mod = Math.floorMod(end, spec.step());
        long next = mod == 0 ? end : end + (spec.step() - mod);
        return next < end ? Long.MAX_VALUE : next;
    }

    /**
     * @return records dropped as out of order: for time windows, older than their stream's open window or its
     *         newest record; for count windows, older than the stream's previous record
     */
    public long lateRecords() {
        return late;
    }

    /**
     * @return records dropped as redeliveries: equal to their stream's previous record (timestamp, sequence number,
     *         values and flags)
     */
    public long duplicateRecords() {
        return duplicates;
    }

    /**
     * @return time-window records dropped because their window cannot be represented: its start would lie below
     *         {@link Long#MIN_VALUE}
     */
    public long outOfRangeRecords() {
        return outOfRange;
    }

    /** @return time windows skipped because no record fell into them */
    public long emptyWindows() {
        return empty;
    }

    /**
     * Builds one window from records, outside any stream state (for batch use).
     *
     * @param deviceId the device
     * @param stream   the stream
     * @param index    the window ordinal
     * @param records  the records, in time order
     * @param spec     the spec (channels and bands)
     * @return the window with features
     */
    public static Window window(String deviceId, String stream, long index, List<SensorRecord> records,
            WindowSpec spec) {
        return window(deviceId, stream, index, records, spec, List.of());
    }

    /**
     * Builds one window as {@link #window(String, String, long, List, WindowSpec)}, also holding channels the
     * stream has shown before: without channels in the spec, the window's channels are {@code known} followed by
     * any other channel of the records, and a known channel no record carries is all NaN ({@code MISSING}).
     *
     * @param deviceId the device
     * @param stream   the stream
     * @param index    the window ordinal
     * @param records  the records, in time order
     * @param spec     the spec (channels and bands)
     * @param known    channels the stream has shown (ignored when the spec names channels)
     * @return the window with features
     */
    public static Window window(String deviceId, String stream, long index, List<SensorRecord> records,
            WindowSpec spec, java.util.Collection<String> known) {
        int n = records.size();
        long[] ts = new long[n];
        LinkedHashSet<String> names = new LinkedHashSet<>(spec.channels());
        if (names.isEmpty()) {
            names.addAll(known);
            for (SensorRecord r : records) {
                names.addAll(r.channels().keySet());
            }
        }
        Window.Builder b = Window.builder().deviceId(deviceId).stream(stream).index(index);
        for (int i = 0; i < n; i++) {
            ts[i] = records.get(i).timestampMillis();
            for (QualityFlag f : records.get(i).flags()) {
                b.flag(f);
            }
        }
        b.timestamps(ts);
        boolean[] notAReading = new boolean[n];
        for (int i = 0; i < n; i++) {
            notAReading[i] = notAReading(records.get(i));
        }
        for (String c : names) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = notAReading[i] ? Double.NaN : records.get(i).value(c);
            }
            b.channel(c, v);
            Features.add(b, c, v, ts, spec.spectralBands());
        }
        return b.build();
    }

    /**
     * Whether a record is flagged {@code SATURATED}, {@code OFFLINE} or {@code OUT_OF_RANGE}: its values are not
     * readings, for every channel (flags are per record). {@link DeviceBaseline} applies the same rule.
     */
    static boolean notAReading(SensorRecord record) {
        Set<QualityFlag> f = record.flags();
        return f.contains(QualityFlag.SATURATED) || f.contains(QualityFlag.OFFLINE)
                || f.contains(QualityFlag.OUT_OF_RANGE);
    }

    private final class Stream {
        final String device;
        final String stream;
        final ArrayDeque<SensorRecord> buffer = new ArrayDeque<>();
        /** Channels the stream has shown, in first-seen order. */
        final LinkedHashSet<String> channels = new LinkedHashSet<>();
        /** Start of the open time window, once {@link #started}. */
        long start;
        boolean started;
        /** Whether a record was used yet, the last one and its timestamp. */
        boolean used;
        SensorRecord lastRecord;
        long last;
        long next;

        Stream(String device, String stream) {
            this.device = device;
            this.stream = stream;
        }

        void use(SensorRecord r) {
            used = true;
            lastRecord = r;
            last = r.timestampMillis();
            channels.addAll(r.channels().keySet());
        }

        Window emit(List<SensorRecord> records) {
            return window(device, stream, next++, records, spec, channels);
        }
    }
}
