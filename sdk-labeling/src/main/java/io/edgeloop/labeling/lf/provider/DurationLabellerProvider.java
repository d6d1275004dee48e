package io.edgeloop.labeling.lf.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.labeling.lf.Conditions;
import java.util.Set;

/**
 * {@code duration}: votes {@code vote} when raw channel {@code channel} stays above {@code above} (or below
 * {@code below}) for at least {@code samples} consecutive samples; optional {@code name}, {@code classes},
 * {@code otherwise}. Any other key is refused, naming the closest known key.
 *
 * <p>Thread-safe: stateless.
 */
public final class DurationLabellerProvider implements LabellerProvider {
    /** Creates the provider; does no work. */
    public DurationLabellerProvider() {
    }

    @Override
    public String name() {
        return "duration";
    }

    @Override
    public Labeller create(ComponentConfig config) {
        ConfiguredRules.requireKnownKeys(config, name(), Set.of("channel", "samples", "above", "below"));
        String ch = config.requireString("channel");
        int k = config.getInt("samples", 1, 1, 1_000_000);
        boolean above = config.has("above");
        if (above == config.has("below")) {
            throw new ConfigException("above", "set exactly one of 'above' or 'below'");
        }
        double t = config.getDouble(above ? "above" : "below", 0, -Double.MAX_VALUE, Double.MAX_VALUE);
        return ConfiguredRules.rule(config, ch + "_for_" + k, Conditions.sustained(ch, above, t, k));
    }
}
