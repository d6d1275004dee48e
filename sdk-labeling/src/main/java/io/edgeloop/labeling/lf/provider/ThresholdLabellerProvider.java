package io.edgeloop.labeling.lf.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.labeling.lf.Conditions;

/**
 * {@code threshold}: votes {@code vote} when feature {@code feature} is above {@code above} (or below
 * {@code below}); optional {@code name}, {@code classes} (2), {@code otherwise} (-1 = abstain).
 *
 * <p>Thread-safe: stateless.
 */
public final class ThresholdLabellerProvider implements LabellerProvider {
    /** Creates the provider; does no work. */
    public ThresholdLabellerProvider() {
    }

    @Override
    public String name() {
        return "threshold";
    }

    @Override
    public Labeller create(ComponentConfig config) {
        String f = config.requireString("feature");
        return ConfiguredRules.rule(config, f + "_threshold",
                ConfiguredRules.aboveOrBelow(config, Conditions.feature(f)));
    }
}
