package io.edgeloop.labeling.lf.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.labeling.lf.Conditions;
import java.util.Set;

/**
 * {@code range}: votes {@code vote} when feature {@code feature} is within {@code [min, max]}; optional
 * {@code name}, {@code classes}, {@code otherwise}. Any other key is refused, naming the closest known key.
 *
 * <p>Thread-safe: stateless.
 */
public final class RangeLabellerProvider implements LabellerProvider {
    /** Creates the provider; does no work. */
    public RangeLabellerProvider() {
    }

    @Override
    public String name() {
        return "range";
    }

    @Override
    public Labeller create(ComponentConfig config) {
        ConfiguredRules.requireKnownKeys(config, name(), Set.of("feature", "min", "max"));
        String f = config.requireString("feature");
        double min = config.getDouble("min", Double.NaN, -Double.MAX_VALUE, Double.MAX_VALUE);
        double max = config.getDouble("max", Double.NaN, -Double.MAX_VALUE, Double.MAX_VALUE);
        if (Double.isNaN(min) || Double.isNaN(max) || min > max) {
            throw new ConfigException("min", "range needs numeric 'min' <= 'max', got " + config.get("min").orElse("none")
                    + " and " + config.get("max").orElse("none"));
        }
        return ConfiguredRules.rule(config, f + "_range", Conditions.feature(f).between(min, max));
    }
}
