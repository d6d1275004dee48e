package io.edgeloop.labeling.lf.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.labeling.lf.SensorHealthLabeller;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code sensor-health}: a {@code threshold} labeller (same keys) that abstains when the watched
 * {@code channels} (comma-separated; default: the feature's channel) are saturated ({@code saturation.low},
 * {@code saturation.high}), flagged ({@code SATURATED}, {@code OFFLINE}, {@code OUT_OF_RANGE}) or missing samples.
 * Flat-line detection is opt-in: {@code flatline.samples} (default 0, off) set to n &gt; 0 makes the labeller abstain
 * on windows of at least n identical samples; set it only for channels that never sit at one value while healthy
 * (a light sensor reads exactly 0 all night, and with detection on an occupancy "dark room" rule lost 91 % of its
 * votes). Any other key is refused, naming the closest known key.
 *
 * <p>Thread-safe: stateless.
 */
public final class SensorHealthLabellerProvider implements LabellerProvider {
    /** Creates the provider; does no work. */
    public SensorHealthLabellerProvider() {
    }

    @Override
    public String name() {
        return "sensor-health";
    }

    @Override
    public Labeller create(ComponentConfig config) {
        Set<String> known = new TreeSet<>(ThresholdLabellerProvider.KEYS);
        known.addAll(Set.of("channels", "saturation.low", "saturation.high", "flatline.samples"));
        ConfiguredRules.requireKnownKeys(config, name(), known);
        Labeller inner = ThresholdLabellerProvider.labeller(config);
        String feature = config.requireString("feature");
        int dot = feature.lastIndexOf('.');
        String defaultChannel = dot > 0 ? feature.substring(0, dot) : feature;
        List<String> channels = Arrays.stream(config.getString("channels", defaultChannel).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        double low = config.getDouble("saturation.low", -Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE);
        double high = config.getDouble("saturation.high", Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE);
        int flat = config.getInt("flatline.samples", 0, 0, 1_000_000);
        return new SensorHealthLabeller(inner, channels, low, high, flat);
    }
}
