package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.window.Window;
import io.edgeloop.tck.lora.HotLabellerProvider;
import io.edgeloop.tck.runtime.TinyLinearRuntimeProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The labeller-provider and model-runtime kits against correct and deliberately broken implementations: the
 * reviewer's racy "hot" labeller, and a tiny linear runtime with a zero point.
 */
@DisplayName("The labeller provider and model runtime contract kits")
class RuntimeAndLabellerKitTest {

    /** The reviewer's hot labeller, correct. */
    static class Hot extends LabellerProviderContractTest {
        boolean broken() {
            return false;
        }

        @Override
        protected LabellerProvider provider() {
            return new HotLabellerProvider();
        }

        String fault() {
            return "none";
        }

        @Override
        protected ComponentConfig config() {
            return ComponentConfig.of(Map.of("threshold", 25, "broken", broken(), "fault", fault()));
        }

        static Window window(int i, double base, boolean nan) {
            Random r = new Random(i);
            long[] ts = new long[100];
            double[] v = new double[100];
            for (int k = 0; k < 100; k++) {
                ts[k] = k * 1000L;
                v[k] = base + r.nextGaussian();
            }
            if (nan) {
                v[3] = Double.NaN;
            }
            return Window.builder().deviceId("d").index(i).timestamps(ts).channel("temp", v).build();
        }

        @Override
        protected List<Window> windows() {
            List<Window> ws = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ws.add(window(i, 20 + (i % 11), false));
            }
            return ws;
        }

        @Override
        protected List<Window> badWindows() {
            return List.of(window(1, 30, true));
        }
    }

    /** Keeps its scratch sum and count in fields shared by all threads. */
    static class UnsafeHot extends Hot {
        @Override
        boolean broken() {
            return true;
        }
    }

    /** Throws on NaN, and gives the kit no bad window to find out (the reviewer's Labellers.NanThrows). */
    static class NanThrowsNoBadWindows extends Hot {
        @Override
        String fault() {
            return "nan-throws";
        }

        @Override
        protected List<Window> badWindows() {
            return List.of();
        }
    }

    /** Throws for a saturated sensor, which only the kit's own derived windows show it. */
    static class FlagThrows extends Hot {
        @Override
        String fault() {
            return "flag-throws";
        }
    }

    /** Votes 2 with numClasses() 2. */
    static class VotesTwo extends Hot {
        @Override
        String fault() {
            return "votes-two";
        }
    }

    /** Hot, but its provider drops the keys it does not read instead of refusing them. */
    static class LenientHot extends Hot {
        @Override
        protected LabellerProvider provider() {
            return new LabellerProvider() {
                @Override
                public String name() {
                    return "hot";
                }

                @Override
                public io.edgeloop.api.label.Labeller create(ComponentConfig c) {
                    ComponentConfig.Builder known = ComponentConfig.builder();
                    c.asMap().forEach((k, v) -> {
                        if (Set.of("threshold", "broken", "fault").contains(k)) {
                            known.put(k, v);
                        }
                    });
                    return new HotLabellerProvider().create(known.build());
                }
            };
        }
    }

    /** LenientHot, saying why it accepts unknown keys. */
    static class LenientHotWithReason extends LenientHot {
        @Override
        protected java.util.Optional<String> acceptsUnknownKeysBecause() {
            return java.util.Optional.of("hands every key to a vendor library that reads its plug-ins' keys");
        }
    }

    /** LenientHot, opting out without a reason. */
    static class LenientHotBlankReason extends LenientHot {
        @Override
        protected java.util.Optional<String> acceptsUnknownKeysBecause() {
            return java.util.Optional.of(" ");
        }
    }

    /** The tiny linear runtime, correct: one output with zero point 100. */
    static class Tiny extends ModelRuntimeContractTest {
        String fault() {
            return "none";
        }

        @Override
        protected ModelRuntimeProvider provider() {
            return new TinyLinearRuntimeProvider();
        }

        @Override
        protected ComponentConfig config() {
            return ComponentConfig.of(Map.of("fault", fault()));
        }

        @Override
        protected byte[] artifact() {
            return TinyLinearRuntimeProvider.artifact(100, new int[][] {{3, -2, 1, 5}});
        }

        @Override
        protected List<int[]> inputs(IntegerModel model) {
            Random r = new Random(3);
            List<int[]> out = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                out.add(r.ints(model.inputSize(), -20, 20).toArray());
            }
            return out;
        }

        @Override
        protected int decide(IntegerModel model, int[] outputs) {
            return outputs[0] > 100 ? 1 : 0; // the device compares with the zero point
        }
    }

    /** Keeps the interface's sign rule although its output has a zero point. */
    static class TinyDefaultRule extends Tiny {
        @Override
        String fault() {
            return "default-rule";
        }
    }

    /** Accumulates in a scratch array shared by all threads. */
    static class TinyRacy extends Tiny {
        @Override
        String fault() {
            return "racy";
        }
    }

    /** Returns one output array of the model's from every predict(int[]) (the reviewer's RuntimeSharedOut). */
    static class TinySharedOut extends Tiny {
        @Override
        String fault() {
            return "shared-out";
        }
    }

    /** Throws unchecked exceptions for garbage and checks no lengths. */
    static class TinyUnchecked extends Tiny {
        @Override
        String fault() {
            return "unchecked";
        }
    }

    @Test
    @DisplayName("passes the correct labeller provider, its name and registration included")
    void passesHot() {
        KitResults r = KitResults.run(Hot.class);
        assertEquals(Set.of(), r.failed(), r.describeFailures());
        assertEquals(12, r.tests.succeeded().count());
    }

    @Test
    @DisplayName("fails a provider that accepts a key it does not read, unless it states why")
    void failsLenientProvider() {
        KitResults r = KitResults.run(LenientHot.class);
        assertTrue(r.failed().contains("refusesUnknownKey"), r.failed() + r.describeFailures());
        assertTrue(r.describeFailures().contains("accepted the unknown key '" + ProviderContractTest.UNKNOWN_KEY
                + "'"), r.describeFailures());
        r = KitResults.run(LenientHotWithReason.class);
        assertFalse(r.failed().contains("refusesUnknownKey"), r.failed() + r.describeFailures());
        assertTrue(r.aborted().contains("refusesUnknownKey"), r.aborted().toString());
        r = KitResults.run(LenientHotBlankReason.class);
        assertTrue(r.describeFailures().contains("must state why"), r.describeFailures());
    }

    @Test
    @DisplayName("fails a labeller with shared scratch state, every time")
    void failsUnsafeHot() {
        for (int run = 0; run < 3; run++) {
            KitResults r = KitResults.run(UnsafeHot.class);
            assertEquals(Set.of("isThreadSafe"), r.failed(), "run " + run + r.describeFailures());
        }
    }

    @Test
    @DisplayName("fails a labeller that throws on NaN although its badWindows() is empty")
    void failsNanThrowsWithoutBadWindows() {
        KitResults r = KitResults.run(NanThrowsNoBadWindows.class);
        assertEquals(Set.of("handlesBadData"), r.failed(), r.describeFailures());
    }

    @Test
    @DisplayName("fails a labeller that throws for a flagged window, found by the kit's own derived windows")
    void failsFlagThrows() {
        KitResults r = KitResults.run(FlagThrows.class);
        assertEquals(Set.of("handlesBadData"), r.failed(), r.describeFailures());
        assertTrue(r.describeFailures().contains("flagged SATURATED"), r.describeFailures());
    }

    @Test
    @DisplayName("fails a labeller voting a class numClasses() does not cover, saying it voted so and on which window "
            + "(newcomer review s15: the kit said the labeller threw an IllegalArgumentException)")
    void failsVotesTwo() {
        KitResults r = KitResults.run(VotesTwo.class);
        assertTrue(r.failed().contains("votesInRange"), r.describeFailures());
        assertTrue(r.describeFailures().contains("voted 2, neither abstain (-1) nor a class index in [0, 2)")
                && r.describeFailures().contains("on window Window[") && !r.describeFailures().contains(" threw "),
                r.describeFailures());
    }

    @Test
    @DisplayName("passes the correct runtime")
    void passesTiny() {
        KitResults r = KitResults.run(Tiny.class);
        assertEquals(Set.of(), r.failed(), r.describeFailures());
        assertEquals(15, r.tests.succeeded().count());
    }

    @Test
    @DisplayName("fails a runtime whose predictClass ignores its zero point")
    void failsDefaultRule() {
        assertEquals(Set.of("predictClassFollowsDecisionRule"), KitResults.run(TinyDefaultRule.class).failed());
    }

    @Test
    @DisplayName("fails a runtime with shared scratch state")
    void failsRacy() {
        KitResults r = KitResults.run(TinyRacy.class);
        assertTrue(r.failed().contains("isThreadSafe"), r.failed() + r.describeFailures());
    }

    @Test
    @DisplayName("fails a runtime whose predict(int[]) returns one shared output array, every time")
    void failsSharedOut() {
        for (int run = 0; run < 3; run++) {
            KitResults r = KitResults.run(TinySharedOut.class);
            // predictReturnsOwnArrays catches it deterministically; isThreadSafe only when the threads happen to
            // interleave (a loaded CI machine may run them one after another: seen once in a clean-clone run)
            assertTrue(r.failed().contains("predictReturnsOwnArrays"), "run " + run + ": " + r.failed()
                    + r.describeFailures());
            assertTrue(Set.of("predictReturnsOwnArrays", "isThreadSafe").containsAll(r.failed()), "run " + run
                    + ": " + r.failed() + r.describeFailures());
        }
    }

    @Test
    @DisplayName("fails a runtime that throws unchecked exceptions for garbage and checks no lengths")
    void failsUnchecked() {
        assertEquals(Set.of("refusesGarbage", "checksArguments"), KitResults.run(TinyUnchecked.class).failed());
    }
}
