package io.edgeloop.ota.agent;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link DeviceStorage} in memory, with the same crash semantics as {@link FileDeviceStorage}: an interrupted
 * {@link #write} leaves the first half of the value. Used by the fleet simulator for thousands of devices.
 *
 * <p>Thread-safe.
 */
public final class MemoryDeviceStorage implements DeviceStorage {
    private final ConcurrentHashMap<String, byte[]> values = new ConcurrentHashMap<>();

    /** Creates empty storage. */
    public MemoryDeviceStorage() {
    }

    @Override
    public Optional<byte[]> read(String name) {
        byte[] v = values.get(name);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    @Override
    public void writeAtomic(String name, byte[] data) {
        values.put(name, data.clone());
    }

    @Override
    public void write(String name, byte[] data, Runnable midWrite) {
        values.put(name, Arrays.copyOf(data, data.length / 2));
        if (midWrite != null) {
            midWrite.run();
        }
        values.put(name, data.clone());
    }

    @Override
    public void delete(String name) {
        values.remove(name);
    }

    /**
     * Returns an independent copy (a factory image for many simulated devices).
     *
     * @return the copy
     */
    public MemoryDeviceStorage copy() {
        MemoryDeviceStorage c = new MemoryDeviceStorage();
        c.values.putAll(values);
        return c;
    }

    /**
     * Flips one bit of a stored value (storage corruption, for tests).
     *
     * @param name the name
     * @param at   the byte index
     */
    public void corrupt(String name, int at) {
        values.computeIfPresent(name, (k, v) -> {
            byte[] c = v.clone();
            c[at % c.length] ^= 1;
            return c;
        });
    }
}
