package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.window.Window;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contract tests for {@link Labeller} implementations: votes are in range, deterministic, and safe to compute
 * in parallel; windows with missing data get an abstention or a vote, never an exception.
 */
public abstract class LabellerContractTest {
    /**
     * @return the labeller under test
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

    @Test
    @DisplayName("gives the same votes when evaluated in parallel")
    void isThreadSafe() {
        Labeller l = labeller();
        List<Window> ws = windows();
        int[] serial = ws.stream().mapToInt(l::label).toArray();
        for (int round = 0; round < 5; round++) {
            int[] parallel = IntStream.range(0, ws.size()).parallel().map(i -> l.label(ws.get(i))).toArray();
            assertArrayEquals(serial, parallel);
        }
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
