package io.edgeloop.labeling.lf;

import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import java.util.Objects;

/**
 * Fluent construction of rule labellers (feature names are {@code <channel>.<statistic>} with the channel's own
 * case, here the UCI occupancy data's {@code Light} and {@code CO2}; see {@link io.edgeloop.labeling.window.Features}):
 *
 * <pre>{@code
 * Labeller lightsOn = Lf.named("light_on").classes(2)
 *         .when(Conditions.feature("Light.mean").above(300)).vote(1);
 * Labeller co2Rising = Lf.named("co2_rising").classes(2)
 *         .when(Conditions.rate("CO2").above(0.5)).vote(1);
 * Labeller dark = Lf.named("dark").classes(2)
 *         .when(Conditions.feature("Light.max").below(50)).vote(0);
 * }</pre>
 *
 * <p>Not thread-safe while building; the labellers built are immutable and thread-safe.
 */
public final class Lf {
    private final String name;
    private int numClasses = 2;
    private Condition condition;
    private int otherwise = Label.ABSTAIN;

    private Lf(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * @param name the labeller's name, unique within an LF set
     * @return a builder
     */
    public static Lf named(String name) {
        return new Lf(name);
    }

    /**
     * @param numClasses the number of classes (default 2)
     * @return this builder
     */
    public Lf classes(int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        this.numClasses = numClasses;
        return this;
    }

    /**
     * @param condition when to vote
     * @return this builder
     */
    public Lf when(Condition condition) {
        this.condition = Objects.requireNonNull(condition, "condition");
        return this;
    }

    /**
     * @param otherwise the class to vote when the condition is FALSE (default: abstain)
     * @return this builder
     */
    public Lf otherwise(int otherwise) {
        this.otherwise = otherwise;
        return this;
    }

    /**
     * Finishes the labeller.
     *
     * @param vote the class voted when the condition holds
     * @return the labeller
     */
    public Labeller vote(int vote) {
        if (condition == null) {
            throw new IllegalStateException("labeller '" + name + "' needs a condition: call when(...) first");
        }
        return new RuleLabeller(name, numClasses, condition, vote, otherwise);
    }
}
