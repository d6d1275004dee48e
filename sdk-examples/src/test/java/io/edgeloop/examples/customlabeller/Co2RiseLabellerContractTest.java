package io.edgeloop.examples.customlabeller;

import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.record.QualityFlag;
import io.edgeloop.api.window.Window;
import io.edgeloop.tck.LabellerContractTest;
import java.util.List;

/** The sdk-tck labeller contract for the example labeller. */
class Co2RiseLabellerContractTest extends LabellerContractTest {
    @Override
    protected Labeller labeller() {
        return new Co2RiseLabeller("CO2", "Light", 10, 250);
    }

    private static Window window(double[] co2, double[] light) {
        long[] ts = new long[co2.length];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = 60_000L * i;
        }
        return Window.builder().deviceId("office").timestamps(ts).channel("CO2", co2).channel("Light", light).build();
    }

    @Override
    protected List<Window> windows() {
        return List.of(
                window(new double[] {600, 620, 650}, new double[] {450, 460, 455}),   // occupied
                window(new double[] {500, 490, 480}, new double[] {0, 0, 0}),         // empty
                window(new double[] {500, 502, 503}, new double[] {450, 450, 450}),   // abstain: lit, flat CO2
                window(new double[] {500, 520, 560}, new double[] {10, 12, 10}));     // abstain: dark, rising CO2
    }

    @Override
    protected List<Window> badWindows() {
        return List.of(
                window(new double[] {600, Double.NaN, 650}, new double[] {450, 460, 455}),
                window(new double[] {600, 620, 650}, new double[] {Double.NaN, Double.NaN, Double.NaN}),
                window(new double[0], new double[0]),
                Window.builder().deviceId("office").timestamps(new long[] {1, 2}).channel("Temperature",
                        new double[] {20, 21}).flag(QualityFlag.OFFLINE).build());
    }
}
