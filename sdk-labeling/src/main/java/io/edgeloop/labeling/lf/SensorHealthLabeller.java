package io.edgeloop.labeling.lf;

import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.record.QualityFlag;
import io.edgeloop.api.window.Window;
import java.util.List;
import java.util.Objects;

/**
 * Wraps a labeller and abstains when the channels it relies on are unhealthy: the window carries a
 * {@code SATURATED}, {@code OFFLINE} or {@code OUT_OF_RANGE} flag; a channel is absent or has missing samples;
 * a sample sits at or beyond the sensor's saturation limits; or, when flat-line detection is on, a channel is
 * flat-lined (every sample identical over at least {@code minSamplesForFlatline} samples, the usual sign of a
 * stuck or disconnected sensor). Flat-line detection suits only channels that never sit at one value while
 * healthy: a lux sensor reads exactly 0 all night and a CO2 sensor can repeat its reading, so it is off
 * ({@code 0}) unless asked for.
 *
 * <p>Thread-safe: immutable, provided the delegate is.
 */
public final class SensorHealthLabeller implements Labeller {
    private final Labeller delegate;
    private final List<String> channels;
    private final double low;
    private final double high;
    private final int minSamplesForFlatline;

    /**
     * @param delegate              the labeller to guard
     * @param channels              the channels it relies on
     * @param low                   lower saturation limit (samples &lt;= low are saturated)
     * @param high                  upper saturation limit (samples &gt;= high are saturated)
     * @param minSamplesForFlatline windows with at least this many identical samples count as offline; 0 disables
     * @throws IllegalArgumentException when there are no channels, {@code low >= high} or
     *                                  {@code minSamplesForFlatline} is negative
     */
    public SensorHealthLabeller(Labeller delegate, List<String> channels, double low, double high,
            int minSamplesForFlatline) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.channels = List.copyOf(channels);
        if (this.channels.isEmpty()) {
            throw new IllegalArgumentException("sensor-health labeller '" + delegate.name() + "' needs channels to watch");
        }
        if (!(low < high)) {
            throw new IllegalArgumentException("saturation limits need low < high, got " + low + " and " + high);
        }
        if (minSamplesForFlatline < 0) {
            throw new IllegalArgumentException("sensor-health labeller '" + delegate.name() + "': minSamplesForFlatline "
                    + "must be >= 0 (0 turns flat-line detection off), got " + minSamplesForFlatline);
        }
        this.low = low;
        this.high = high;
        this.minSamplesForFlatline = minSamplesForFlatline;
    }

    /**
     * @param window the window
     * @return true when every watched channel is present, complete, unsaturated and not flat-lined
     */
    public boolean healthy(Window window) {
        if (window.flags().contains(QualityFlag.SATURATED) || window.flags().contains(QualityFlag.OFFLINE)
                || window.flags().contains(QualityFlag.OUT_OF_RANGE)) {
            return false;
        }
        for (String ch : channels) {
            int c = window.channelIndex(ch);
            if (c < 0 || window.missingCount(ch) > 0) {
                return false;
            }
            int n = window.size();
            boolean flat = n >= minSamplesForFlatline && minSamplesForFlatline > 0;
            for (int i = 0; i < n; i++) {
                double v = window.value(c, i);
                if (v <= low || v >= high) {
                    return false;
                }
                flat &= v == window.value(c, 0);
            }
            if (flat) {
                return false;
            }
        }
        return true;
    }

    /** @return the guarded labeller (for {@link LfApplier}'s check of what it reads) */
    Labeller delegate() {
        return delegate;
    }

    /** @return the channels watched, in order */
    List<String> channels() {
        return channels;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public int numClasses() {
        return delegate.numClasses();
    }

    @Override
    public int label(Window window) {
        return healthy(window) ? delegate.label(window) : Label.ABSTAIN;
    }

    /**
     * Describes the guard and the guarded rule, for provenance digests: the delegate's description (its class,
     * name and number of classes when it does not describe itself), the channels, the saturation limits and the
     * flat-line setting, so changing any of them changes the LF's digest.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "SensorHealthLabeller[" + describe(delegate) + "; channels=" + channels + " saturation=(" + low + ", "
                + high + ") flatline=" + minSamplesForFlatline + "]";
    }

    /** A labeller's own description, or a stable one when it keeps Object's (whose identity hash changes). */
    static String describe(Labeller lf) {
        try {
            return lf.getClass().getMethod("toString").getDeclaringClass() == Object.class
                    ? lf.getClass().getName() + "[" + lf.name() + ", classes=" + lf.numClasses() + "]"
                    : lf.toString();
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("every class has toString", e);
        }
    }
}
