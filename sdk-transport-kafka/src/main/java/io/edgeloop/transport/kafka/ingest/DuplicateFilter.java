package io.edgeloop.transport.kafka.ingest;

import io.edgeloop.api.record.IdempotencyKey;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Remembers which idempotency keys were seen, in bounded memory, to drop redelivered records.
 *
 * <p>Per (device, stream, epoch) it keeps the highest sequence below which every sequence was seen (the
 * <em>floor</em>) and a bit window of {@code window} sequences above it. A key at or below the floor, or whose
 * bit is set, is a duplicate. When a sequence arrives more than {@code window} above the floor (a gap the buffer
 * left, for example by dropping its oldest records), the floor moves up to make room and the unseen sequences it
 * passes count as {@linkplain #skipped() skipped}; should one of them arrive after all, it is dropped as a
 * {@link Verdict#DUPLICATE}. Forwarders send each device stream in order, so this only happens
 * after a gap wider than the window.
 *
 * <p>{@link #skipped()} is therefore not a count of records lost. It also counts sequences that were never
 * issued: a buffer that found the end of its log lost (format 1.2) raises its <em>sequence floor</em>, and every
 * stream continues above it, a jump of up to 65,535 sequences (or about 29 million once, for a buffer written
 * before 1.2). Records carry no floor, so the filter cannot tell such a jump from lost records; the device's
 * {@code edgeloop buffer verify} shows its floor, and its known losses.
 *
 * <p>Tracking of a stream starts at the first sequence the filter sees, which need not be the stream's lowest: a
 * consumer may meet a device's records out of order (the topic's partition count grew, so old and new records of
 * one device sit in two partitions; a stream forgotten by the bound below). A lower sequence arriving later was
 * never seen, so it is {@link Verdict#NEW}: the window is extended down to it when the newest sequence seen is
 * still within {@code window} of it (then its repeats are dropped as usual); further down the filter cannot
 * remember it and passes it, and a repeat of it, as new (a duplicate downstream, never a loss). At most {@code maxStreams} streams are tracked; the least recently seen is
 * forgotten first, after which its redeliveries would pass as new.
 *
 * <p>Memory: about {@code 100 + window / 8} bytes per tracked stream.
 *
 * <p>Not thread-safe: one consumer thread uses it.
 */
public final class DuplicateFilter {
    /**
     * What {@link #accept(IdempotencyKey)} decided.
     *
     * <p>Thread-safe: an enum (immutable).
     */
    public enum Verdict {
        /** First time seen: deliver it. */
        NEW,
        /** Seen before (or below the floor, where the filter no longer tells): drop it. */
        DUPLICATE
    }

    private final int window;
    private final int maxStreams;
    private final LinkedHashMap<StreamId, Stream> streams;
    private long skipped;
    private long evicted;

    /**
     * @param window     sequences tracked above each stream's floor, a positive multiple of 64
     * @param maxStreams the most streams tracked at once, at least 1
     */
    public DuplicateFilter(int window, int maxStreams) {
        if (window < 64 || window % 64 != 0) {
            throw new IllegalArgumentException("window must be a positive multiple of 64, got " + window);
        }
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be at least 1, got " + maxStreams);
        }
        this.window = window;
        this.maxStreams = maxStreams;
        this.streams = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<StreamId, Stream> eldest) {
                if (size() > DuplicateFilter.this.maxStreams) {
                    evicted++;
                    return true;
                }
                return false;
            }
        };
    }

    /**
     * Records a key and says whether its record is new.
     *
     * @param key the key
     * @return the verdict
     */
    public Verdict accept(IdempotencyKey key) {
        Objects.requireNonNull(key, "key");
        StreamId id = new StreamId(key.deviceId(), key.stream(), key.epoch());
        Stream s = streams.get(id);
        if (s == null) {
            s = new Stream(key.sequence() - 1, window);
            streams.put(id, s);
        }
        return s.accept(key.sequence());
    }

    /**
     * @return sequences the window moved past without having seen them (gaps upstream): records lost or dropped
     *         upstream, and also sequences never issued (a buffer's sequence floor jump), so not a loss count
     */
    public long skipped() {
        return skipped;
    }

    /** @return streams forgotten because more than {@code maxStreams} were tracked */
    public long evicted() {
        return evicted;
    }

    /** @return the number of streams tracked now */
    public int trackedStreams() {
        return streams.size();
    }

    private record StreamId(String device, String stream, long epoch) {
    }

    private final class Stream {
        private long floor;
        /** The lowest sequence tracked: every sequence from it up to the floor was seen (or skipped over). */
        private long base;
        /** The highest sequence seen. */
        private long top;
        private final long[] bits;

        Stream(long floor, int window) {
            this.floor = floor;
            this.base = floor + 1;
            this.top = floor + 1;
            this.bits = new long[window / 64];
        }

        Verdict accept(long seq) {
            if (seq < base) {
                return acceptBelowTracking(seq);
            }
            if (seq <= floor) {
                return Verdict.DUPLICATE;
            }
            top = Math.max(top, seq);
            if (seq > floor + window) {
                slide(seq - window);
            }
            if (get(seq)) {
                return Verdict.DUPLICATE;
            }
            set(seq, true);
            while (get(floor + 1)) {
                set(floor + 1, false);
                floor++;
            }
            return Verdict.NEW;
        }

        /**
         * A sequence below the first one tracked: never seen. Lowers the floor to just below it when every set bit
         * still fits the window, marking the tracked run from {@code base} to the old floor as seen.
         */
        private Verdict acceptBelowTracking(long seq) {
            if (top - (seq - 1) > window) {
                return Verdict.NEW; // too far below to remember; passing it again is a duplicate, not a loss
            }
            for (long s = base; s <= floor; s++) {
                set(s, true);
            }
            floor = seq - 1;
            base = seq;
            set(seq, true);
            while (get(floor + 1)) {
                set(floor + 1, false);
                floor++;
            }
            return Verdict.NEW;
        }

        /** Moves the floor up to {@code newFloor}, counting the unseen sequences passed. */
        private void slide(long newFloor) {
            if (newFloor - floor >= window) {
                long seen = 0;
                for (long w : bits) {
                    seen += Long.bitCount(w);
                }
                skipped += (newFloor - floor) - seen;
                Arrays.fill(bits, 0L);
                floor = newFloor;
            } else {
                while (floor < newFloor) {
                    if (!get(floor + 1)) {
                        skipped++;
                    }
                    set(floor + 1, false);
                    floor++;
                }
            }
            while (get(floor + 1)) {
                set(floor + 1, false);
                floor++;
            }
        }

        private boolean get(long seq) {
            int i = (int) Math.floorMod(seq, (long) window);
            return (bits[i >>> 6] & (1L << (i & 63))) != 0;
        }

        private void set(long seq, boolean on) {
            int i = (int) Math.floorMod(seq, (long) window);
            if (on) {
                bits[i >>> 6] |= 1L << (i & 63);
            } else {
                bits[i >>> 6] &= ~(1L << (i & 63));
            }
        }
    }
}
