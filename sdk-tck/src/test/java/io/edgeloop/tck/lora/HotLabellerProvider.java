// Copied from the reviewer's third-party project (/tmp/rev-api/lora, review of 2026-11-30): a deliberately
// breakable implementation whose `fault` switch turns on one known defect, so the kit's own tests can prove that
// each contract test fails for it.
package io.edgeloop.tck.lora;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.label.LabellerProvider;
import io.edgeloop.api.window.Window;

/** Factory for the hot labeller. Thread-safe. */
public final class HotLabellerProvider implements LabellerProvider {
    @Override public String name() { return "hot"; }
    @Override public Labeller create(ComponentConfig c) {
        c.requireKnownKeys(name() + " labeller", java.util.Set.of("threshold", "broken", "fault"));
        double t = c.getDouble("threshold", 25, -100, 100);
        boolean broken = c.getBoolean("broken", false);
        String fault = c.getString("fault", "none");
        return broken ? new Unsafe(t) : new Labeller() {
            public String name() { return "hot"; }
            public int numClasses() { return 2; }
            public int label(Window w) {
                // BUG when nan-throws (the reviewer's Labellers.NanThrows): an exception instead of an abstention
                if (fault.equals("nan-throws") && w.missingCount("temp") > 0) throw new IllegalArgumentException("NaN in window");
                // BUG when flag-throws: a saturated sensor is refused with an exception
                if (fault.equals("flag-throws") && w.flags().contains(io.edgeloop.api.record.QualityFlag.SATURATED)) {
                    throw new IllegalStateException("saturated sensor");
                }
                if (w.channelIndex("temp") < 0 || w.missingCount("temp") > 0) return Label.ABSTAIN;
                double s = 0; double[] v = w.values("temp");
                for (double x : v) s += x;
                // BUG when votes-two: a class index numClasses() does not cover
                return s / v.length > t ? (fault.equals("votes-two") ? 2 : 1) : 0;
            }
        };
    }

    /** BUG: shared scratch state (not thread-safe). */
    static final class Unsafe implements Labeller {
        private final double t;
        private double sum; private int n;
        Unsafe(double t) { this.t = t; }
        public String name() { return "hot"; }
        public int numClasses() { return 2; }
        public int label(Window w) {
            if (w.channelIndex("temp") < 0 || w.missingCount("temp") > 0) return Label.ABSTAIN;
            sum = 0; n = 0;
            double[] v = w.values("temp");
            for (int i = 0; i < v.length; i++) {
                sum += v[i]; n++;
                // Widens the race (as TinyLinearRuntimeProvider's racy mode does), so the kit's own test that this
                // labeller FAILS isThreadSafe does not depend on the scheduler: without it a run on 2 busy cores
                // could go by without two threads overlapping in the few nanoseconds of the loop.
                if (i == v.length / 2) Thread.yield();
            }
            return sum / n > t ? 1 : 0;
        }
    }
}
