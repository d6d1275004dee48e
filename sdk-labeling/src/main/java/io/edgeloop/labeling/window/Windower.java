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

/**
 * Groups {@link SensorRecord}s into {@link Window}s per device and stream, by count or time, tumbling or
 * sliding, and computes {@link Features}. Records must arrive in time order per device and stream; a record
 * older than the stream's previous record (or, for time windows, than the open window's start) is counted in
 * {@link #lateRecords()} and not used, for count and time windows alike (never silently merged into the wrong
 * window).
 *
 * <p>Missing data is explicit: a record without a channel contributes NaN for it; any NaN or flagged sample
 * marks the window ({@link Window#hasBadData()}) and makes that channel's features NaN. Time windows with no
 * records are not emitted; they are counted in {@link #emptyWindows()}.
 *
 * <p>Not thread-safe: use one instance per ingest thread, or guard it externally.
 */
public final class Windower {
    private final WindowSpec spec;
    private final Map<String, Stream> streams = new LinkedHashMap<>();
    private long late;
    private long empty;

    /**
     * @param spec the windowing spec
     */
    public Windower(WindowSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
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
        if (spec.unit() == WindowSpec.Unit.SAMPLES) {
            // The buffer may have been emptied by a tumbling window, so compare with the last record used.
            if (t < s.last) {
                late++;
                return out;
            }
            s.last = t;
            s.buffer.add(record);
            while (s.buffer.size() >= spec.size()) {
                out.add(s.emit(new ArrayList<>(s.buffer).subList(0, (int) spec.size())));
                for (long i = 0; i < spec.step(); i++) {
                    s.buffer.pollFirst();
                }
            }
            return out;
        }
        if (s.start == Long.MIN_VALUE) {
            s.start = Math.floorDiv(t, spec.step()) * spec.step();
        }
        if (t < s.start || (!s.buffer.isEmpty() && t < s.buffer.peekLast().timestampMillis())) {
            late++;
            return out;
        }
        while (t >= s.start + spec.size()) {
            List<SensorRecord> in = new ArrayList<>();
            for (SensorRecord r : s.buffer) {
                if (r.timestampMillis() < s.start + spec.size()) {
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
                // Skip over a gap in one go instead of stepping through every empty window.
                long target = Math.floorDiv(t - spec.size(), spec.step()) * spec.step() + spec.step();
                if (target > s.start) {
                    empty += (target - s.start) / spec.step();
                    s.start = target;
                }
            }
        }
        s.buffer.add(record);
        return out;
    }

    /**
     * Emits the open, incomplete windows (for example at the end of a file), one per device and stream with data.
     *
     * @return the partial windows
     */
    public List<Window> flush() {
        List<Window> out = new ArrayList<>();
        for (Stream s : streams.values()) {
            if (!s.buffer.isEmpty()) {
                out.add(s.emit(new ArrayList<>(s.buffer)));
                s.buffer.clear();
            }
        }
        return out;
    }

    /**
     * @return records dropped as out of order: for time windows, older than their stream's open window or its
     *         newest record; for count windows, older than the stream's previous record
     */
    public long lateRecords() {
        return late;
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
        int n = records.size();
        long[] ts = new long[n];
        LinkedHashSet<String> names = new LinkedHashSet<>(spec.channels());
        if (names.isEmpty()) {
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
        for (String c : names) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = records.get(i).value(c);
            }
            b.channel(c, v);
            Features.add(b, c, v, ts, spec.spectralBands());
        }
        return b.build();
    }

    private final class Stream {
        final String device;
        final String stream;
        final ArrayDeque<SensorRecord> buffer = new ArrayDeque<>();
        long start = Long.MIN_VALUE;
        /** Timestamp of the last record used (count windows). */
        long last = Long.MIN_VALUE;
        long next;

        Stream(String device, String stream) {
            this.device = device;
            this.stream = stream;
        }

        Window emit(List<SensorRecord> records) {
            return window(device, stream, next++, records, spec);
        }
    }
}
