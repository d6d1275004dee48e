package io.edgeloop.examples.demo;

import io.edgeloop.api.EdgeloopVersion;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.window.Window;
import io.edgeloop.examples.demo.data.BufferedDataPath;
import io.edgeloop.examples.demo.data.DataPathResult;
import io.edgeloop.examples.demo.data.DirectReplay;
import io.edgeloop.examples.demo.fleet.FleetPlan;
import io.edgeloop.examples.demo.label.LabelingStage;
import io.edgeloop.examples.demo.label.OccupancyGold;
import io.edgeloop.examples.demo.label.OccupancyWindows;
import io.edgeloop.examples.demo.quantize.BundleStage;
import io.edgeloop.examples.demo.quantize.QuantizeStage;
import io.edgeloop.examples.demo.report.DemoResults;
import io.edgeloop.examples.demo.rollout.RolloutStage;
import io.edgeloop.examples.demo.report.DemoResults.Status;
import io.edgeloop.examples.demo.report.DemoResults.Step;
import io.edgeloop.examples.demo.report.ReportHtml;
import io.edgeloop.examples.demo.report.SummaryJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code edgeloop demo}: the whole loop on one machine, from simulated devices to a staged rollout, ending in
 * {@code report.html} and {@code summary.json} in the output directory. The steps:
 * <ol>
 *   <li>devices of three variants replay the UCI occupancy data into their buffers, with outages and a power loss;</li>
 *   <li>forwarders drain the buffers to an embedded ingest server;</li>
 *   <li>labelling functions, the label model and a simulated expert label the windows; Tribuo trains the end model;</li>
 *   <li>the model is quantized per variant, parity is checked and bundles are signed;</li>
 *   <li>a staged rollout delivers the bundles to the simulated fleet;</li>
 *   <li>the report.</li>
 * </ol>
 * A step whose module is not available, or that fails, is reported as such (in the console, the report and
 * {@code summary.json}); later steps that need its product are skipped, and no figure is invented.
 *
 * <p>Not thread-safe: one run per instance.
 */
public final class Demo {
    /** Tribuo logs every training run at INFO through java.util.logging; the demo's console says enough. */
    private static final java.util.logging.Logger TRIBUO_LOG = java.util.logging.Logger.getLogger("org.tribuo");

    private final DemoOptions options;
    private final DemoConsole console;

    /**
     * @param options the run's settings
     * @param console where to print progress
     */
    public Demo(DemoOptions options, DemoConsole console) {
        this.options = options;
        this.console = console;
    }

    /**
     * Runs the demo and writes the report and summary. With {@code SOURCE_DATE_EPOCH} set, every time the
     * artifacts record is that time instead of the clock: the labels' and the end models' provenance (and the times
     * Tribuo records in the model files), the quantized models' provenance, the trust file, the bundles' manifests
     * and tar entries; the simulated devices check expiry against it too, so the same seed and time write the same
     * model, label, quantized-model, release and fleet files.
     * The output directory is locked for the run
     * ({@link DemoLock}) and cleared of an earlier run's files before step 1 ({@link DemoFiles#clearEarlierRun}).
     *
     * @return the results
     * @throws IOException              when the output directory cannot be written, or another run holds it
     * @throws IllegalArgumentException when {@code SOURCE_DATE_EPOCH} is set but not a whole number of seconds
     */
    public DemoResults run() throws IOException {
        TRIBUO_LOG.setLevel(java.util.logging.Level.WARNING);
        // Checked before the output directory is touched: a malformed value is refused, not half-used.
        java.time.Instant sourceDateEpoch = io.edgeloop.quantize.workflow.QuantizeWorkflow.sourceDateEpoch(
                System.getenv("SOURCE_DATE_EPOCH"));
        Path out = options.out().toAbsolutePath().normalize();
        DemoFiles.claim(out);
        DemoLock lock = DemoLock.acquire(out);
        try {
            DemoFiles.clearEarlierRun(out);
            return run(out, sourceDateEpoch);
        } finally {
            lock.close();
        }
    }

    private DemoResults run(Path out, java.time.Instant sourceDateEpoch) throws IOException {
        DemoResults.Builder results = DemoResults.builder().run(new DemoResults.RunInfo(options.devices(),
                options.seed(), options.mqtt().map(m -> "mqtt://" + m).orElse("http (loopback)"),
                EdgeloopVersion.get(), "Java " + System.getProperty("java.version") + " on "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch")));
        FleetPlan plan = FleetPlan.draw(options.devices(), FleetPlan.TRAINING_ROWS, options.seed());

        // the devices replay and their forwarders drain in the same rounds: one heading for both steps
        console.steps(1, 2, "Devices replay sensor data into durable buffers; forwarders drain them");
        DataPathResult data = dataPath(plan, out);
        data.steps().forEach(results::step);
        data.figures().ifPresent(results::ingest);

        console.step(3, "Label the ingested windows and train the end model");
        Optional<LabelingStage.Outcome> labelled = Optional.empty();
        try {
            OccupancyGold gold = OccupancyGold.load("datatraining.txt", "datatest.txt", "datatest2.txt");
            List<Window> windows = OccupancyWindows.of(data.records());
            Map<String, List<Window>> test = new LinkedHashMap<>();
            for (String file : List.of("datatest.txt", "datatest2.txt")) {
                test.put(file, testWindows(file));
            }
            // SOURCE_DATE_EPOCH fixes the times in the labels' and end models' provenance, as it does for train
            LabelingStage.Outcome o = new LabelingStage(options.seed(), console, sourceDateEpoch).run(windows, test,
                    gold);
            o.byTestFile().forEach(results::labelingByTestFile);
            DemoResults.Labeling l = o.figures();
            console.line("label model %s: weak-label accuracy %.2f %% on %.1f %% of %d windows; %d expert answers",
                    l.labelModel(), l.weakLabelAccuracy(), l.weakLabelCoverage(), l.windows(), l.expertQueries());
            console.line("end model (weak labels) %.2f %%, same model on all gold labels %.2f %%, on %d test windows",
                    l.endModelAccuracy(), l.goldModelAccuracy(), o.test().size());
            for (DemoResults.TestFileAccuracy f : o.byTestFile()) {
                console.line("  %s: end model %.2f %%, model on gold %.2f %%, on %d windows", f.file(),
                        f.endModelAccuracy(), f.goldModelAccuracy(), f.windows());
            }
            Path labelsDir = DemoFiles.fresh(out.resolve("labels"));
            Path answers = labelsDir.resolve("expert-answers.jsonl");
            o.writeAnswers(answers);
            Path labelsProvenance = o.writeLabels(labelsDir.resolve("weak-labels.csv"));
            console.line("expert answers: %s (%d, sha256 %s...; named in every model's provenance)", out.relativize(
                    answers), o.answers().size(), o.endModel().provenance().settings().get("expertAnswersSha256")
                    .substring(0, 12));
            console.line("labelled windows: %s with %s", out.relativize(labelsDir.resolve("weak-labels.csv")),
                    labelsProvenance.getFileName());
            results.labeling(l);
            results.step(new Step(3, "Label the windows and train the end model", Status.DONE, String.format(
                    Locale.ROOT, "%d windows, %d labelling functions, label model %s, %d expert answers (1 %% "
                    + "budget, sdk-labeling ActiveLearner: label-model/LF disagreement, diverse batches of 10), "
                    + "sdk-labeling EndModelTrainer (Tribuo logistic regression)", l.windows(),
                    l.functions().size(), l.labelModel(), l.expertQueries())));
            labelled = Optional.of(o);
        } catch (Exception | LinkageError e) {
            fail(results, 3, "Label the windows and train the end model", e);
        }

        console.step(4, "Quantize per variant, check parity, sign bundles");
        Optional<BundleStage.Signed> signed = Optional.empty();
        java.util.Map<String, List<int[]>> shadow = java.util.Map.of();
        String title4 = "Quantize per variant, check parity, sign bundles";
        if (labelled.isEmpty()) {
            results.step(new Step(4, title4, Status.SKIPPED, "no end model: step 3 did not finish"));
            console.line("skipped: no end model");
        } else {
            try {
                LabelingStage.Outcome o = labelled.get();
                List<QuantizeStage.Product> products = new QuantizeStage(options.seed(), console,
                        sourceDateEpoch).run(o.endModel(), o.train(), o.test(), out.resolve("models"));
                products.forEach(p -> results.variant(p.figures()));
                List<Path> previousDirs = QuantizeStage.writeOnly(o.previousModel(), o.train(),
                        out.resolve("models-previous"), sourceDateEpoch);
                signed = Optional.of(new BundleStage(options.seed(), console, sourceDateEpoch).run(previousDirs,
                        o.previousModel().provenance(), products.stream().map(QuantizeStage.Product::dir).toList(),
                        o.endModel().provenance(), out.resolve("release")));
                shadow = QuantizeStage.shadowInputs(products, o.test(), 200);
                StringBuilder parity = new StringBuilder();
                for (QuantizeStage.Product p : products) {
                    parity.append(parity.length() == 0 ? "" : ", ").append(p.figures().target()).append(" on ")
                            .append(p.figures().parity()).append(p.note().isEmpty() ? "" : " (" + p.note() + ")");
                }
                results.step(new Step(4, title4, Status.DONE, String.format(Locale.ROOT, "int8 (avr8), int16 "
                        + "(cortex-m3), int32 (jvm) through the Quantizer SPI; parity on %d vectors per variant: %s "
                        + "(simavr/qemu: the generated C against the Java reference runtime, bit for bit; java: the "
                        + "reference model against model.json reloaded by the edgeloop-int runtime); the previous "
                        + "and the new release signed with Ed25519 (%s) and verified for every variant",
                        QuantizeStage.PARITY_VECTORS, parity, signed.get().bundle().getFileName())));
            } catch (Exception | LinkageError e) {
                fail(results, 4, title4, e);
            }
        }
        console.step(5, "Staged rollout to the simulated fleet");
        // A fixed time may lie further back than the validity of the files that record it: the devices live then.
        java.time.Clock devicesClock = sourceDateEpoch == null ? java.time.Clock.systemUTC()
                : java.time.Clock.fixed(sourceDateEpoch, java.time.ZoneOffset.UTC);
        String title5 = "Staged rollout to the simulated fleet";
        if (signed.isEmpty()) {
            results.step(new Step(5, title5, Status.SKIPPED, "no signed bundle: step 4 did not finish"));
            console.line("skipped: no signed bundle");
        } else {
            try {
                RolloutStage.Outcome ro = new RolloutStage(options.seed(), console, devicesClock).run(
                        plan.devices(), signed.get().trust(), signed.get().previous(), signed.get().bundle(), shadow,
                        out.resolve("fleet"));
                results.rollout(ro.figures());
                DemoResults.Rollout f = ro.figures();
                results.step(new Step(5, title5, Status.DONE, String.format(Locale.ROOT, "%d devices with sdk-ota "
                        + "device agents (A/B slots on disk, edgeloop-int runtime) started on the previous release "
                        + "(sequence 1); a campaign of %d waves with a 90 %% shadow-agreement gate delivered "
                        + "sequence 2%s; injected: %s; afterwards %d on the new model, %d on the previous one, %d "
                        + "unverified", f.devices(), f.waves().size(), f.halted() ? " and halted (" + ro.halted()
                        + ")" : ro.completedWithFailures().isEmpty() ? "" : " to every device (completed with failures "
                        + "in its last wave: " + ro.completedWithFailures() + ")", ro.injected(), f.onNewModel(), f.onOldModel(), f.unverified())));
            } catch (Exception | LinkageError e) {
                fail(results, 5, title5, e);
            }
        }

        console.step(6, "Report");
        results.step(new Step(6, "Write report.html and summary.json", Status.DONE, "in " + out));
        DemoResults r = results.build();
        ReportHtml.write(r, out.resolve("report.html"));
        SummaryJson.write(r, out.resolve("summary.json"));
        console.line("report:  %s", out.resolve("report.html"));
        console.line("summary: %s", out.resolve("summary.json"));
        console.finish();
        return r;
    }

    private DataPathResult dataPath(FleetPlan plan, Path out) throws IOException {
        try {
            try (BufferedDataPath.Uplink uplink = uplink()) {
                return new BufferedDataPath(out.resolve("devices"), options.seed(), uplink, console).run(plan);
            }
        } catch (Exception | LinkageError e) {
            String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
            console.line("FAILED: %s", msg);
            console.line("labelling continues on the readings replayed directly from the sources");
            try {
                List<SensorRecord> records = DirectReplay.readAll(plan, console);
                return new DataPathResult(records, Optional.empty(), List.of(
                        new Step(1, "Devices replay sensor data into durable buffers", Status.FAILED, msg),
                        new Step(2, "Forwarders drain the buffers to the ingest server", Status.SKIPPED,
                                "step 1 failed; labelling read the replayed records directly")));
            } catch (Exception again) {
                throw new IOException("Replaying the sensor data failed: " + again.getMessage(), again);
            }
        }
    }

    private BufferedDataPath.Uplink uplink() throws IOException {
        if (options.mqtt().isPresent()) {
            return new MqttUplink(options.mqtt().get(), console);
        }
        return new BufferedDataPath.HttpUplink();
    }

    private static List<Window> testWindows(String file) throws Exception {
        List<SensorRecord> rs = new ArrayList<>();
        SensorSourceProvider csv = ProviderLoader.of(SensorSourceProvider.class).select("csv-replay");
        try (SensorSource s = csv.create(io.edgeloop.api.config.ComponentConfig.builder()
                .put("resource", OccupancyGold.DATA + file).put("device", "test-" + file.replace(".txt", ""))
                .put("stream", "env").put("channels", String.join(",", OccupancyWindows.CHANNELS)).build())) {
            while (!s.isExhausted()) {
                rs.addAll(s.poll(4096, Duration.ZERO));
            }
        }
        return OccupancyWindows.of(rs);
    }

    private void fail(DemoResults.Builder results, int step, String title, Throwable e) {
        String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
        console.line("FAILED: %s", msg);
        results.step(new Step(step, title, Status.FAILED, msg));
    }
}
