package io.edgeloop.labeling.lf.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.labeling.lf.Conditions;
import java.util.Set;

/**
 * {@code threshold}: votes {@code vote} when feature {@code feature} is above {@code above} (or below
 * {@code below}); optional {@code name}, {@code classes} (2), {@code otherwise} (-1 = abstain). Any other key is
 * refused, naming the closest known key.
 *
 * <p>Thread-safe: stateless.
 */
public final class ThresholdLabellerProvider implements LabellerProvider {
    /** The keys of a threshold labeller besides {@link ConfiguredRules#RULE_KEYS}. */
    static final Set<String> KEYS = Set.of("feature", "above", "below");

    /** Creates the provider; does no work. */
    public ThresholdLabellerProvider() {
    }

    @Override
    public String name() {
        return "threshold";
    }

    @Override
    public Labeller create(ComponentConfig config) {
        ConfiguredRules.requireKnownKeys(config, name(), KEYS);
        return labeller(config);
    }

    /** The labeller, keys not checked (sensor-health reads its own keys from the same configuration). */
    static Labeller labeller(ComponentConfig config) {
        String f = config.requireString("feature");
        return ConfiguredRules.rule(config, f + "_threshold",
                ConfiguredRules.aboveOrBelow(config, Conditions.feature(f)));
    }
}
