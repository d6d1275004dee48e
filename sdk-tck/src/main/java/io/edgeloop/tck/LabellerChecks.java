package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.window.Window;
import java.util.ArrayList;
import java.util.List;

/**
 * The labeller contract's checks, shared by {@link LabellerContractTest} (a labeller) and
 * {@link LabellerProviderContractTest} (the labeller a provider creates), so both report them as their own test
 * methods.
 *
 * <p>Thread safety: stateless.
 */
final class LabellerChecks {
    private LabellerChecks() {
    }

    static void hasNameAndClasses(Labeller l) {
        assertFalse(l.name().isBlank(), "name() is blank");
        assertTrue(l.numClasses() >= 2, "numClasses() must be at least 2: " + l.numClasses());
    }

    static void votesInRange(Labeller l, List<Window> windows) {
        boolean voted = false;
        for (Window w : windows) {
            int v = Label.check(l.label(w), l.numClasses());
            voted |= v != Label.ABSTAIN;
        }
        assertTrue(voted, "the labeller should vote on at least one of the sample windows");
    }

    static void isDeterministic(Labeller l, List<Window> windows) {
        for (Window w : windows) {
            assertEquals(l.label(w), l.label(w), "vote on " + w);
        }
    }

    static void isThreadSafe(Labeller l, List<Window> ws, int rounds) {
        List<Integer> serial = new ArrayList<>();
        for (Window w : ws) {
            serial.add(l.label(w));
        }
        ConcurrentRounds.assertSameAsSerial("the vote", serial, rounds, i -> l.label(ws.get(i)));
    }

    static void handlesBadData(Labeller l, List<Window> badWindows) {
        for (Window w : badWindows) {
            Label.check(l.label(w), l.numClasses());
        }
    }
}
