package io.edgeloop.labeling.lf;

import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.window.Window;
import java.util.Objects;
import java.util.Set;

/**
 * A labelling function from a {@link Condition}: votes {@code vote} when it is TRUE, {@code otherwise} (or
 * abstains) when FALSE, and abstains when UNKNOWN. Build with {@link Lf#named(String)}.
 *
 * <p>Thread-safe: immutable, provided the condition is.
 */
public final class RuleLabeller implements Labeller {
    private final String name;
    private final int numClasses;
    private final Condition condition;
    private final int vote;
    private final int otherwise;

    RuleLabeller(String name, int numClasses, Condition condition, int vote, int otherwise) {
        this.name = Objects.requireNonNull(name, "name");
        this.numClasses = numClasses;
        this.condition = Objects.requireNonNull(condition, "condition");
        this.vote = Label.check(vote, numClasses);
        this.otherwise = Label.check(otherwise, numClasses);
        if (name.isBlank()) {
            throw new IllegalArgumentException("labeller name must not be blank");
        }
        if (vote == Label.ABSTAIN) {
            throw new IllegalArgumentException("labeller '" + name + "' must vote a class when its condition holds");
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int label(Window window) {
        int t = condition.test(window);
        return t == Condition.TRUE ? vote : t == Condition.FALSE ? otherwise : Label.ABSTAIN;
    }

    /**
     * @return the window features the rule reads, by name, as far as its condition says (the conditions of
     *         {@link Conditions} and their combinations do; a custom condition's reads are not known)
     */
    public Set<String> featuresRead() {
        return DescribedCondition.features(condition);
    }

    /** @return the window channels the rule reads, by name, as far as its condition says */
    public Set<String> channelsRead() {
        return DescribedCondition.channels(condition);
    }

    @Override
    public String toString() {
        return "RuleLabeller[" + name + ": " + DescribedCondition.describe(condition) + " -> " + vote
                + (otherwise == Label.ABSTAIN ? "" : " else " + otherwise) + "]";
    }
}
