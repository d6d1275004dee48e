package io.edgeloop.labeling.lf;

import io.edgeloop.api.window.Window;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A condition that spells itself out ({@code Light.mean > 300.0}), so a rule labeller's description, and with it
 * its provenance digest, changes when a threshold does.
 *
 * <p>Thread-safe: immutable, when the wrapped condition is.
 */
final class DescribedCondition implements Condition {
    private final Condition delegate;
    private final String description;
    private final Set<String> features;
    private final Set<String> channels;

    private DescribedCondition(Condition delegate, String description, Set<String> features, Set<String> channels) {
        this.delegate = delegate;
        this.description = description;
        this.features = features;
        this.channels = channels;
    }

    static Condition of(String description, Condition c) {
        return of(description, Set.of(), Set.of(), c);
    }

    /**
     * @param features the window features the condition reads (by name)
     * @param channels the window channels the condition reads (by name)
     */
    static Condition of(String description, Set<String> features, Set<String> channels, Condition c) {
        return new DescribedCondition(Objects.requireNonNull(c, "c"), Objects.requireNonNull(description,
                "description"), Collections.unmodifiableSet(new TreeSet<>(features)),
                Collections.unmodifiableSet(new TreeSet<>(channels)));
    }

    /** A condition combining {@code a} and {@code b}: reads what both read. */
    static Condition combining(String description, Condition a, Condition b, Condition c) {
        Set<String> f = new TreeSet<>(features(a));
        f.addAll(features(b));
        Set<String> ch = new TreeSet<>(channels(a));
        ch.addAll(channels(b));
        return of(description, f, ch, c);
    }

    /** @return the features {@code c} reads, as far as known (none for a custom condition) */
    static Set<String> features(Condition c) {
        return c instanceof DescribedCondition d ? d.features : Set.of();
    }

    /** @return the channels {@code c} reads, as far as known (none for a custom condition) */
    static Set<String> channels(Condition c) {
        return c instanceof DescribedCondition d ? d.channels : Set.of();
    }

    /**
     * How a condition reads in a description: its own words when it gives some ({@code toString} overridden),
     * otherwise {@code custom} (a lambda's name holds an identity that changes from run to run).
     */
    static String describe(Condition c) {
        if (c instanceof DescribedCondition) {
            return c.toString();
        }
        try {
            return c.getClass().getMethod("toString").getDeclaringClass() == Object.class ? "custom" : c.toString();
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("every class has toString", e);
        }
    }

    @Override
    public int test(Window window) {
        return delegate.test(window);
    }

    @Override
    public String toString() {
        return description;
    }
}
