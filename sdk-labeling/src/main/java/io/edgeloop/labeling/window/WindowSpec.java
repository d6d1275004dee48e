package io.edgeloop.labeling.window;

import java.util.List;
import java.util.Objects;

/**
 * How records become windows: by sample count or by time, tumbling (step = size) or sliding (step &lt; size),
 * over which channels, and whether to add spectral band energies.
 *
 * <p>Thread-safe: immutable.
 */
public final class WindowSpec {
    /**
     * Whether size and step count samples or milliseconds.
     *
     * <p>Thread-safe: an enum (immutable).
     */
    public enum Unit {
        /** Sizes are sample counts. */
        SAMPLES,
        /** Sizes are milliseconds; windows are aligned to multiples of the step since the epoch. */
        MILLIS
    }

    private final Unit unit;
    private final long size;
    private final long step;
    private final List<String> channels;
    private final int spectralBands;

    private WindowSpec(Builder b) {
        this.unit = b.unit;
        this.size = b.size;
        this.step = b.step;
        this.channels = List.copyOf(b.channels);
        this.spectralBands = b.spectralBands;
    }

    /**
     * @param samples window size in samples
     * @return a builder for tumbling count windows
     */
    public static Builder bySamples(int samples) {
        return new Builder(Unit.SAMPLES, samples);
    }

    /**
     * @param millis window length in milliseconds
     * @return a builder for tumbling time windows
     */
    public static Builder byMillis(long millis) {
        return new Builder(Unit.MILLIS, millis);
    }

    /** @return the unit of size and step */
    public Unit unit() {
        return unit;
    }

    /** @return the window size */
    public long size() {
        return size;
    }

    /** @return the step between window starts */
    public long step() {
        return step;
    }

    /** @return the channels to keep; empty means every channel seen in a window's records */
    public List<String> channels() {
        return channels;
    }

    /** @return the number of spectral bands per channel, 0 for none */
    public int spectralBands() {
        return spectralBands;
    }

    @Override
    public String toString() {
        return "WindowSpec[" + unit + " size=" + size + " step=" + step + " channels=" + channels + " bands="
                + spectralBands + "]";
    }

    /** Builder for {@link WindowSpec}. Not thread-safe. */
    public static final class Builder {
        private final Unit unit;
        private final long size;
        private long step;
        private List<String> channels = List.of();
        private int spectralBands;

        private Builder(Unit unit, long size) {
            this.unit = unit;
            this.size = size;
            this.step = size;
        }

        /**
         * Makes windows slide: a new window starts every {@code step} samples or milliseconds.
         *
         * @param step the step, in the window's unit, in [1, size]
         * @return this builder
         */
        public Builder step(long step) {
            this.step = step;
            return this;
        }

        /**
         * @param channels the channels to keep, in order (others are ignored)
         * @return this builder
         */
        public Builder channels(List<String> channels) {
            this.channels = List.copyOf(Objects.requireNonNull(channels, "channels"));
            return this;
        }

        /**
         * Adds {@code <channel>.band<i>} features: the share of the (mean-removed) signal's energy in each of
         * {@code bands} equal-width frequency bands, by a direct DFT (cheap for windows up to a few hundred
         * samples).
         *
         * @param bands number of bands, 0 to 16
         * @return this builder
         */
        public Builder spectralBands(int bands) {
            this.spectralBands = bands;
            return this;
        }

        /**
         * @return the spec
         * @throws IllegalArgumentException when size, step or bands are out of range
         */
        public WindowSpec build() {
            if (size < 1 || (unit == Unit.SAMPLES && size > 1_000_000)) {
                throw new IllegalArgumentException("window size must be in [1, 1000000] samples or >= 1 ms, got " + size);
            }
            if (step < 1 || step > size) {
                throw new IllegalArgumentException("window step must be in [1, size=" + size + "], got " + step);
            }
            if (spectralBands < 0 || spectralBands > 16) {
                throw new IllegalArgumentException("spectralBands must be in [0, 16], got " + spectralBands);
            }
            return new WindowSpec(this);
        }
    }
}
