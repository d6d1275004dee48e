package io.edgeloop.transport.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.transport.kafka.ingest.DuplicateFilter;
import io.edgeloop.transport.kafka.ingest.DuplicateFilter.Verdict;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DuplicateFilterTest {
    private static IdempotencyKey key(String device, long epoch, long seq) {
        return new IdempotencyKey(device, "s", epoch, seq);
    }

    @Test
    @DisplayName("passes each key once and drops every repeat")
    void dropsRepeats() {
        DuplicateFilter f = new DuplicateFilter(64, 10);
        for (long s = 1; s <= 200; s++) {
            assertEquals(Verdict.NEW, f.accept(key("a", 1, s)));
        }
        for (long s = 1; s <= 200; s++) {
            assertEquals(Verdict.DUPLICATE, f.accept(key("a", 1, s)), "sequence " + s);
        }
    }

    @Test
    @DisplayName("tells devices, streams and epochs apart")
    void separatesStreams() {
        DuplicateFilter f = new DuplicateFilter(64, 10);
        assertEquals(Verdict.NEW, f.accept(key("a", 1, 1)));
        assertEquals(Verdict.NEW, f.accept(key("b", 1, 1)));
        assertEquals(Verdict.NEW, f.accept(key("a", 2, 1)));
        assertEquals(Verdict.NEW, f.accept(new IdempotencyKey("a", "other", 1, 1)));
        assertEquals(Verdict.DUPLICATE, f.accept(key("a", 2, 1)));
    }

    @Test
    @DisplayName("drops resent batches that interleave with new records, within the window")
    void dropsInterleavedResends() {
        DuplicateFilter f = new DuplicateFilter(128, 10);
        Random r = new Random(42);
        long next = 1;
        int newCount = 0;
        for (int round = 0; round < 2000; round++) {
            if (next > 50 && r.nextInt(3) == 0) {
                long from = next - 1 - r.nextInt(50);
                for (long s = from; s < Math.min(next, from + 20); s++) {
                    assertEquals(Verdict.DUPLICATE, f.accept(key("a", 1, s)), "resent " + s);
                }
            } else {
                assertEquals(Verdict.NEW, f.accept(key("a", 1, next++)));
                newCount++;
            }
        }
        assertEquals(next - 1, newCount);
        assertEquals(0, f.skipped());
    }

    @Test
    @DisplayName("accepts out-of-order records inside the window exactly once")
    void outOfOrderInsideWindow() {
        DuplicateFilter f = new DuplicateFilter(64, 10);
        long[] order = {1, 5, 3, 2, 4, 9, 8, 7, 6, 10};
        for (long s : order) {
            assertEquals(Verdict.NEW, f.accept(key("a", 1, s)), "first " + s);
        }
        for (long s : order) {
            assertEquals(Verdict.DUPLICATE, f.accept(key("a", 1, s)), "again " + s);
        }
        assertEquals(Verdict.NEW, f.accept(key("a", 1, 11)));
    }

    @Test
    @DisplayName("a sequence lower than the first one seen is new, not a duplicate (records met out of order, e.g."
            + " after the partition count grew), and its repeats are dropped")
    void lowerThanFirstSeenIsNew() {
        DuplicateFilter f = new DuplicateFilter(64, 10);
        for (long s = 10; s <= 20; s++) {
            assertEquals(Verdict.NEW, f.accept(key("a", 1, s)), "first " + s);
        }
        for (long s = 9; s >= 1; s--) {
            assertEquals(Verdict.NEW, f.accept(key("a", 1, s)), "older record " + s + " arriving late");
        }
        for (long s = 1; s <= 20; s++) {
            assertEquals(Verdict.DUPLICATE, f.accept(key("a", 1, s)), "repeat " + s);
        }
        assertEquals(Verdict.NEW, f.accept(key("a", 1, 21)));
        assertEquals(0, f.skipped());
        // far below what the window can hold: passed (a possible duplicate downstream), never dropped as one
        DuplicateFilter g = new DuplicateFilter(64, 10);
        assertEquals(Verdict.NEW, g.accept(key("b", 1, 1000)));
        assertEquals(Verdict.NEW, g.accept(key("b", 1, 3)));
        assertEquals(Verdict.NEW, g.accept(key("b", 1, 990)));
        assertEquals(Verdict.DUPLICATE, g.accept(key("b", 1, 990)));
        assertEquals(Verdict.DUPLICATE, g.accept(key("b", 1, 1000)));
    }

    @Test
    @DisplayName("moves past a gap wider than the window and counts the sequences it skipped")
    void slidesOverGaps() {
        DuplicateFilter f = new DuplicateFilter(64, 10);
        for (long s = 1; s <= 10; s++) {
            f.accept(key("a", 1, s));
        }
        assertEquals(Verdict.NEW, f.accept(key("a", 1, 1000)));
        assertEquals(1000 - 64 - 10, f.skipped());
        assertEquals(Verdict.DUPLICATE, f.accept(key("a", 1, 1000)));
        assertEquals(Verdict.NEW, f.accept(key("a", 1, 999)));
        assertEquals(Verdict.NEW, f.accept(key("a", 1, 1001)));
        // Far below the window: 20 was skipped, never seen, so it passes; 5 was seen, so it is dropped.
        assertEquals(Verdict.NEW, f.accept(key("a", 1, 20)));
        assertEquals(Verdict.DUPLICATE, f.accept(key("a", 1, 20)));
        assertEquals(Verdict.DUPLICATE, f.accept(key("a", 1, 5)));
        assertEquals(1, f.arrivedLate());
    }

    @Test
    @DisplayName("a small jump slides the window one sequence at a time")
    void slidesByLittle() {
        DuplicateFilter f = new DuplicateFilter(64, 10);
        f.accept(key("a", 1, 1));
        f.accept(key("a", 1, 3));
        assertEquals(Verdict.NEW, f.accept(key("a", 1, 70)));
        // floor moved to 6: sequence 2, 4, 5 and 6 were never seen.
        assertEquals(4, f.skipped());
        assertEquals(Verdict.DUPLICATE, f.accept(key("a", 1, 3)));
        assertEquals(Verdict.NEW, f.accept(key("a", 1, 7)));
        assertEquals(Verdict.NEW, f.accept(key("a", 1, 5)), "skipped, never seen");
        assertEquals(Verdict.DUPLICATE, f.accept(key("a", 1, 5)));
    }

    @Test
    @DisplayName("a device read ahead of its older records (the topic grew from 1 to 2 partitions and the device"
            + " moved) gets every older record delivered once, however far behind they arrive")
    void olderRecordsAfterPartitionGrowthAreDelivered() {
        DuplicateFilter f = new DuplicateFilter(1024, 1000);
        for (long s = 1; s <= 50; s++) {
            assertEquals(Verdict.NEW, f.accept(key("d", 1, s)), "old partition " + s);
        }
        for (long s = 101; s <= 2100; s++) {
            assertEquals(Verdict.NEW, f.accept(key("d", 1, s)), "new partition " + s);
        }
        assertEquals(50, f.skipped());
        for (long s = 51; s <= 100; s++) {
            assertEquals(Verdict.NEW, f.accept(key("d", 1, s)), "old partition, read late " + s);
        }
        assertEquals(50, f.arrivedLate());
        for (long s = 1; s <= 2100; s++) {
            assertEquals(Verdict.DUPLICATE, f.accept(key("d", 1, s)), "repeat " + s);
        }
    }

    @Test
    @DisplayName("never drops a sequence it has not seen, whatever the order, resends and gaps, even when it must"
            + " forget gap ranges beyond its bound")
    void neverDropsUnseen() {
        for (int maxGaps : new int[] {1, 3, 16}) {
            Random r = new Random(7 + maxGaps);
            DuplicateFilter f = new DuplicateFilter(64, 4, maxGaps);
            Set<Long> seen = new HashSet<>();
            long next = 1;
            long dropped = 0;
            List<Long> held = new ArrayList<>();
            for (int step = 0; step < 200_000; step++) {
                long seq;
                int what = r.nextInt(10);
                if (what < 5) {
                    seq = next++;
                } else if (what < 6) {
                    next += 1 + r.nextInt(300); // a gap: these sequences may come later (held) or never
                    for (long s = next - 20; s < next; s++) {
                        if (r.nextBoolean()) {
                            held.add(s);
                        }
                    }
                    continue;
                } else if (what < 8 && !held.isEmpty()) {
                    seq = held.remove(r.nextInt(held.size())); // a late record from far behind
                } else {
                    seq = Math.max(1, next - 1 - r.nextInt(100)); // a resend, seen or not
                }
                Verdict v = f.accept(key("a", 1, seq));
                if (!seen.contains(seq)) {
                    assertEquals(Verdict.NEW, v, "sequence " + seq + " never seen (maxGaps " + maxGaps + ")");
                } else if (v == Verdict.DUPLICATE) {
                    dropped++;
                }
                seen.add(seq);
            }
            assertTrue(dropped > 1000, "still drops repeats: " + dropped);
        }
    }

    @Test
    @DisplayName("beyond maxGaps gap ranges, merges the two closest: the sequences seen between them pass again"
            + " (a possible duplicate), the unseen ones still pass once")
    void boundsGapsByPassingPossibleDuplicates() {
        DuplicateFilter f = new DuplicateFilter(64, 4, 2);
        f.accept(key("a", 1, 1));
        f.accept(key("a", 1, 100)); // the floor moves to 36 past gap 2..36
        f.accept(key("a", 1, 37));
        // the floor moves to 136 past 38..99 and 101..136: three gaps, one over the bound, so the two closest
        // (2..36 and 38..99, one seen sequence apart) become one, 2..99
        assertEquals(Verdict.NEW, f.accept(key("a", 1, 200)));
        assertEquals(Verdict.NEW, f.accept(key("a", 1, 37)), "seen, but forgotten in the merged gap");
        assertEquals(Verdict.DUPLICATE, f.accept(key("a", 1, 100)), "seen, between gaps still apart");
        assertEquals(Verdict.DUPLICATE, f.accept(key("a", 1, 1)), "seen, below every gap");
        for (long s = 2; s <= 136; s++) {
            if (s != 37 && s != 100) {
                assertEquals(Verdict.NEW, f.accept(key("a", 1, s)), "never seen " + s);
            }
        }
        assertEquals(35 + 62 + 36, f.skipped());
        assertEquals(1 + 35 + 62 + 36, f.arrivedLate(), "37 passed from a gap too");
    }

    @Test
    @DisplayName("keeps at most maxStreams streams, forgetting the least recently seen")
    void boundsStreams() {
        DuplicateFilter f = new DuplicateFilter(64, 3);
        for (int d = 0; d < 5; d++) {
            f.accept(key("d" + d, 1, 1));
        }
        assertEquals(3, f.trackedStreams());
        assertEquals(2, f.evicted());
        assertEquals(Verdict.DUPLICATE, f.accept(key("d4", 1, 1)));
        assertEquals(Verdict.NEW, f.accept(key("d0", 1, 1)), "forgotten stream passes again");
    }

    @Test
    @DisplayName("rejects a window that is not a positive multiple of 64")
    void rejectsBadWindow() {
        assertThrows(IllegalArgumentException.class, () -> new DuplicateFilter(100, 1));
        assertThrows(IllegalArgumentException.class, () -> new DuplicateFilter(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new DuplicateFilter(64, 0));
        assertThrows(IllegalArgumentException.class, () -> new DuplicateFilter(64, 1, 0));
    }
}
