package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.record.QualityFlag;
import io.edgeloop.api.window.Window;
import java.util.ArrayList;
import java.util.Arrays;
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
            int v = l.label(w);
            inRange(l, v, "window " + w);
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

    /**
     * Checks the implementer's {@code badWindows()} (which must hold at least one window with a NaN sample) and the
     * kit's own bad windows derived from {@code windows()}: one NaN sample per channel, every sample NaN (features
     * NaN too), and the original values flagged {@code MISSING}, {@code OUT_OF_RANGE}, {@code SATURATED} and
     * {@code OFFLINE}. Each must get a vote in range or an abstention, never an exception.
     */
    static void handlesBadData(Labeller l, List<Window> badWindows, List<Window> windows) {
        assertFalse(badWindows.isEmpty(), "badWindows() is empty: give windows with missing (NaN) or flagged data, "
                + "as the labeller meets them");
        boolean nan = false;
        for (Window w : badWindows) {
            for (String c : w.channels()) {
                nan |= w.missingCount(c) > 0;
            }
        }
        assertTrue(nan, "badWindows() holds no window with a NaN sample: give at least one");
        for (Window w : badWindows) {
            vote(l, w, "badWindows() window " + w);
        }
        List<Window> sample = windows.subList(0, Math.min(20, windows.size()));
        for (Window w : sample) {
            vote(l, withNaN(w, false), "a window of windows() with its first sample of every channel NaN: " + w);
            vote(l, withNaN(w, true), "a window of windows() with every sample and feature NaN: " + w);
            for (QualityFlag f : QualityFlag.values()) {
                vote(l, flagged(w, f), "a window of windows() flagged " + f + ": " + w);
            }
        }
    }

    private static void vote(Labeller l, Window w, String what) {
        int v;
        try {
            v = l.label(w);
        } catch (RuntimeException e) {
            throw new AssertionError("label() threw " + e + " for " + what + ": windows with missing or flagged data "
                    + "must get a vote or an abstention (Label.ABSTAIN), never an exception", e);
        }
        inRange(l, v, what);
    }

    /** Fails, saying what was voted on what, unless {@code v} is an abstention or one of the labeller's classes. */
    private static void inRange(Labeller l, int v, String on) {
        assertTrue(v >= Label.ABSTAIN && v < l.numClasses(), "voted " + v + ", neither abstain (-1) nor a class "
                + "index in [0, " + l.numClasses() + ") (numClasses() is " + l.numClasses() + "), on " + on);
    }

    private static Window.Builder copy(Window w, boolean features) {
        long[] ts = new long[w.size()];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = w.timestamp(i);
        }
        Window.Builder b = Window.builder().deviceId(w.deviceId()).stream(w.stream()).index(w.index()).timestamps(ts);
        for (QualityFlag f : w.flags()) {
            b.flag(f);
        }
        if (features) {
            w.features().forEach(b::feature);
        }
        return b;
    }

    private static Window withNaN(Window w, boolean all) {
        Window.Builder b = copy(w, !all);
        for (String c : w.channels()) {
            double[] v = w.values(c);
            if (all) {
                Arrays.fill(v, Double.NaN);
            } else if (v.length > 0) {
                v[0] = Double.NaN;
            }
            b.channel(c, v);
        }
        if (all) {
            for (String f : w.features().keySet()) {
                b.feature(f, Double.NaN);
            }
        }
        return b.build();
    }

    private static Window flagged(Window w, QualityFlag flag) {
        Window.Builder b = copy(w, true).flag(flag);
        for (String c : w.channels()) {
            b.channel(c, w.values(c));
        }
        return b.build();
    }
}
