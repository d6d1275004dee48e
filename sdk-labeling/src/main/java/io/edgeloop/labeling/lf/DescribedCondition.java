package io.edgeloop.labeling.lf;

import io.edgeloop.api.window.Window;
import java.util.Objects;

/**
 * A condition that spells itself out ({@code Light.mean > 300.0}), so a rule labeller's description, and with it
 * its provenance digest, changes when a threshold does.
 *
 * <p>Thread-safe: immutable, when the wrapped condition is.
 */
final class DescribedCondition implements Condition {
    private final Condition delegate;
    private final String description;

    private DescribedCondition(Condition delegate, String description) {
        this.delegate = delegate;
        this.description = description;
    }

    static Condition of(String description, Condition c) {
        return new DescribedCondition(Objects.requireNonNull(c, "c"), Objects.requireNonNull(description,
                "description"));
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
