package io.edgeloop.labeling.lf.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.labeling.lf.Conditions;
import java.util.Set;

/**
 * {@code rate-of-change}: votes {@code vote} when channel {@code channel} changes faster than {@code above} (or
 * slower than {@code below}) units per second over the window; optional {@code name}, {@code classes},
 * {@code otherwise}. Any other key is refused, naming the closest known key.
 *
 * <p>Thread-safe: stateless.
 */
public final class RateOfChangeLabellerProvider implements LabellerProvider {
    /** Creates the provider; does no work. */
    public RateOfChangeLabellerProvider() {
    }

    @Override
    public String name() {
        return "rate-of-change";
    }

    @Override
    public Labeller create(ComponentConfig config) {
        ConfiguredRules.requireKnownKeys(config, name(), Set.of("channel", "above", "below"));
        String ch = config.requireString("channel");
        return ConfiguredRules.rule(config, ch + "_rate", ConfiguredRules.aboveOrBelow(config, Conditions.rate(ch)));
    }
}
