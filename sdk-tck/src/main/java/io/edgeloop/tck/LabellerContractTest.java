package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.window.Window;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contract tests for {@link Labeller} implementations: votes are in range, deterministic, and safe to compute
 * in parallel; windows with missing data get an abstention or a vote, never an exception.
 *
 * <p>Thread safety: JUnit creates one instance per test method; instances are not shared between threads.
 */
public abstract class LabellerContractTest {
    /**
     * Returns the labeller under test.
     *
     * @return the labeller
     */
    protected abstract Labeller labeller();

    /**
     * @return windows to evaluate, including some the labeller votes on
     */
    protected abstract List<Window> windows();

    /**
     * @return windows with missing (NaN) or flagged data
     */
    protected abstract List<Window> badWindows();

    @Test
    @DisplayName("has a non-blank name and at least two classes")
    void hasNameAndClasses() {
        assertFalse(labeller().name().isBlank());
        assertTrue(labeller().numClasses() >= 2);
    }

    @Test
    @DisplayName("votes a class index or abstains")
    void votesInRange() {
        Labeller l = labeller();
        boolean voted = false;
        for (Window w : windows()) {
            int v = Label.check(l.label(w), l.numClasses());
            voted |= v != Label.ABSTAIN;
        }
        assertTrue(voted, "the labeller should vote on at least one of the sample windows");
    }

    @Test
    @DisplayName("gives the same vote for the same window")
    void isDeterministic() {
        Labeller l = labeller();
        for (Window w : windows()) {
            assertEquals(l.label(w), l.label(w), "vote on " + w);
        }
    }

    /**
     * Returns how many rounds the thread-safety test runs, each with 8 threads over all {@link #windows()}.
     *
     * @return the rounds, 200 by default
     */
    protected int threadSafetyRounds() {
        return 200;
    }

    @Test
    @DisplayName("gives every window its serial vote when 8 threads label at once, over many rounds")
    void isThreadSafe() {
        Labeller l = labeller();
        List<Window> ws = windows();
        List<Integer> serial = new ArrayList<>();
        for (Window w : ws) {
            serial.add(l.label(w));
        }
        ConcurrentRounds.assertSameAsSerial("the vote", serial, threadSafetyRounds(), i -> l.label(ws.get(i)));
    }

    @Test
    @DisplayName("handles windows with missing or flagged data without throwing")
    void handlesBadData() {
        Labeller l = labeller();
        for (Window w : badWindows()) {
            Label.check(l.label(w), l.numClasses());
        }
    }
}
