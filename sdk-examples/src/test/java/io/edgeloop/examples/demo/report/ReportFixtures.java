package io.edgeloop.examples.demo.report;

import java.util.ArrayList;
import java.util.List;

/** Hand-made results for rendering tests (the demo's own tests check figures from real runs). */
final class ReportFixtures {
    private ReportFixtures() {
    }

    static DemoResults.Builder base() {
        return DemoResults.builder().run(new DemoResults.RunInfo(12, 42, "http", "0.1.0-SNAPSHOT",
                "Java 17 on Linux amd64"));
    }

    static DemoResults complete() {
        List<DemoResults.FillSample> t = new ArrayList<>();
        for (int s = 0; s <= 120; s += 2) {
            t.add(new DemoResults.FillSample(s, "avr8", s >= 30 && s < 60 ? (s - 30) * 20L : 5));
            t.add(new DemoResults.FillSample(s, "cortex-m3", s >= 70 && s < 90 ? (s - 70) * 15L : 3));
            t.add(new DemoResults.FillSample(s, "jvm", 2));
        }
        return base()
                .step(new DemoResults.Step(1, "Devices replay sensor data into durable buffers", DemoResults.Status.DONE,
                        "12 devices, 3 outages, 1 power loss"))
                .step(new DemoResults.Step(2, "Forwarders drain to the ingest server", DemoResults.Status.DONE, "http"))
                .step(new DemoResults.Step(3, "Label and train", DemoResults.Status.DONE, "auto label model"))
                .step(new DemoResults.Step(4, "Quantize, check parity, sign bundles", DemoResults.Status.DONE,
                        "simavr, qemu, java"))
                .step(new DemoResults.Step(5, "Staged rollout", DemoResults.Status.DONE, "3 waves"))
                .step(new DemoResults.Step(6, "Report", DemoResults.Status.DONE, "report.html, summary.json"))
                .ingest(new DemoResults.Ingest(8143, 8143, 0, 412, t, List.of(
                        new DemoResults.Outage("avr8-1", 30, 60, false),
                        new DemoResults.Outage("cortex-m3-2", 70, 90, false),
                        new DemoResults.Outage("jvm-3", 95, 95, true)), 120))
                .labeling(new DemoResults.Labeling(814, "auto", 97.123, 99.1, 8, 98.456, 98.901, 95.2, List.of(
                        new DemoResults.LfStat("light-high", 35.5, 97.1),
                        new DemoResults.LfStat("light-low", 60.1, 99.5),
                        new DemoResults.LfStat("co2-rising", 20.3, 88.2),
                        new DemoResults.LfStat("humidity-ratio", 44.0, 81.7))))
                .labelingByTestFile(new DemoResults.TestFileAccuracy("datatest.txt", 532, 97.368, 97.368))
                .labelingByTestFile(new DemoResults.TestFileAccuracy("datatest2.txt", 1951, 95.384, 91.235))
                .variant(new DemoResults.Variant("avr8", "int8", 98.9, 98.7, "simavr", 10000, 0, 2380L, 10, 28))
                .variant(new DemoResults.Variant("cortex-m3", "int16", 98.9, 98.9, "qemu", 10000, 0, 1544L, 18, 28))
                .variant(new DemoResults.Variant("jvm", "int32", 98.9, 98.9, "java", 10000, 0, 412L, 36, 28))
                .rollout(new DemoResults.Rollout(12, 11, 1, 0, false, List.of(
                        new DemoResults.Wave("canary", 3, 3, 0, 0),
                        new DemoResults.Wave("wave 2", 4, 3, 1, 0),
                        new DemoResults.Wave("wave 3", 5, 5, 0, 0))))
                .build();
    }

    static DemoResults partial() {
        return base()
                .step(new DemoResults.Step(1, "Devices replay sensor data into durable buffers", DemoResults.Status.DONE,
                        "ok"))
                .step(new DemoResults.Step(3, "Label and train", DemoResults.Status.SKIPPED,
                        "sdk-labeling provides no label model yet"))
                .step(new DemoResults.Step(4, "Quantize", DemoResults.Status.SKIPPED, "needs step 3's model"))
                .step(new DemoResults.Step(5, "Rollout", DemoResults.Status.SKIPPED, "needs step 4's bundles"))
                .ingest(new DemoResults.Ingest(100, 100, 0, 0, List.of(new DemoResults.FillSample(0, "jvm", 1),
                        new DemoResults.FillSample(1, "jvm", 0)), List.of(), 1))
                .build();
    }
}
