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
 * a sample sits at or beyond the sensor's saturation limits; or a channel is flat-lined (every sample identical
 * over at least {@code minSamplesForFlatline} samples, the usual sign of a stuck or disconnected sensor).
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
}
