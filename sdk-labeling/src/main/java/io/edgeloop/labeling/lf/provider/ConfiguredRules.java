package io.edgeloop.labeling.lf.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.labeling.lf.Condition;
import io.edgeloop.labeling.lf.Conditions;
import io.edgeloop.labeling.lf.Lf;
import java.util.Set;
import java.util.TreeSet;

/** Shared configuration reading for the built-in providers. Thread-safe: static methods only. */
final class ConfiguredRules {
    /** The keys every rule labeller reads: {@code name}, {@code classes}, {@code vote}, {@code otherwise}. */
    static final Set<String> RULE_KEYS = Set.of("name", "classes", "vote", "otherwise");

    private ConfiguredRules() {
    }

    /**
     * Refuses keys the labeller does not read (a misspelt {@code abvoe} would otherwise be reported only as a
     * missing {@code above}, and a misspelt {@code otherwise} not at all), naming the closest known key.
     *
     * @param c        the configuration
     * @param labeller the provider's name, for the message
     * @param ownKeys  the labeller's keys besides {@link #RULE_KEYS}
     */
    static void requireKnownKeys(ComponentConfig c, String labeller, Set<String> ownKeys) {
        Set<String> known = new TreeSet<>(RULE_KEYS);
        known.addAll(ownKeys);
        c.requireKnownKeys(labeller + " labeller", known);
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
