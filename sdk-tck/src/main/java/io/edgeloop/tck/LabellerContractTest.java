package io.edgeloop.tck;

import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.window.Window;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Contract tests for {@link Labeller} implementations: votes are in range, deterministic, and safe to compute
 * in parallel; windows with missing data get an abstention or a vote, never an exception.
 *
 * <p>Thread safety: JUnit creates one instance per test method; instances are not shared between threads.
 */
@ExtendWith(ProviderNameOnFailure.class)
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
     * Returns windows with missing (NaN) or flagged data, at least one with a NaN sample. The kit adds its own,
     * derived from {@link #windows()}: a NaN sample in every channel, every sample and feature NaN, and each
     * quality flag.
     *
     * @return windows with missing (NaN) or flagged data
     */
    protected abstract List<Window> badWindows();

    @Test
    @DisplayName("has a non-blank name and at least two classes")
    void hasNameAndClasses() {
        LabellerChecks.hasNameAndClasses(labeller());
    }

    @Test
    @DisplayName("votes a class index or abstains")
    void votesInRange() {
        LabellerChecks.votesInRange(labeller(), windows());
    }

    @Test
    @DisplayName("gives the same vote for the same window")
    void isDeterministic() {
        LabellerChecks.isDeterministic(labeller(), windows());
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
        LabellerChecks.isThreadSafe(labeller(), windows(), threadSafetyRounds());
    }

    @Test
    @DisplayName("handles windows with missing or flagged data without throwing")
    void handlesBadData() {
        LabellerChecks.handlesBadData(labeller(), badWindows(), windows());
    }
}
