package io.edgeloop.labeling.lf.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.labeling.lf.Condition;
import io.edgeloop.labeling.lf.Conditions;
import io.edgeloop.labeling.lf.Lf;

/** Shared configuration reading for the built-in providers. Thread-safe: static methods only. */
final class ConfiguredRules {
    private ConfiguredRules() {
    }

    /** Applies {@code above} or {@code below} (exactly one) to a threshold builder. */
    static Condition aboveOrBelow(ComponentConfig c, Conditions.Threshold t) {
        boolean above = c.has("above");
        boolean below = c.has("below");
        if (above == below) {
            throw new ConfigException(above ? "below" : "above", "set exactly one of 'above' or 'below'");
        }
        return above ? t.above(c.getDouble("above", 0, -Double.MAX_VALUE, Double.MAX_VALUE))
                : t.below(c.getDouble("below", 0, -Double.MAX_VALUE, Double.MAX_VALUE));
    }

    /** Finishes a rule labeller from the common keys {@code name}, {@code classes}, {@code vote}, {@code otherwise}. */
    static Labeller rule(ComponentConfig c, String defaultName, Condition condition) {
        int classes = c.getInt("classes", 2, 2, 127);
        int vote = c.getInt("vote", 1, 0, classes - 1);
        int otherwise = c.getInt("otherwise", Label.ABSTAIN, Label.ABSTAIN, classes - 1);
        return Lf.named(c.getString("name", defaultName)).classes(classes).when(condition).otherwise(otherwise)
                .vote(vote);
    }
}
