package io.edgeloop.labeling.lf;

import io.edgeloop.api.window.Window;
import java.util.Objects;
import java.util.Set;

/**
 * Building blocks for rule labellers: thresholds and ranges on features, duration rules (a condition on raw
 * samples holding for at least k consecutive samples), rates of change, and cross-sensor comparisons.
 *
 * <p>Thread-safe: static factories of immutable conditions.
 */
public final class Conditions {
    private Conditions() {
    }

    /**
     * A feature of the window, by its exact name ({@code <channel>.<statistic>} for
     * {@link io.edgeloop.labeling.window.Windower} windows, with the channel's own case: {@code CO2.mean},
     * {@code Light.max}). UNKNOWN when the window has no such feature or it is NaN; a name that none of a run's
     * windows has (a typo, the wrong case) is reported by {@link LfApplier} ({@link LfRun#missingInputs()}).
     *
     * @param feature a feature name such as {@code CO2.mean}
     * @return a builder of threshold conditions on it
     */
    public static Threshold feature(String feature) {
        Objects.requireNonNull(feature, "feature");
        return new Threshold(w -> {
            Double v = w.features().get(feature);
            return v == null ? Double.NaN : v;
        }, feature, Set.of(feature), Set.of());
    }

    /**
     * Cross-sensor ratio {@code a / b} of two features, UNKNOWN when either is missing or b is 0.
     *
     * @param a numerator feature
     * @param b denominator feature
     * @return a builder of threshold conditions on the ratio
     */
    public static Threshold ratio(String a, String b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        return new Threshold(w -> {
            Double x = w.features().get(a);
            Double y = w.features().get(b);
            return x == null || y == null || y == 0 ? Double.NaN : x / y;
        }, a + "/" + b, Set.copyOf(java.util.List.of(a, b)), Set.of());
    }

    /**
     * Cross-sensor difference {@code a - b} of two features.
     *
     * @param a first feature
     * @param b second feature
     * @return a builder of threshold conditions on the difference
     */
    public static Threshold difference(String a, String b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        return new Threshold(w -> {
            Double x = w.features().get(a);
            Double y = w.features().get(b);
            return x == null || y == null ? Double.NaN : x - y;
        }, a + "-" + b, Set.copyOf(java.util.List.of(a, b)), Set.of());
    }

    /**
     * Rate of change of a channel over the window, in units per second: (last - first) / elapsed seconds of the
     * raw samples. UNKNOWN when the channel is absent, has a missing or infinite (non-finite) endpoint, or spans no
     * time (flagged samples are NaN in a {@link io.edgeloop.labeling.window.Windower} window, so they are UNKNOWN
     * too).
     *
     * @param channel the channel
     * @return a builder of threshold conditions on the rate
     */
    public static Threshold rate(String channel) {
        Objects.requireNonNull(channel, "channel");
        return new Threshold(w -> {
            int c = w.channelIndex(channel);
            int n = w.size();
            if (c < 0 || n < 2 || w.timestamp(n - 1) == w.timestamp(0)) {
                return Double.NaN;
            }
            double first = w.value(c, 0);
            double last = w.value(c, n - 1);
            if (!Double.isFinite(first) || !Double.isFinite(last)) {
                return Double.NaN;
            }
            // The span as a double: exact enough, and no overflow for timestamps far apart.
            return (last - first) / (((double) w.timestamp(n - 1) - (double) w.timestamp(0)) / 1000.0);
        }, channel + ".rate", Set.of(), Set.of(channel));
    }

    /**
     * Duration rule: TRUE when at least {@code k} consecutive raw samples of the channel satisfy
     * {@code value > threshold} ({@code above = true}) or {@code value < threshold}. A missing (NaN) or infinite
     * sample is not a reading: it breaks a run; UNKNOWN when no run is found and some sample was not a reading, or
     * when the channel is absent.
     *
     * @param channel   the channel
     * @param above     true for "above", false for "below"
     * @param threshold the threshold
     * @param k         the run length, at least 1
     * @return the condition
     */
    public static Condition sustained(String channel, boolean above, double threshold, int k) {
        Objects.requireNonNull(channel, "channel");
        if (Double.isNaN(threshold)) {
            throw new IllegalArgumentException("sustained(" + channel + ") threshold is NaN; give a number");
        }
        if (k < 1) {
            throw new IllegalArgumentException("run length k must be >= 1, got " + k);
        }
        return DescribedCondition.of("sustained(" + channel + (above ? " > " : " < ") + threshold + " for >= " + k
                + " samples)", Set.of(), Set.of(channel), w -> {
            int c = w.channelIndex(channel);
            if (c < 0) {
                return Condition.UNKNOWN;
            }
            int run = 0;
            boolean sawNaN = false;
            for (int i = 0; i < w.size(); i++) {
                double v = w.value(c, i);
                if (!Double.isFinite(v)) {
                    sawNaN = true;
                    run = 0;
                    continue;
                }
                run = (above ? v > threshold : v < threshold) ? run + 1 : 0;
                if (run >= k) {
                    return Condition.TRUE;
                }
            }
            return sawNaN ? Condition.UNKNOWN : Condition.FALSE;
        });
    }

    /** Reads a number from a window; NaN means unknown. Implementations must be thread-safe. */
    @FunctionalInterface
    public interface Measure {
        /**
         * @param w the window
         * @return the value, NaN when unknown
         */
        double of(Window w);
    }

    /** Builds threshold conditions on one measure. Thread-safe: immutable. */
    public static final class Threshold {
        private final Measure measure;
        private final String label;
        private final Set<String> features;
        private final Set<String> channels;

        Threshold(Measure measure, String label) {
            this(measure, label, Set.of(), Set.of());
        }

        Threshold(Measure measure, String label, Set<String> features, Set<String> channels) {
            this.measure = measure;
            this.label = label;
            this.features = features;
            this.channels = channels;
        }

        /**
         * @param x the threshold, not NaN
         * @return TRUE when the measure is strictly above x (+infinity included); UNKNOWN when it is NaN
         * @throws IllegalArgumentException when {@code x} is NaN (the condition could never hold)
         */
        public Condition above(double x) {
            requireNumber(x);
            Measure m = measure;
            return DescribedCondition.of(label + " > " + x, features, channels, w -> {
                double v = m.of(w);
                return Double.isNaN(v) ? Condition.UNKNOWN : v > x ? Condition.TRUE : Condition.FALSE;
            });
        }

        /**
         * @param x the threshold, not NaN
         * @return TRUE when the measure is strictly below x (-infinity included); UNKNOWN when it is NaN
         * @throws IllegalArgumentException when {@code x} is NaN (the condition could never hold)
         */
        public Condition below(double x) {
            requireNumber(x);
            Measure m = measure;
            return DescribedCondition.of(label + " < " + x, features, channels, w -> {
                double v = m.of(w);
                return Double.isNaN(v) ? Condition.UNKNOWN : v < x ? Condition.TRUE : Condition.FALSE;
            });
        }

        private void requireNumber(double x) {
            if (Double.isNaN(x)) {
                throw new IllegalArgumentException("threshold on " + label + " is NaN; a NaN threshold never holds, "
                        + "give a number");
            }
        }

        /**
         * @param lo lower bound, inclusive
         * @param hi upper bound, inclusive
         * @return TRUE when lo &lt;= measure &lt;= hi
         */
        public Condition between(double lo, double hi) {
            if (!(lo <= hi)) {
                throw new IllegalArgumentException("range on " + label + " needs lo <= hi, got [" + lo + ", " + hi + "]");
            }
            Measure m = measure;
            return DescribedCondition.of(label + " in [" + lo + ", " + hi + "]", features, channels, w -> {
                double v = m.of(w);
                return Double.isNaN(v) ? Condition.UNKNOWN : v >= lo && v <= hi ? Condition.TRUE : Condition.FALSE;
            });
        }
    }
}
