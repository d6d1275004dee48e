package io.edgeloop.examples.bench.ingest;

import io.edgeloop.api.record.SensorRecord;
import java.util.BitSet;
import java.util.List;

/**
 * The consumer side's bookkeeping: which (device, sequence) pairs arrived, how many arrived again after
 * deduplication, and how many arrived after a higher sequence of the same device (order violations).
 *
 * <p>Thread-safe: {@link #accept} and the getters synchronize on a private lock.
 */
final class IngestVerifier {
    private final int devices;
    private final int records;
    private final BitSet seen;
    private final long[] highest;
    private final Object lock = new Object();
    private long distinct;
    private long duplicates;
    private long orderViolations;
    private long unexpected;
    private long lastArrivalNanos;

    /**
     * @param devices the number of devices
     * @param records records per device
     */
    IngestVerifier(int devices, int records) {
        this.devices = devices;
        this.records = records;
        this.seen = new BitSet(Math.multiplyExact(devices, records));
        this.highest = new long[devices];
    }

    /**
     * Accounts for records as the consumer delivered them, in delivery order.
     *
     * @param batch the records
     */
    void accept(List<SensorRecord> batch) {
        if (batch.isEmpty()) {
            return;
        }
        synchronized (lock) {
            for (SensorRecord r : batch) {
                int d = DeviceBuffers.deviceIndex(r.deviceId());
                long seq = r.sequence();
                if (d < 0 || d >= devices || seq < 1 || seq > records) {
                    unexpected++;
                    continue;
                }
                int bit = d * records + (int) (seq - 1);
                if (seen.get(bit)) {
                    duplicates++;
                    continue;
                }
                seen.set(bit);
                distinct++;
                if (seq < highest[d]) {
                    orderViolations++;
                }
                highest[d] = Math.max(highest[d], seq);
            }
            lastArrivalNanos = System.nanoTime();
        }
    }

    /** @return distinct expected records received */
    long distinct() {
        synchronized (lock) {
            return distinct;
        }
    }

    /** @return records received again although the source deduplicates */
    long duplicates() {
        synchronized (lock) {
            return duplicates;
        }
    }

    /** @return records that arrived after a higher sequence of their device */
    long orderViolations() {
        synchronized (lock) {
            return orderViolations;
        }
    }

    /** @return records of unknown devices or out-of-range sequences */
    long unexpected() {
        synchronized (lock) {
            return unexpected;
        }
    }

    /** @return {@link System#nanoTime()} of the last delivery with records */
    long lastArrivalNanos() {
        synchronized (lock) {
            return lastArrivalNanos;
        }
    }
}
