package io.edgeloop.labeling.lf;

import io.edgeloop.api.window.Window;
import java.util.Objects;

/**
 * A three-valued test on a window: {@link #TRUE}, {@link #FALSE}, or {@link #UNKNOWN} when the data it needs is
 * missing or NaN. A rule labeller votes on TRUE, votes its "otherwise" class (or abstains) on FALSE, and always
 * abstains on UNKNOWN, so missing data never turns into a vote.
 *
 * <p>The conditions made by {@link Conditions} and by {@link #and}, {@link #or} and {@link #negate} describe
 * themselves in {@code toString()} ({@code (Light.mean > 300.0 and CO2.slope > 0.0)}); a rule labeller's description
 * and provenance digest include it. A custom condition that should be told apart in provenance overrides
 * {@code toString()}; otherwise it reads as {@code custom}.
 *
 * <p>Implementations must be thread-safe and side-effect free.
 */
@FunctionalInterface
public interface Condition {
    /** The condition holds. */
    int TRUE = 1;
    /** The condition does not hold. */
    int FALSE = 0;
    /** The data needed is missing. */
    int UNKNOWN = -1;

    /**
     * @param window the window
     * @return {@link #TRUE}, {@link #FALSE} or {@link #UNKNOWN}
     */
    int test(Window window);

    /**
     * Kleene conjunction: FALSE if either is FALSE, UNKNOWN if either is UNKNOWN, else TRUE.
     *
     * @param other the other condition
     * @return the conjunction
     */
    default Condition and(Condition other) {
        Objects.requireNonNull(other, "other");
        return DescribedCondition.combining("(" + DescribedCondition.describe(this) + " and "
                + DescribedCondition.describe(other) + ")", this, other, w -> {
            int a = test(w);
            if (a == FALSE) {
                return FALSE;
            }
            int b = other.test(w);
            if (b == FALSE) {
                return FALSE;
            }
            return a == UNKNOWN || b == UNKNOWN ? UNKNOWN : TRUE;
        });
    }

    /**
     * Kleene disjunction: TRUE if either is TRUE, UNKNOWN if either is UNKNOWN, else FALSE.
     *
     * @param other the other condition
     * @return the disjunction
     */
    default Condition or(Condition other) {
        Objects.requireNonNull(other, "other");
        return DescribedCondition.combining("(" + DescribedCondition.describe(this) + " or "
                + DescribedCondition.describe(other) + ")", this, other, w -> {
            int a = test(w);
            if (a == TRUE) {
                return TRUE;
            }
            int b = other.test(w);
            if (b == TRUE) {
                return TRUE;
            }
            return a == UNKNOWN || b == UNKNOWN ? UNKNOWN : FALSE;
        });
    }

    /**
     * @return the negation (UNKNOWN stays UNKNOWN)
     */
    default Condition negate() {
        return DescribedCondition.combining("not " + DescribedCondition.describe(this), this, this, w -> {
            int a = test(w);
            return a == UNKNOWN ? UNKNOWN : 1 - a;
        });
    }
}
