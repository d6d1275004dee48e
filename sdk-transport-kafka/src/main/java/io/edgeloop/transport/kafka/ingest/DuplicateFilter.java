package io.edgeloop.transport.kafka.ingest;

import io.edgeloop.api.record.IdempotencyKey;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Remembers which idempotency keys were seen, in bounded memory, to drop redelivered records. A sequence it has
 * never seen is never dropped: when memory runs short it forgets in the direction of passing a record twice
 * (a possible duplicate downstream), never of dropping one.
 *
 * <p>Per (device, stream, epoch) it keeps the highest sequence below which every sequence was seen or skipped
 * (the <em>floor</em>), a bit window of {@code window} sequences above it, and the ranges of sequences the floor
 * passed without having seen them (<em>gaps</em>). A key whose bit is set, or at or below the floor and in no
 * gap, is a {@link Verdict#DUPLICATE}. When a sequence arrives more than {@code window} above the floor (a gap
 * the buffer left by dropping its oldest records; a device whose partition changed when the topic grew, read
 * ahead of its older records), the floor moves up to make room and the unseen sequences it passes are
 * {@linkplain #skipped() counted} and kept as gaps. Should one of them arrive after all it is {@link Verdict#NEW}
 * ({@linkplain #arrivedLate() counted}) and leaves its gap, so a repeat of it is dropped.
 *
 * <p>At most {@code maxGaps} gap ranges are kept per stream. One more merges the two ranges closest together:
 * the sequences seen between them count as unseen again, so a redelivery of one of them passes as new (a
 * duplicate downstream, never a loss).
 *
 * <p>{@link #skipped()} is not a count of records lost. It also counts sequences that were never issued: a
 * buffer that found the end of its log lost (format 1.2) raises its <em>sequence floor</em>, and every stream
 * continues above it, a jump of up to 65,535 sequences (or about 29 million once, for a buffer written before
 * 1.2). Records carry no floor, so the filter cannot tell such a jump from lost records; the device's
 * {@code edgeloop buffer verify} shows its floor, and its known losses.
 *
 * <p>Tracking of a stream starts at the first sequence the filter sees, which need not be the stream's lowest: a
 * consumer may meet a device's records out of order (the topic's partition count grew, so old and new records of
 * one device sit in two partitions; a stream forgotten by the bound below). A lower sequence arriving later was
 * never seen, so it is {@link Verdict#NEW}: the window is extended down to it when the newest sequence seen is
 * still within {@code window} of it and no gap is kept (then its repeats are dropped as usual); otherwise the
 * filter does not remember it and passes it, and a repeat of it, as new (a duplicate downstream, never a loss).
 * At most {@code maxStreams} streams are tracked; the least recently seen is forgotten first, after which its
 * redeliveries pass as new.
 *
 * <p>Memory per tracked stream, measured on a 64-bit JVM with compressed references (200,000 streams): about
 * {@code 160 + window / 8} bytes (290 at the default window of 1024, 169 at 64), plus the device id string (about
 * 60 bytes for a 13-character id), plus, in a stream that has gaps, an array of 4 gap ranges (80 bytes) growing to
 * {@code maxGaps + 1} (288 bytes at the default 16). A stream read in order without gaps has no array.
 *
 * <p>Not thread-safe: one consumer thread uses it.
 */
public final class DuplicateFilter {
    /** Gap ranges kept per stream by {@link #DuplicateFilter(int, int)}. */
    public static final int DEFAULT_MAX_GAPS = 16;

    /**
     * What {@link #accept(IdempotencyKey)} decided.
     *
     * <p>Thread-safe: an enum (immutable).
     */
    public enum Verdict {
        /** Not seen before (or no longer remembered): deliver it. */
        NEW,
        /** Seen before: drop it. */
        DUPLICATE
    }

    private final int window;
    private final int maxStreams;
    private final int maxGaps;
    private final LinkedHashMap<StreamId, Stream> streams;
    private long skipped;
    private long arrivedLate;
    private long evicted;

    /**
     * A filter keeping {@value #DEFAULT_MAX_GAPS} gap ranges per stream.
     *
     * @param window     sequences tracked above each stream's floor, a positive multiple of 64
     * @param maxStreams the most streams tracked at once, at least 1
     */
    public DuplicateFilter(int window, int maxStreams) {
        this(window, maxStreams, DEFAULT_MAX_GAPS);
    }

    /**
     * @param window     sequences tracked above each stream's floor, a positive multiple of 64
     * @param maxStreams the most streams tracked at once, at least 1
     * @param maxGaps    the most ranges of skipped sequences remembered per stream, at least 1
     */
    public DuplicateFilter(int window, int maxStreams, int maxGaps) {
        if (window < 64 || window % 64 != 0) {
            throw new IllegalArgumentException("window must be a positive multiple of 64, got " + window);
        }
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be at least 1, got " + maxStreams);
        }
        if (maxGaps < 1) {
            throw new IllegalArgumentException("maxGaps must be at least 1, got " + maxGaps);
        }
        this.window = window;
        this.maxStreams = maxStreams;
        this.maxGaps = maxGaps;
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
     *         upstream, records still to come out of order, and also sequences never issued (a buffer's sequence
     *         floor jump), so not a loss count
     */
    public long skipped() {
        return skipped;
    }

    /**
     * @return sequences passed as new from a gap: skipped sequences that arrived after all, and, once gap ranges
     *         were merged over the bound, seen sequences resent from between them (possible duplicates)
     */
    public long arrivedLate() {
        return arrivedLate;
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
        /** The lowest sequence tracked: every sequence from it up to the floor was seen or is in a gap. */
        private long base;
        /** The highest sequence seen. */
        private long top;
        private final long[] bits;
        /** Gap ranges below the floor, ascending and disjoint: from at [2i], to at [2i + 1]; null while none. */
        private long[] gaps;
        private int gapCount;

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
                return acceptBelowFloor(seq);
            }
            top = Math.max(top, seq);
            if (seq > floor + window) {
                slide(seq - window);
            }
            if (get(seq)) {
                return Verdict.DUPLICATE;
            }
            set(seq, true);
            advanceFloor();
            return Verdict.NEW;
        }

        /**
         * A sequence below the first one tracked: never seen. Lowers the floor to just below it when every set bit
         * still fits the window (and no gap is kept, which also means the run from {@code base} to the floor was
         * all seen), marking that run as seen.
         */
        private Verdict acceptBelowTracking(long seq) {
            if (gapCount > 0 || top - (seq - 1) > window) {
                return Verdict.NEW; // too far below to remember; passing it again is a duplicate, not a loss
            }
            for (long s = base; s <= floor; s++) {
                set(s, true);
            }
            floor = seq - 1;
            base = seq;
            set(seq, true);
            advanceFloor();
            return Verdict.NEW;
        }

        /** At or below the floor: seen, unless the floor passed it unseen (then it is in a gap). */
        private Verdict acceptBelowFloor(long seq) {
            for (int i = 0; i < gapCount; i++) {
                long from = gaps[2 * i];
                long to = gaps[2 * i + 1];
                if (seq < from) {
                    break;
                }
                if (seq <= to) {
                    removeFromGap(i, seq);
                    arrivedLate++;
                    return Verdict.NEW;
                }
            }
            return Verdict.DUPLICATE;
        }

        private void removeFromGap(int i, long seq) {
            long from = gaps[2 * i];
            long to = gaps[2 * i + 1];
            if (from == to) {
                System.arraycopy(gaps, 2 * i + 2, gaps, 2 * i, 2 * (gapCount - i - 1));
                gapCount--;
            } else if (seq == from) {
                gaps[2 * i] = seq + 1;
            } else if (seq == to) {
                gaps[2 * i + 1] = seq - 1;
            } else {
                gaps[2 * i + 1] = seq - 1;
                insertGap(i + 1, seq + 1, to);
            }
        }

        /** Moves the floor up to {@code newFloor}, keeping the unseen sequences passed as gaps. */
        private void slide(long newFloor) {
            long end = Math.min(newFloor, floor + window);
            for (long s = floor + 1; s <= end; s++) {
                if (get(s)) {
                    set(s, false);
                } else {
                    addGap(s, s);
                }
            }
            if (newFloor > end) {
                addGap(end + 1, newFloor);
            }
            floor = newFloor;
            advanceFloor();
        }

        private void advanceFloor() {
            while (get(floor + 1)) {
                set(floor + 1, false);
                floor++;
            }
        }

        /** Appends the unseen range [from, to] just passed by the floor, so above every gap kept. */
        private void addGap(long from, long to) {
            skipped += to - from + 1;
            if (gapCount > 0 && gaps[2 * gapCount - 1] == from - 1) {
                gaps[2 * gapCount - 1] = to;
            } else {
                insertGap(gapCount, from, to);
            }
        }

        private void insertGap(int i, long from, long to) {
            if (gaps == null) {
                gaps = new long[2 * Math.min(4, maxGaps + 1)];
            } else if (2 * gapCount == gaps.length) {
                gaps = Arrays.copyOf(gaps, 2 * Math.min(2 * gapCount, maxGaps + 1));
            }
            System.arraycopy(gaps, 2 * i, gaps, 2 * i + 2, 2 * (gapCount - i));
            gaps[2 * i] = from;
            gaps[2 * i + 1] = to;
            gapCount++;
            if (gapCount > maxGaps) {
                mergeClosestGaps();
            }
        }

        /**
         * Over the bound: joins the two gaps with the fewest sequences between them, which are then treated as
         * unseen (a redelivery of one passes as new), never the other way round.
         */
        private void mergeClosestGaps() {
            int best = 0;
            for (int i = 1; i < gapCount - 1; i++) {
                if (gaps[2 * i + 2] - gaps[2 * i + 1] < gaps[2 * best + 2] - gaps[2 * best + 1]) {
                    best = i;
                }
            }
            gaps[2 * best + 1] = gaps[2 * best + 3];
            System.arraycopy(gaps, 2 * best + 4, gaps, 2 * best + 2, 2 * (gapCount - best - 2));
            gapCount--;
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
