package io.edgeloop.labeling.lf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.window.Window;
import io.edgeloop.labeling.window.WindowSpec;
import io.edgeloop.labeling.window.Windower;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LfApplierTest {
    private static Labeller throwing(String name, int everyNth) {
        return new Labeller() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int numClasses() {
                return 2;
            }

            @Override
            public int label(Window w) {
                if (w.index() % everyNth == 0) {
                    throw new IllegalStateException("boom on " + w.index());
                }
                return 1;
            }
        };
    }

    @Test
    @DisplayName("the first error recorded is the lowest window's, whichever thread meets its window first (review "
            + "s11: a parallel run named a different window each time)")
    void firstErrorIsTheLowestWindows() {
        List<Window> ws = new java.util.ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ws.add(SampleWindows.window(i, 100, 400, 1, false, null));
        }
        for (int rep = 0; rep < 5; rep++) {
            LfRun run = new LfApplier(List.of(throwing("always", 1))).apply(ws);
            assertEquals(20_000L, run.errors().get("always"));
            assertTrue(run.firstErrors().get("always").startsWith("IllegalStateException: boom on 0 "),
                    run.firstErrors().get("always"));
        }
    }

    @Test
    @DisplayName("an exception inside one LF is counted for that LF and recorded as abstain; the run completes")
    void exceptionsAreCountedAsAbstain() {
        List<Window> ws = SampleWindows.good();
        Labeller light = Lf.named("light").when(Conditions.feature("light.mean").above(300)).otherwise(0).vote(1);
        LfRun run = new LfApplier(List.of(light, throwing("flaky", 4))).apply(ws);
        assertEquals(10L, run.errors().get("flaky"));
        assertEquals(0L, run.errors().get("light"));
        assertEquals(10, run.totalErrors());
        assertTrue(run.firstErrors().get("flaky").contains("boom"));
        for (int i = 0; i < ws.size(); i++) {
            assertEquals(i % 4 == 0 ? -1 : 1, run.matrix().get(i, 1));
            assertEquals(i % 3 == 0 ? 1 : 0, run.matrix().get(i, 0), "window " + i);
        }
    }

    @Test
    @DisplayName("an LF reading a feature or channel none of the windows has (a typo, the wrong case) is reported "
            + "with the closest name the windows have; names some window has are not (newcomer review s15: such an "
            + "LF never voted and nothing said why)")
    void missingInputsAreReported() {
        List<Window> ws = new java.util.ArrayList<>(SampleWindows.good());
        // one window without the co2 channel: a name some window lacks is not a typo, so not reported
        ws.add(Windower.window("room-2", "air", 0, List.of(io.edgeloop.api.record.SensorRecord.builder()
                .deviceId("room-2").stream("air").timestampMillis(0).sequence(0).channel("light", 300).build()),
                WindowSpec.bySamples(1).build()));
        Labeller good = Lf.named("good").when(Conditions.feature("co2.mean").above(600)).vote(1);
        Labeller slope = Lf.named("slope").when(Conditions.feature("co2.slop").above(0)).vote(1);
        Labeller caseWrong = Lf.named("case").when(Conditions.feature("Light.mean").above(300)
                .or(Conditions.feature("co2.mean").above(900))).vote(1);
        Labeller channel = Lf.named("channel").when(Conditions.rate("c02").above(0.5)
                .and(Conditions.sustained("light", true, 300, 3))).vote(1);
        Labeller nothingClose = Lf.named("far").when(Conditions.ratio("humidity.mean", "co2.mean").above(1)).vote(0);
        LfRun run = new LfApplier(List.of(good, slope, caseWrong, channel, nothingClose)).apply(ws);
        assertEquals(List.of(
                new LfRun.MissingInput("slope", LfRun.InputKind.FEATURE, "co2.slop", java.util.Optional.of("co2.slope")),
                new LfRun.MissingInput("case", LfRun.InputKind.FEATURE, "Light.mean", java.util.Optional.of("light.mean")),
                new LfRun.MissingInput("channel", LfRun.InputKind.CHANNEL, "c02", java.util.Optional.of("co2")),
                new LfRun.MissingInput("far", LfRun.InputKind.FEATURE, "humidity.mean", java.util.Optional.empty())),
                run.missingInputs());
        assertEquals("feature 'co2.slop' (closest the windows have: 'co2.slope')", run.missingInputs().get(0).describe());
        for (int i = 0; i < ws.size(); i++) {
            assertEquals(-1, run.matrix().get(i, 1), "the misspelt feature never votes");
        }
        assertEquals(0, run.totalErrors(), "not an error: the rule is UNKNOWN, as for a NaN");
        assertEquals(List.of(), new LfApplier(List.of(good)).apply(List.of()).missingInputs(), "no windows");
    }

    @Test
    @DisplayName("a rule behind the sensor-health rule is checked too, and so are the channels the guard watches "
            + "(LWSNDR: every guarded LF skipped the check, so a misspelt name made it abstain without a word)")
    void missingInputsOfGuardedRulesAreReported() {
        List<Window> ws = SampleWindows.good();
        Labeller misspeltRule = new SensorHealthLabeller(Lf.named("rule").when(Conditions.feature("co2.slop")
                .above(0)).vote(1), List.of("co2"), 0, 5000, 0);
        Labeller misspeltGuard = new SensorHealthLabeller(Lf.named("guard").when(Conditions.feature("co2.mean")
                .above(600)).vote(1), List.of("C02"), 0, 5000, 0);
        Labeller nested = new SensorHealthLabeller(new SensorHealthLabeller(Lf.named("nested")
                .when(Conditions.rate("light").above(0)).vote(1), List.of("lihgt"), 0, 5000, 0), List.of("co2"),
                0, 5000, 0);
        Labeller fine = new SensorHealthLabeller(Lf.named("fine").when(Conditions.feature("co2.mean").above(600))
                .vote(1), List.of("co2", "light"), 0, 5000, 0);
        LfRun run = new LfApplier(List.of(misspeltRule, misspeltGuard, nested, fine)).apply(ws);
        assertEquals(List.of(
                new LfRun.MissingInput("rule", LfRun.InputKind.FEATURE, "co2.slop", java.util.Optional.of("co2.slope")),
                new LfRun.MissingInput("guard", LfRun.InputKind.CHANNEL, "C02", java.util.Optional.of("co2")),
                new LfRun.MissingInput("nested", LfRun.InputKind.CHANNEL, "lihgt", java.util.Optional.of("light"))),
                run.missingInputs());
        for (int i = 0; i < ws.size(); i++) {
            assertEquals(-1, run.matrix().get(i, 1), "a guard watching a channel no window has never lets it vote");
        }
    }

    @Test
    @DisplayName("windows built without features (Window.builder) make every feature rule report its features")
    void windowsWithoutFeatures() {
        Window w = Window.builder().deviceId("d").stream("s").index(0).timestamps(new long[] {0, 1000})
                .channel("co2", new double[] {500, 510}).build();
        LfRun run = new LfApplier(List.of(Lf.named("co2-high").when(Conditions.feature("co2.mean").above(400))
                .vote(1), Lf.named("co2-rising").when(Conditions.rate("co2").above(0)).vote(1))).apply(List.of(w));
        assertEquals(List.of(new LfRun.MissingInput("co2-high", LfRun.InputKind.FEATURE, "co2.mean",
                java.util.Optional.empty())), run.missingInputs());
        assertEquals(1, run.matrix().get(0, 1), "the channel rule votes");
    }

    private static Labeller failing(String name, Runnable failure) {
        return new Labeller() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int numClasses() {
                return 2;
            }

            @Override
            public int label(Window w) {
                if (w.index() % 2 == 0) {
                    failure.run();
                }
                return 0;
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    @DisplayName("an AssertionError, a sneaky checked exception or a LinkageError in one LF is counted as abstain")
    void errorsBeyondRuntimeExceptionsAreCountedAsAbstain() {
        List<Window> ws = SampleWindows.good();
        LfRun run = new LfApplier(List.of(
                failing("asserting", () -> {
                    throw new AssertionError("invariant broken");
                }),
                failing("sneaky", () -> LfApplierTest.<RuntimeException>sneakyThrow(
                        new java.io.IOException("disk gone"))),
                failing("linkage", () -> {
                    throw new NoClassDefFoundError("com/example/Missing");
                }))).apply(ws);
        long even = (ws.size() + 1) / 2;
        assertEquals(even, run.errors().get("asserting"));
        assertEquals(even, run.errors().get("sneaky"));
        assertEquals(even, run.errors().get("linkage"));
        assertTrue(run.firstErrors().get("sneaky").contains("IOException"), run.firstErrors().get("sneaky"));
        for (int i = 0; i < ws.size(); i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(i % 2 == 0 ? -1 : 0, run.matrix().get(i, j), "window " + i + ", LF " + j);
            }
        }
    }

    /** An application-defined Error, as a library might throw. */
    private static final class CustomError extends Error {
        private static final long serialVersionUID = 1L;

        CustomError(String message) {
            super(message);
        }
    }

    @Test
    @DisplayName("an IOError, a ServiceConfigurationError or a custom Error in one LF is counted as abstain; the "
            + "other LFs keep their votes")
    void anyNonVirtualMachineErrorIsCountedAsAbstain() {
        List<Window> ws = SampleWindows.good();
        Labeller light = Lf.named("light").when(Conditions.feature("light.mean").above(300)).otherwise(0).vote(1);
        LfRun run = new LfApplier(List.of(light,
                failing("io", () -> {
                    throw new java.io.IOError(new java.io.IOException("disk"));
                }),
                failing("services", () -> {
                    throw new java.util.ServiceConfigurationError("bad provider");
                }),
                failing("custom", () -> {
                    throw new CustomError("library bug");
                }))).apply(ws);
        long even = (ws.size() + 1) / 2;
        assertEquals(even, run.errors().get("io"));
        assertEquals(even, run.errors().get("services"));
        assertEquals(even, run.errors().get("custom"));
        assertTrue(run.firstErrors().get("custom").contains("library bug"), run.firstErrors().get("custom"));
        assertEquals(0L, run.errors().get("light"));
        for (int i = 0; i < ws.size(); i++) {
            assertEquals(i % 3 == 0 ? 1 : 0, run.matrix().get(i, 0), "window " + i);
        }
    }

    @Test
    @DisplayName("errors and first errors list the LFs in column order")
    void errorMapsKeepColumnOrder() {
        List<String> names = List.of("ok", "npe", "range", "myerror", "sneaky", "iae", "z", "a", "m");
        List<Labeller> lfs = new java.util.ArrayList<>();
        for (String n : names) {
            lfs.add(failing(n, () -> {
                throw new IllegalStateException(n);
            }));
        }
        LfRun run = new LfApplier(lfs).apply(SampleWindows.good());
        assertEquals(names, List.copyOf(run.errors().keySet()));
        assertEquals(names, List.copyOf(run.firstErrors().keySet()));
        assertEquals(names, run.lfNames());
    }

    @Test
    @DisplayName("an OutOfMemoryError or InternalError is not swallowed: the JVM is no longer reliable")
    void outOfMemoryPropagates() {
        Labeller oom = failing("oom", () -> {
            throw new OutOfMemoryError("simulated");
        });
        assertThrows(OutOfMemoryError.class, () -> new LfApplier(List.of(oom)).apply(SampleWindows.good()));
        Labeller internal = failing("internal", () -> {
            throw new InternalError("simulated");
        });
        assertThrows(InternalError.class, () -> new LfApplier(List.of(internal)).apply(SampleWindows.good()));
    }

    @Test
    @DisplayName("one-sided thresholds include the infinities: +inf is above any finite x, -inf below; NaN is UNKNOWN")
    void oneSidedThresholdsIncludeInfinities() {
        Window w = SampleWindows.good().get(0);
        Conditions.Threshold plus = new Conditions.Threshold(x -> Double.POSITIVE_INFINITY, "plus");
        Conditions.Threshold minus = new Conditions.Threshold(x -> Double.NEGATIVE_INFINITY, "minus");
        Conditions.Threshold nan = new Conditions.Threshold(x -> Double.NaN, "nan");
        assertEquals(Condition.TRUE, plus.above(300).test(w));
        assertEquals(Condition.FALSE, plus.below(300).test(w));
        assertEquals(Condition.TRUE, minus.below(300).test(w));
        assertEquals(Condition.FALSE, minus.above(300).test(w));
        assertEquals(Condition.TRUE, plus.between(0, Double.POSITIVE_INFINITY).test(w));
        assertEquals(Condition.FALSE, plus.between(0, 1e300).test(w));
        assertEquals(Condition.UNKNOWN, nan.above(300).test(w));
        assertEquals(Condition.UNKNOWN, nan.below(300).test(w));
        // A feature that overflows to infinity (a ratio over a near-zero denominator) still fires the rule.
        Labeller ratio = Lf.named("r").when(Conditions.ratio("light.mean", "co2.mean").above(1)).otherwise(0).vote(1);
        assertEquals(1, ratio.label(SampleWindows.window(0, Double.MAX_VALUE, 1e-300, 0, false, null)));
    }

    @Test
    @DisplayName("a vote outside [-1, k) is counted as an error and recorded as abstain")
    void outOfRangeVote() {
        Labeller bad = new Labeller() {
            @Override
            public String name() {
                return "bad";
            }

            @Override
            public int numClasses() {
                return 2;
            }

            @Override
            public int label(Window w) {
                return 7;
            }
        };
        LfRun run = new LfApplier(List.of(bad)).apply(SampleWindows.good());
        assertEquals(40L, run.errors().get("bad"));
        assertEquals(-1, run.matrix().get(0, 0));
    }

    @Test
    @DisplayName("rules abstain on missing data; duration, rate and cross-sensor rules evaluate raw samples")
    void rules() {
        Window occupied = SampleWindows.window(0, 450, 600, 4, false, null);
        Window nan = SampleWindows.window(0, 450, 600, 4, true, null);
        Labeller sustained = Lf.named("s").when(Conditions.sustained("light", true, 300, 10)).vote(1);
        Labeller rate = Lf.named("r").when(Conditions.rate("co2").above(4.0 / 60 - 1e-9)).vote(1);
        Labeller cross = Lf.named("x").when(Conditions.feature("light.mean").above(300)
                .and(Conditions.ratio("co2.mean", "light.mean").below(2))).vote(1);
        assertEquals(1, sustained.label(occupied));
        assertEquals(-1, sustained.label(nan));
        assertEquals(1, rate.label(occupied));
        assertEquals(1, cross.label(occupied));
        assertEquals(-1, cross.label(nan));
        Labeller health = new SensorHealthLabeller(Lf.named("h").when(Conditions.feature("co2.mean").above(0))
                .vote(1), List.of("co2"), 0, 2000, 5);
        assertEquals(1, health.label(occupied));
        assertEquals(-1, health.label(SampleWindows.window(0, 450, 2500, 0, false, null)), "saturated");
        assertEquals(-1, health.label(SampleWindows.window(0, 450, 600, 0, false, null)), "flat-lined");
    }

    @Test
    @DisplayName("rejects duplicate LF names and mixed class counts")
    void rejectsBadSets() {
        Labeller a = Lf.named("a").when(w -> Condition.TRUE).vote(1);
        assertThrows(IllegalArgumentException.class, () -> new LfApplier(List.of(a, a)));
        Labeller b = Lf.named("b").classes(3).when(w -> Condition.TRUE).vote(2);
        assertThrows(IllegalArgumentException.class, () -> new LfApplier(List.of(a, b)));
    }
}
