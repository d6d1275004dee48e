package io.edgeloop.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SensorSourceProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.api.window.Window;
import io.edgeloop.cli.Edgeloop;
import io.edgeloop.examples.demo.DemoConsole;
import io.edgeloop.examples.demo.DemoFiles;
import io.edgeloop.examples.demo.DemoOptions;
import io.edgeloop.examples.demo.fleet.FleetPlan;
import io.edgeloop.examples.demo.label.OccupancyGold;
import io.edgeloop.examples.demo.label.OccupancyWindows;
import io.edgeloop.examples.demo.report.DemoReportChecks;
import io.edgeloop.examples.demo.report.DemoResults;
import io.edgeloop.examples.demo.rollout.RolloutStage;
import io.edgeloop.labeling.train.ProvenanceFiles;
import io.edgeloop.ota.bundle.ArtifactEntry;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.Lineage;
import io.edgeloop.ota.bundle.VerificationPolicy;
import io.edgeloop.ota.trust.TrustRoot;
import io.edgeloop.quantize.parity.ParityHarness;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.workflow.QuantizeWorkflow;
import io.edgeloop.quantize.parity.ParityTarget;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("edgeloop demo")
class DemoCommandTest {
    @TempDir
    static Path dir;

    private static Path out;
    private static int exit;
    private static String stdout;
    private static String stderr;
    private static JsonNode summary;
    private static int secondExit;
    private static String secondOutput;
    private static java.time.Instant started;
    private static java.time.Instant ended;

    /**
     * One demo run shared by every check: the run is the expensive part. While it runs, a second run in the same
     * process on the same {@code --out} is tried (and must be refused, leaving the first unaffected).
     */
    @BeforeAll
    static void runDemoOnce() throws Exception {
        out = dir.resolve("demo-out");
        started = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int[] code = new int[1];
        Thread first = new Thread(() -> code[0] = Edgeloop.run(new PrintWriter(o, true), new PrintWriter(e, true),
                "demo", "--out", out.toString(), "--devices", "6", "--seed", "7"));
        first.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!o.toString().contains("/6]") && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        StringWriter o2 = new StringWriter();
        StringWriter e2 = new StringWriter();
        secondExit = Edgeloop.run(new PrintWriter(o2, true), new PrintWriter(e2, true), "demo", "--out",
                out.toString(), "--devices", "3", "--seed", "8");
        secondOutput = o2 + "|" + e2;
        first.join();
        ended = java.time.Instant.now();
        exit = code[0];
        stdout = o.toString();
        stderr = e.toString();
        summary = new ObjectMapper().readTree(Files.readString(out.resolve("summary.json")));
    }

    private static List<String> names(JsonNode n) {
        List<String> l = new ArrayList<>();
        n.fieldNames().forEachRemaining(l::add);
        return l;
    }

    @Test
    @DisplayName("refuses a second run on the same --out while the first runs, in one line naming the directory")
    void refusesASecondRunOnTheSameOut() {
        assertEquals(1, secondExit, secondOutput);
        assertTrue(secondOutput.startsWith("|edgeloop: " + out.toAbsolutePath().normalize() + " is in use by another "
                + "`edgeloop demo` run (another run in this process, pid " + ProcessHandle.current().pid() + ")"),
                secondOutput);
        assertEquals(1, secondOutput.strip().lines().count(), secondOutput);
    }

    @Test
    @DisplayName("finishes without a failed step and prints each step with progress bars")
    void finishes() {
        assertEquals(0, exit, stdout + stderr);
        List<String> headings = stdout.lines().filter(l -> l.matches("\\[[0-9-]+/6\\] .*"))
                .map(l -> l.substring(0, l.indexOf(']') + 1)).toList();
        assertEquals(List.of("[1-2/6]", "[3/6]", "[4/6]", "[5/6]", "[6/6]"), headings, stdout);
        assertTrue(stdout.contains("] 100 %"), "a progress bar:\n" + stdout);
    }

    @Test
    @DisplayName("without SOURCE_DATE_EPOCH records the clock in the quantized models, the trust file and the bundles")
    void recordsTheClock() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("SOURCE_DATE_EPOCH") == null,
                "SOURCE_DATE_EPOCH is set for the test JVM");
        List<java.time.Instant> recorded = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String m : List.of("models", "models-previous")) {
            for (String v : List.of("avr8", "cortex-m3", "jvm")) {
                recorded.add(java.time.Instant.parse(json.readTree(out.resolve(m).resolve(v).resolve("model.json")
                        .toFile()).path("provenance").path("createdAt").asText()));
            }
        }
        recorded.add(java.time.Instant.parse(json.readTree(out.resolve("release/trust.json").toFile()).path("signed")
                .path("createdAt").asText()));
        TrustRoot trust = TrustRoot.read(out.resolve("release/trust.json"));
        for (String b : List.of("occupancy-1.tar.gz", "occupancy-2.tar.gz")) {
            recorded.add(new BundleVerifier(trust).verify(out.resolve("release").resolve(b), VerificationPolicy
                    .builder().target(TargetProfile.of("jvm")).build()).manifest().createdAt());
        }
        for (java.time.Instant t : recorded) {
            assertTrue(!t.isBefore(started) && !t.isAfter(ended), t + " not within the run, " + started + " to "
                    + ended + ": " + recorded);
        }
    }

    @Test
    @DisplayName("writes summary.json in the documented shape")
    void summaryShape() {
        List<String> top = names(summary);
        assertEquals(List.of("recordsSent", "recordsIngested", "recordsLost", "duplicatesDropped", "labeling",
                "variants", "rollout"), top.subList(0, 7));
        assertEquals(List.of("weakLabelAccuracy", "expertQueries", "endModelAccuracy", "goldModelAccuracy",
                "byTestFile"),
                names(summary.get("labeling")));
        assertEquals(List.of("devices", "onNewModel", "onOldModel", "unverified"), names(summary.get("rollout")));
    }

    @Test
    @DisplayName("writes exactly the subdirectories DemoFiles.SUBDIRECTORIES names (what the --out refusal lists)")
    void subdirectoriesAsListed() throws Exception {
        List<String> dirs = new ArrayList<>();
        try (var s = Files.list(out)) {
            s.filter(Files::isDirectory).forEach(p -> dirs.add(p.getFileName().toString()));
        }
        assertEquals(new java.util.TreeSet<>(DemoFiles.SUBDIRECTORIES), new java.util.TreeSet<>(dirs));
    }

    @Test
    @DisplayName("runs every step on the real modules: nothing skipped or failed")
    void everyStepRan() {
        assertFalse(summary.has("skipped"), "steps skipped or failed: " + summary.get("skipped"));
    }

    @Nested
    @DisplayName("reaches the figures the issue sets")
    class Figures {
        @Test
        @DisplayName("loses no record across outages and the power loss; the resends are dropped as duplicates")
        void noLoss() {
            assertEquals(0, summary.get("recordsLost").asLong());
            assertTrue(summary.get("recordsSent").asLong() > 2000, summary.toString());
            assertEquals(summary.get("recordsSent").asLong(), summary.get("recordsIngested").asLong());
            assertTrue(summary.get("duplicatesDropped").asLong() > 0, "lost acknowledgements must cause resends");
        }

        @Test
        @DisplayName("asks the expert about 1 % of windows and trains an end model within 2 points of the gold model")
        void labelling() {
            JsonNode l = summary.get("labeling");
            long windows = summary.get("recordsIngested").asLong() / 5;
            assertTrue(l.get("expertQueries").asLong() >= 1 && l.get("expertQueries").asLong() <= windows / 100 + 1,
                    l.toString());
            double end = l.get("endModelAccuracy").asDouble();
            double goldModel = l.get("goldModelAccuracy").asDouble();
            assertTrue(end >= goldModel - 2, "end model " + end + " vs gold model " + goldModel);
            assertTrue(l.get("weakLabelAccuracy").asDouble() > 90, l.toString());
        }

        @Test
        @DisplayName("reports the end model and the gold-trained model on each test file as well as combined")
        void labellingPerTestFile() {
            JsonNode files = summary.get("labeling").get("byTestFile");
            assertEquals(2, files.size(), files.toString());
            assertEquals("datatest.txt", files.get(0).get("file").asText());
            assertEquals("datatest2.txt", files.get(1).get("file").asText());
            long windows = 0;
            for (JsonNode f : files) {
                assertEquals(List.of("file", "windows", "endModelAccuracy", "goldModelAccuracy"), names(f));
                assertTrue(f.get("windows").asLong() > 100, f.toString());
                assertTrue(f.get("endModelAccuracy").asDouble() > 80 && f.get("goldModelAccuracy").asDouble() > 80,
                        f.toString());
                windows += f.get("windows").asLong();
            }
            // The combined figure is the windows-weighted mean of the per-file ones.
            double combined = 0;
            for (JsonNode f : files) {
                combined += f.get("endModelAccuracy").asDouble() * f.get("windows").asLong() / windows;
            }
            assertEquals(summary.get("labeling").get("endModelAccuracy").asDouble(), combined, 0.02);
        }

        @Test
        @DisplayName("quantizes every variant within the sdk-quantize budgets with 0 parity mismatches")
        void quantized() {
            Map<String, String> scheme = Map.of("avr8", "int8", "cortex-m3", "int16", "jvm", "int32");
            Map<String, Double> budget = Map.of("int8", 0.5, "int16", 0.1, "int32", 0.01);
            assertEquals(3, summary.get("variants").size());
            for (JsonNode v : summary.get("variants")) {
                String target = v.get("target").asText();
                assertEquals(scheme.get(target), v.get("scheme").asText(), v.toString());
                double drop = v.get("floatAccuracy").asDouble() - v.get("quantizedAccuracy").asDouble();
                assertTrue(drop <= budget.get(v.get("scheme").asText()) + 1e-9, "accuracy drop " + drop + ": " + v);
                assertEquals(0, v.get("mismatches").asLong(), v.toString());
                assertEquals(expectedParity(target), v.get("parity").asText(), v.toString());
                assertTrue(v.get("flashBytes").asLong() > 0, v.toString());
            }
        }

        /** The simulator when its toolchain is installed (CI installs them), the Java runtime otherwise. */
        private static String expectedParity(String target) {
            if (target.equals("avr8")) {
                return ParityHarness.missingTools(ParityTarget.AVR8).isEmpty() ? "simavr" : "java";
            }
            if (target.equals("cortex-m3")) {
                return ParityHarness.missingTools(ParityTarget.CORTEX_M3).isEmpty() ? "qemu" : "java";
            }
            return "java";
        }

        @Test
        @DisplayName("leaves every device on a verified model after the rollout")
        void rollout() {
            JsonNode r = summary.get("rollout");
            assertEquals(6, r.get("devices").asInt());
            assertEquals(0, r.get("unverified").asInt());
            assertEquals(6, r.get("onNewModel").asInt() + r.get("onOldModel").asInt());
            assertTrue(r.get("onNewModel").asInt() >= 1, r.toString());
            // the demo's own injected failures (a power loss, a corrupted download) do not halt its rollout
            // (rev-s6-ota item 10): the campaign reaches every device and says so
            assertTrue(stdout.contains("campaign completed"), stdout);
            assertFalse(stdout.contains("campaign halted"), stdout);
        }
    }

    @Nested
    @DisplayName("records where the shipped model came from, down to the expert answers")
    class ProvenanceChain {
        /** The answers file, and their digest computed here from its documented definition. */
        private Map<Integer, Integer> answers() throws Exception {
            Map<Integer, Integer> m = new TreeMap<>();
            ObjectMapper json = new ObjectMapper();
            for (String line : Files.readAllLines(out.resolve("labels/expert-answers.jsonl"))) {
                JsonNode a = json.readTree(line);
                m.put(a.get("row").asInt(), a.get("label").asInt());
            }
            return m;
        }

        private String digest(Map<Integer, Integer> answers) throws Exception {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<Integer, Integer> e : answers.entrySet()) {
                md.update((e.getKey() + ":" + e.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        }

        private Provenance endModel() throws Exception {
            return ProvenanceFiles.read(out.resolve("models/occupancy.tribuo"));
        }

        @Test
        @DisplayName("occupancy.tribuo.provenance.json names the answers (count and digest) and the label model")
        void endModelFile() throws Exception {
            Map<Integer, Integer> answers = answers();
            long asked = summary.get("labeling").get("expertQueries").asLong();
            assertEquals(asked, answers.size());
            assertTrue(asked > 0);
            Provenance p = endModel();
            assertEquals("end-model", p.kind());
            assertEquals(String.valueOf(asked), p.settings().get("expertAnswers"));
            assertEquals(String.valueOf(asked), p.settings().get("goldRows"));
            assertEquals(digest(answers), p.settings().get("expertAnswersSha256"));
            Provenance labels = p.parents().get(0);
            assertEquals("weak-labels", labels.kind());
            assertEquals("auto", labels.settings().get("labelModel"));
            assertEquals(digest(answers), labels.settings().get("expertAnswersSha256"));
            assertTrue(labels.settings().containsKey("lf.co2-rise"), labels.settings().toString());
            // The Tribuo file alone carries the digest too (its instance provenance).
            assertTrue(new String(Files.readAllBytes(out.resolve("models/occupancy.tribuo")),
                    StandardCharsets.ISO_8859_1).contains(digest(answers)));
        }

        @Test
        @DisplayName("the labelled windows (labels/weak-labels.csv) carry their provenance; answered windows are gold")
        void labelledDataset() throws Exception {
            Map<Integer, Integer> answers = answers();
            Provenance p = ProvenanceFiles.read(out.resolve("labels/weak-labels.csv"));
            assertEquals("weak-labels", p.kind());
            assertEquals(digest(answers), p.settings().get("expertAnswersSha256"));
            assertEquals(endModel().parents().get(0), p, "the end model's parent is this dataset's provenance");
            Map<Integer, Integer> gold = new TreeMap<>();
            List<String> rows = Files.readAllLines(out.resolve("labels/weak-labels.csv"));
            assertEquals("window,label,weight,gold", rows.get(0));
            for (String row : rows.subList(1, rows.size())) {
                String[] f = row.split(",");
                if (f[3].equals("1")) {
                    assertEquals("1.0", f[2], row);
                    gold.put(Integer.parseInt(f[0]), Integer.parseInt(f[1]));
                }
            }
            assertEquals(answers, gold);
        }

        @Test
        @DisplayName("every quantized model names the end model's provenance, and the model file's digest")
        void quantizedModels() throws Exception {
            Provenance end = endModel();
            String fileSha = Sha256.hex(out.resolve("models/occupancy.tribuo"));
            for (String target : List.of("avr8", "cortex-m3", "jvm")) {
                JsonNode model = new ObjectMapper().readTree(out.resolve("models").resolve(target)
                        .resolve("model.json").toFile());
                @SuppressWarnings("unchecked")
                Provenance q = Provenance.fromMap(new ObjectMapper().convertValue(model.get("provenance"), Map.class));
                assertEquals("quantized-model", q.kind());
                assertEquals(List.of(end), q.parents(), target);
                assertEquals(fileSha, q.inputs().stream().filter(i -> i.name().equals("occupancy.tribuo"))
                        .findFirst().orElseThrow().sha256(), target);
            }
        }

        @Test
        @DisplayName("the signed release's lineage names the answers and nests the whole chain")
        void releaseLineage() throws Exception {
            String sha = digest(answers());
            Lineage lineage = new BundleVerifier(TrustRoot.read(out.resolve("release/trust.json")))
                    .verify(out.resolve("release/occupancy-2.tar.gz"), VerificationPolicy.builder()
                            .target(TargetProfile.of("jvm")).minimumSequence(1).build())
                    .manifest().lineage();
            assertEquals(String.valueOf(answers().size()), lineage.labelling().get("expertAnswers"));
            assertEquals(sha, lineage.labelling().get("expertAnswersSha256"));
            assertEquals(endModel().inputs().get(0).sha256(), lineage.datasets().get(0).sha256());
            assertEquals(3, lineage.provenance().size());
            for (Provenance q : lineage.provenance()) {
                assertEquals(sha, q.parents().get(0).parents().get(0).settings().get("expertAnswersSha256"));
            }
        }

        @Test
        @DisplayName("the previous release was trained before any answer, and its provenance says so")
        void previousRelease() throws Exception {
            Provenance p = ProvenanceFiles.read(out.resolve("models-previous/occupancy.tribuo"));
            assertEquals("0", p.settings().get("expertAnswers"));
            assertEquals(digest(Map.of()), p.settings().get("expertAnswersSha256"));
            assertEquals("0", p.settings().get("goldRows"));
        }
    }

    @Test
    @DisplayName("the staged rollout reaches the fleet for seeds 1..20: only the devices that really failed stay on the"
            + " previous release (rev-s7-docs item 1: seeds 1, 7 and 9 halted it)")
    void rolloutCompletesForEverySeed() throws Exception {
        // The release of the shared run (a bundle per variant) rolled out to the default 12-device fleet of each
        // seed, with the seed's injected power loss and corrupted download, exactly as step 5 of `demo --seed S`.
        Path release = out.resolve("release");
        BundleManifest candidate = new BundleVerifier(TrustRoot.read(release.resolve("trust.json")))
                .verify(release.resolve("occupancy-2.tar.gz"), VerificationPolicy.builder().build()).manifest();
        // shadow inputs as step 4 makes them: the first 200 test windows (datatest.txt), quantized by each
        // variant's model
        List<double[]> rows = new ArrayList<>();
        try (SensorSource src = ProviderLoader.of(SensorSourceProvider.class).select("csv-replay").create(
                ComponentConfig.builder().put("resource", OccupancyGold.DATA + "datatest.txt").put("device", "t")
                        .put("stream", "env").put("channels", String.join(",", OccupancyWindows.CHANNELS)).build())) {
            List<SensorRecord> records = new ArrayList<>();
            while (!src.isExhausted()) {
                records.addAll(src.poll(4096, java.time.Duration.ZERO));
            }
            for (Window w : OccupancyWindows.of(records)) {
                double[] x = OccupancyWindows.modelInputs(w);
                if (java.util.Arrays.stream(x).allMatch(Double::isFinite) && rows.size() < 200) {
                    rows.add(x);
                }
            }
        }
        Map<String, List<int[]>> shadow = new TreeMap<>();
        for (ArtifactEntry a : candidate.artifacts()) {
            IntModel m = QuantizeWorkflow.load(out.resolve("models").resolve(a.target())).model();
            List<int[]> in = new ArrayList<>();
            for (double[] x : rows) {
                double[] ordered = new double[m.featureNames().size()];
                for (int i = 0; i < ordered.length; i++) {
                    ordered[i] = x[OccupancyWindows.MODEL_FEATURES.indexOf(m.featureNames().get(i))];
                }
                in.add(m.input().quantize(ordered));
            }
            shadow.put(a.target(), in);
        }
        List<String> halted = new ArrayList<>();
        for (long seed = 1; seed <= 20; seed++) {
            List<FleetPlan.Device> devices = FleetPlan.draw(DemoOptions.DEFAULT_DEVICES, FleetPlan.TRAINING_ROWS, seed)
                    .devices();
            StringWriter console = new StringWriter();
            RolloutStage.Outcome o = new RolloutStage(seed, new DemoConsole(new PrintWriter(console, true), false),
                    java.time.Clock.systemUTC()).run(devices, release.resolve("trust.json"), release.resolve("occupancy-1.tar.gz"),
                            release.resolve("occupancy-2.tar.gz"), shadow, dir.resolve("fleet-" + seed));
            DemoResults.Rollout r = o.figures();
            if (r.halted()) {
                halted.add("seed " + seed + ": " + o.halted());
                continue;
            }
            int failed = r.waves().stream().mapToInt(w -> w.failed() + w.silent()).sum();
            assertEquals(0, r.unverified(), "seed " + seed + "\n" + console);
            assertEquals(DemoOptions.DEFAULT_DEVICES, r.onNewModel() + r.onOldModel(), "seed " + seed);
            assertEquals(failed, r.onOldModel(), "seed " + seed + ": only the devices that failed stay behind\n"
                    + console);
            assertTrue(failed <= 2, "seed " + seed + ": at most the two injected failures\n" + console);
        }
        assertEquals(List.of(), halted);
    }

    @Test
    @DisplayName("writes a self-contained report.html that renders in headless Chromium")
    void report() throws Exception {
        Path html = out.resolve("report.html");
        assertEquals(List.of(), DemoReportChecks.externalReferences(Files.readString(html)));
        DemoReportChecks.assertRendersInChromium(html, dir.resolve("shot"));
        assertFalse(Files.readString(html).contains("NaN"), "no NaN figures in the report");
    }

    @Test
    @DisplayName("rejects a fleet smaller than one device per variant with a one-line error")
    void rejectsTooFewDevices() {
        StringWriter e = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(new StringWriter(), true), new PrintWriter(e, true), "demo", "--out",
                dir.resolve("x").toString(), "--devices", "2");
        assertEquals(1, code);
        assertTrue(e.toString().startsWith("edgeloop: --devices must be between 3"), e.toString());
    }
}
