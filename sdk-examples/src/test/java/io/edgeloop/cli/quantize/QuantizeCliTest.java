package io.edgeloop.cli.quantize;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeloop.api.target.CpuCore;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.api.target.TargetProfileProvider;
import io.edgeloop.cli.InProcessCli.Result;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;


import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code edgeloop train}, {@code quantize}, {@code quantize eval} and {@code quantize parity} on the UCI occupancy data. */
class QuantizeCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path work;
    private static Path occupancy;
    private static Path model;

    static Path datasets() throws IOException {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path a = p; a != null; a = a.getParent()) {
            if (Files.isDirectory(a.resolve("shared/datasets/occupancy-detection-uci"))) {
                return a.resolve("shared/datasets");
            }
        }
        throw new IllegalStateException("shared/datasets not found above " + p);
    }

    @BeforeAll
    static void train() throws IOException {
        occupancy = datasets().resolve("occupancy-detection-uci");
        model = work.resolve("occ.model");
        Result r = run("train", "--csv", occupancy.resolve("datatraining.txt").toString(), "--label", "Occupancy",
                "--drop", "date", "--algo", "logistic", "--out", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("trained logistic on 8143 rows"), r.out());
    }

    @Test
    @DisplayName("quantizes for the ATmega328P, fits it, keeps accuracy and is bit-exact in simavr")
    void quantizeEvalParity() throws IOException {
        Path dir = work.resolve("q-avr8");
        Result q = run("quantize", "--model", model.toString(), "--calib", occupancy.resolve("datatraining.txt").toString(),
                "--scheme", "int8", "--target", "avr8", "--out", dir.toString());
        assertEquals(0, q.code(), q.err());
        for (String f : new String[] {"model.json", "model.h", "model.c", "report.json", "golden.json"}) {
            assertTrue(Files.exists(dir.resolve(f)), f);
        }
        JsonNode report = JSON.readTree(dir.resolve("report.json").toFile());
        assertTrue(report.get("fits").asBoolean());
        assertTrue(report.get("flashBytes").asLong() < 32 * 1024 / 4, "uses under a quarter of the flash: " + report);

        Result e = run("quantize", "eval", "--model", dir.toString(), "--csv", occupancy.resolve("datatest.txt").toString(),
                "--label", "Occupancy", "--json");
        assertEquals(0, e.code(), e.err());
        JsonNode ev = JSON.readTree(e.out());
        double f = ev.get("float").get("accuracy").asDouble();
        double qa = ev.get("quantized").get("accuracy").asDouble();
        // No accuracy lost (on this one file int8 happens to be better: see DatasetAccuracyTest for the budgets).
        assertTrue(f > 90 && f - qa <= 0.5, e.out());
        assertTrue(ev.get("agreement").asDouble() > 98.5, e.out());

        // no --target: the model's own, from its model.json
        Result p = run("quantize", "parity", "--model", dir.toString(), "--vectors", "10000", "--seed", "3", "--json");
        assertEquals(0, p.code(), p.err());
        JsonNode pr = JSON.readTree(p.out());
        assertEquals("avr8", pr.get("target").asText(), p.out());
        assertEquals(10000, pr.get("vectors").asInt());
        assertEquals(0, pr.get("mismatches").asInt());
        assertTrue(pr.get("cyclesPerInference").asLong() > 0);
        assertTrue(pr.get("flashBytes").asLong() > 0 && pr.get("ramBytes").asLong() > 0);
        assertEquals("atmega328p", pr.get("simulatedMcu").asText(), p.out());
        assertTrue(!pr.has("simulatedNote"), p.out());
        // another device target contradicts the model (its model.c and sizes are avr8's); host is the native run
        Result other = run("quantize", "parity", "--model", dir.toString(), "--target", "cortex-m3", "--vectors", "10");
        assertEquals(1, other.code(), other.err());
        assertEquals("edgeloop: --target cortex-m3 contradicts the model: " + dir + " was quantized for avr8 (its "
                + "model.json); omit --target to run it on avr8, give --target host to run the same C code natively, "
                + "or quantize again with --target cortex-m3", other.err().strip());
        assertEquals("", other.out());
    }

    @Test
    @DisplayName("quantizes for the Cortex-M4F at its size floor, is bit-exact in qemu and says why it has no cycles")
    void logisticOnCortexM4f() throws IOException {
        Path dir = work.resolve("q-m4f");
        Result q = run("quantize", "--model", model.toString(), "--calib", occupancy.resolve("datatraining.txt").toString(),
                "--scheme", "int8", "--target", "cortex-m4f", "--out", dir.toString());
        assertEquals(0, q.code(), q.err());
        JsonNode report = JSON.readTree(dir.resolve("report.json").toFile());
        assertEquals("cortex-m4f", report.get("target").asText());
        // 5 features, 2 classes: one logit, 5 int8 weights + 1 int32 bias against 5 + 1 floats (the floor).
        assertEquals(9, report.get("parameterBytes").asLong(), report.toString());
        assertEquals(24, report.get("float32ParameterBytes").asLong(), report.toString());
        assertEquals(report.get("parameterRatioFloor").asDouble(), report.get("parameterRatio").asDouble(), 1e-12);
        assertEquals("none", report.get("layers").get(0).get("requantization").asText());
        Result p = run("quantize", "parity", "--model", dir.toString(), "--target", "cortex-m4f", "--vectors", "10000",
                "--json");
        assertEquals(0, p.code(), p.err());
        JsonNode pr = JSON.readTree(p.out());
        assertEquals(0, pr.get("mismatches").asInt());
        assertEquals("cortex-m4f", pr.get("target").asText());
        assertTrue(pr.get("cyclesPerInference").isNull(), p.out());
        assertTrue(pr.get("cyclesSource").asText().contains("qemu"), p.out());
        Result text = run("quantize", "parity", "--model", dir.toString(), "--target", "cortex-m4f", "--vectors", "100");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("0 mismatches") && text.out().contains("qemu"), text.out());

        // Per-channel scales on request: the same logit, plus its multiplier and shift (5 bytes).
        Path pc = work.resolve("q-m4f-pc");
        q = run("quantize", "--model", model.toString(), "--calib", occupancy.resolve("datatraining.txt").toString(),
                "--scheme", "int8", "--target", "cortex-m4f", "--weight-scales", "per-channel", "--out", pc.toString());
        assertEquals(0, q.code(), q.err());
        JsonNode pcReport = JSON.readTree(pc.resolve("report.json").toFile());
        assertEquals("per-channel", pcReport.get("layers").get(0).get("requantization").asText());
        assertEquals(14, pcReport.get("parameterBytes").asLong());
        q = run("quantize", "--model", model.toString(), "--calib", occupancy.resolve("datatraining.txt").toString(),
                "--scheme", "int8", "--target", "cortex-m4f", "--weight-scales", "per-row", "--out",
                work.resolve("q-bad").toString());
        assertEquals(1, q.code());
        assertTrue(q.err().contains("Unknown weight scales 'per-row'"), q.err());
    }

    @Test
    @DisplayName("quantizes a forest to int16 for the Cortex-M0 and is bit-exact in qemu")
    void forestOnCortexM0() throws IOException {
        Path forest = work.resolve("forest.model");
        assertEquals(0, run("train", "--csv", occupancy.resolve("datatraining.txt").toString(), "--label", "Occupancy",
                "--drop", "date", "--algo", "forest", "--out", forest.toString()).code());
        Path dir = work.resolve("q-m0");
        Result q = run("quantize", "--model", forest.toString(), "--calib", occupancy.resolve("datatraining.txt").toString(),
                "--scheme", "int16", "--target", "cortex-m0", "--out", dir.toString());
        assertEquals(0, q.code(), q.err());
        Result p = run("quantize", "parity", "--model", dir.toString(), "--target", "cortex-m0", "--vectors", "10000",
                "--json");
        assertEquals(0, p.code(), p.err());
        assertEquals(0, JSON.readTree(p.out()).get("mismatches").asInt());
    }

    @Test
    @DisplayName("--qat-label fine-tunes before quantizing and keeps the model bit-exact on the host")
    void quantizationAwareFineTuning() throws IOException {
        Path dir = work.resolve("q-qat");
        Result q = run("quantize", "--model", model.toString(), "--calib", occupancy.resolve("datatraining.txt").toString(),
                "--qat-label", "Occupancy", "--scheme", "int8", "--target", "cortex-m3", "--out", dir.toString());
        assertEquals(0, q.code(), q.err());
        JsonNode m = JSON.readTree(dir.resolve("model.json").toFile());
        assertEquals("2", m.get("provenance").get("settings").get("qat.epochs").asText());
        Result e = run("quantize", "eval", "--model", dir.toString(), "--csv", occupancy.resolve("datatest2.txt").toString(),
                "--label", "Occupancy", "--json");
        assertEquals(0, e.code(), e.err());
        JsonNode ev = JSON.readTree(e.out());
        assertTrue(ev.get("float").get("accuracy").asDouble() - ev.get("quantized").get("accuracy").asDouble() <= 0.5, e.out());
        Result p = run("quantize", "parity", "--model", dir.toString(), "--target", "host", "--vectors", "10000", "--json");
        assertEquals(0, p.code(), p.err());
        assertEquals(0, JSON.readTree(p.out()).get("mismatches").asInt());
    }

    @Test
    @DisplayName("parity of an edited model.c fails and words the count of differing vectors as the lower bound it is")
    void parityReportsALowerBoundWhenOutputsDiffer() throws IOException {
        Path dir = work.resolve("q-tamper");
        Result q = run("quantize", "--model", model.toString(), "--calib", occupancy.resolve("datatraining.txt").toString(),
                "--scheme", "int8", "--target", "cortex-m3", "--out", dir.toString());
        assertEquals(0, q.code(), q.err());
        String c = Files.readString(dir.resolve("model.c"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(L0_W\\[\\d+\\] EL_ROM = \\{)([^}]*)\\}").matcher(c);
        assertTrue(m.find(), "weight table");
        Files.writeString(dir.resolve("model.c"), c.substring(0, m.start(2)) + m.group(2).replaceAll("-?\\d+", "0")
                + c.substring(m.end(2)));
        Result p = run("quantize", "parity", "--model", dir.toString(), "--target", "host", "--vectors", "2000");
        assertEquals(1, p.code(), p.out());
        assertTrue(p.err().contains("at least") && p.err().contains("(sampled vectors that differ"), p.err());
        // named as asked for: both lines said "jvm", the id of the profile a host run builds for
        assertTrue(p.out().startsWith("host: 2000 vectors"), p.out());
        assertTrue(p.err().startsWith("edgeloop: host does not match the Java runtime"), p.err());
    }

    @Test
    @DisplayName("--c-prefix names the C symbols (parity runs on the prefixed files); a bad name is one line; int32 "
            + "on avr8 warns that the input rule needs 64-bit double (firmware walk s22)")
    void cPrefixAndAvrInt32Warning() throws IOException {
        Path dir = work.resolve("q-prefix");
        String calib = occupancy.resolve("datatraining.txt").toString();
        Result q = run("quantize", "--model", model.toString(), "--calib", calib, "--scheme", "int8", "--target",
                "cortex-m3", "--c-prefix", "occ", "--out", dir.toString());
        assertEquals(0, q.code(), q.err());
        assertEquals("", q.err());
        String h = Files.readString(dir.resolve("model.h"));
        assertTrue(h.contains("#ifndef OCC_MODEL_H") && h.contains("void occ_predict(const occ_input_t *input")
                && h.contains("static inline int occ_quantize_inputs(") && h.contains("#define OCC_MODEL_FEATURE_CO2 "),
                h);
        assertTrue(Files.readString(dir.resolve("model.c")).contains("\nvoid occ_predict("));
        assertEquals("occ", JSON.readTree(dir.resolve("report.json").toFile()).get("cPrefix").asText());
        Result p = run("quantize", "parity", "--model", dir.toString(), "--target", "host", "--vectors", "2000",
                "--json");
        assertEquals(0, p.code(), p.err());
        assertEquals(0, JSON.readTree(p.out()).get("mismatches").asInt());

        Result bad = run("quantize", "--model", model.toString(), "--calib", calib, "--scheme", "int8", "--target",
                "cortex-m3", "--c-prefix", "Occ-1", "--out", work.resolve("q-bad-prefix").toString());
        assertOneLine(bad, "--c-prefix: C prefix 'Occ-1' is not a lower-case C identifier");
        assertFalse(Files.exists(work.resolve("q-bad-prefix")));

        Result avr = run("quantize", "--model", model.toString(), "--calib", calib, "--scheme", "int32", "--target",
                "avr8", "--out", work.resolve("q-avr-int32").toString());
        assertEquals(0, avr.code(), avr.err());
        assertTrue(avr.err().contains("edgeloop: warning: --scheme int32 on avr8: the input rule in model.h "
                + "(edgeloop_quantize_inputs) needs 64-bit double, and avr-gcc's double is 32 bits"), avr.err());
        Result avr8 = run("quantize", "--model", model.toString(), "--calib", calib, "--scheme", "int16", "--target",
                "avr8", "--out", work.resolve("q-avr-int16").toString());
        assertFalse(avr8.err().contains("64-bit double"), avr8.err());
    }

    @Test
    @DisplayName("bad input fails with one clear line")
    void badInput() throws IOException {
        Result r = run("train", "--csv", occupancy.resolve("datatraining.txt").toString(), "--label", "Occupancy",
                "--out", work.resolve("x.model").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("column 'date'") && r.err().contains("--drop date"), r.err());
        r = run("train", "--csv", occupancy.resolve("datatraining.txt").toString(), "--label", "Nope", "--drop", "date",
                "--out", work.resolve("x.model").toString());
        assertTrue(r.code() == 1 && r.err().contains("Label column 'Nope'"), r.err());
        r = run("quantize", "--model", model.toString(), "--calib", occupancy.resolve("datatraining.txt").toString(),
                "--scheme", "int4", "--target", "avr8", "--out", work.resolve("bad").toString());
        assertTrue(r.code() == 1 && r.err().contains("int4"), r.err());
        Path notModel = work.resolve("garbage.model");
        Files.writeString(notModel, "not a model");
        r = run("quantize", "--model", notModel.toString(), "--calib", occupancy.resolve("datatraining.txt").toString(),
                "--scheme", "int8", "--target", "avr8", "--out", work.resolve("bad2").toString());
        assertTrue(r.code() == 1 && r.err().startsWith("edgeloop: Model file " + notModel + " (11 bytes) is neither a "
                + "model written by 'edgeloop train' nor an ONNX file (it is text, starting 'not a model'); read as a "
                + "Tribuo model: "), r.err());
        Path emptyDir = Files.createDirectories(work.resolve("empty"));
        r = run("quantize", "parity", "--model", emptyDir.toString(), "--target", "host", "--json");
        assertTrue(r.code() == 1 && r.err().contains("model.json is missing"), r.err());
        r = run("quantize", "--model", model.toString());
        assertEquals(2, r.code(), r.err());
    }

    /** The training file with data row {@code row}'s Light reading replaced by {@code value}. */
    private static Path glitched(String name, int row, String value) throws IOException {
        java.util.List<String> lines = Files.readAllLines(occupancy.resolve("datatraining.txt"));
        String[] f = lines.get(row).split(",", -1);
        f[4] = value;
        lines.set(row, String.join(",", f));
        return Files.write(work.resolve(name), lines);
    }

    private static void assertOneLine(Result r, String start) {
        assertEquals(1, r.code(), r.err());
        String e = r.err().trim();
        assertTrue(e.startsWith("edgeloop: " + start), e);
        assertTrue(!e.contains("\n"), e);
    }

    @Test
    @DisplayName("one calibration reading of 1e300 is refused naming file, line, column and value (review s7 item 1)")
    void calibrationGlitchIsRefused() throws IOException {
        Path csv = glitched("fullhuge.csv", 500, "1e300");
        for (String method : new String[] {"auto", "min-max", "percentile", "mse"}) {
            Path out = work.resolve("q-fullhuge-" + method);
            Result r = run("quantize", "--model", model.toString(), "--calib", csv.toString(), "--scheme", "int8",
                    "--target", "avr8", "--calibration", method, "--out", out.toString());
            assertOneLine(r, csv + " line 501 (data row 500): column 'Light' holds 1.0E300, which breaks calibration");
            assertTrue(!Files.exists(out), method);
        }
    }

    @Test
    @DisplayName("one calibration reading of 1e9 under min-max: quantize succeeds, warns on stderr naming the squeezed "
            + "feature, and stdout is still the whole report; auto does not warn")
    void squeezedFeatureWarns() throws IOException {
        Path csv = glitched("glitch1e9.csv", 500, "1e9");
        Path out = work.resolve("q-glitch-min-max");
        Result r = run("quantize", "--model", model.toString(), "--calib", csv.toString(), "--scheme", "int8",
                "--target", "avr8", "--calibration", "min-max", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().startsWith("edgeloop: warning: feature 'Light': 99.8 % of its 8143 calibration values lie in [")
                && r.err().contains("--calibration percentile or auto") && r.err().trim().split("\n").length == 1,
                r.err());
        String report = r.out().substring(r.out().indexOf('\n') + 1);
        JsonNode check = JSON.readTree(report).get("calibrationCheck");
        assertEquals("Light", check.get("squeezedFeatures").get(0).get("feature").asText(), report);
        Result auto = run("quantize", "--model", model.toString(), "--calib", csv.toString(), "--scheme", "int8",
                "--target", "avr8", "--out", work.resolve("q-glitch-auto").toString());
        assertEquals(0, auto.code(), auto.err());
        assertEquals("", auto.err());
    }

    @Test
    @DisplayName("paths, columns and formats are named in quantize's errors (review s7 item 8)")
    void messagesNameWhatIsWrong() throws IOException {
        Path dir = work.resolve("q-msg");
        Path train = occupancy.resolve("datatraining.txt");
        assertEquals(0, run("quantize", "--model", model.toString(), "--calib", train.toString(), "--scheme", "int8",
                "--target", "avr8", "--out", dir.toString()).code());
        Path aDir = Files.createDirectories(work.resolve("dir.csv"));
        assertOneLine(run("quantize", "--model", model.toString(), "--calib", aDir.toString(), "--scheme", "int8",
                "--target", "avr8", "--out", work.resolve("q-x").toString()), aDir + " is a directory; expected a CSV file");
        assertOneLine(run("quantize", "--model", model.toString(), "--calib", aDir.toString(), "--qat-label",
                "Occupancy", "--scheme", "int8", "--target", "avr8", "--out", work.resolve("q-x").toString()),
                aDir + " is a directory; expected a CSV file");
        assertOneLine(run("quantize", "eval", "--model", dir.toString(), "--csv", aDir.toString(), "--label",
                "Occupancy"), aDir + " is a directory; expected a CSV file");
        assertOneLine(run("quantize", "--model", aDir.toString(), "--calib", train.toString(), "--scheme", "int8",
                "--target", "avr8", "--out", work.resolve("q-x").toString()), "Model file " + aDir + " is a directory");
        assertOneLine(run("quantize", "eval", "--model", dir.toString(), "--csv", train.toString(), "--label",
                "Temperature"), "Column 'Temperature' of " + train + " is given as the label column, but the model "
                + "takes it as an input feature");
        for (String bad : new String[] {"", "abc"}) {
            Path csv = glitched("nan" + bad.length() + ".csv", 7, bad);
            Result r = run("quantize", "--model", model.toString(), "--calib", csv.toString(), "--scheme", "int8",
                    "--target", "avr8", "--out", work.resolve("q-x").toString());
            assertOneLine(r, csv + " line 8: column 'Light' holds '" + bad + "', not a number; fix or remove that row");
            assertTrue(!r.err().contains("--drop") && !r.err().contains("empty String")
                    && !r.err().contains("For input string"), r.err());
            r = run("quantize", "eval", "--model", dir.toString(), "--csv", csv.toString(), "--label", "Occupancy");
            assertOneLine(r, csv + " line 8: column 'Light' holds '" + bad + "', not a number; fix or remove that row");
        }
        java.util.List<String> lines = Files.readAllLines(train);
        lines.replaceAll(l -> l.replace(',', '\t'));
        Path tsv = Files.write(work.resolve("tabs.txt"), lines);
        assertOneLine(run("train", "--csv", tsv.toString(), "--label", "Occupancy", "--out",
                work.resolve("t.model").toString()), tsv + " is not comma-separated: its header has no commas but is "
                + "tab-separated");
        assertOneLine(run("quantize", "eval", "--model", dir.toString(), "--csv", tsv.toString(), "--label",
                "Occupancy"), tsv + " is not comma-separated");
    }

    @Test
    @DisplayName("--tree-thresholds: exact by default, aligned on request (recorded in provenance), anything else refused")
    void treeThresholdsOption() throws IOException {
        Path cart = work.resolve("occ-cart.model");
        String train = occupancy.resolve("datatraining.txt").toString();
        Result r = run("train", "--csv", train, "--label", "Occupancy", "--drop", "date", "--algo", "cart", "--out",
                cart.toString());
        assertEquals(0, r.code(), r.err());
        for (String mode : new String[] {null, "aligned"}) {
            Path dir = work.resolve("q-cart-" + mode);
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("quantize", "--model", cart.toString(), "--calib",
                    train, "--scheme", "int16", "--target", "jvm", "--out", dir.toString()));
            if (mode != null) {
                args.addAll(java.util.List.of("--tree-thresholds", mode));
            }
            r = run(args.toArray(new String[0]));
            assertEquals(0, r.code(), r.err());
            String json = Files.readString(dir.resolve("model.json"));
            assertTrue(json.replace(" ", "").contains("\"treeThresholds\":\"" + (mode == null ? "exact" : mode) + "\""),
                    json.substring(0, Math.min(json.length(), 3000)));
        }
        r = run("quantize", "--model", cart.toString(), "--calib", train, "--scheme", "int16", "--target", "jvm",
                "--tree-thresholds", "sideways", "--out", work.resolve("q-cart-bad").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("Unknown tree thresholds 'sideways'"), r.err());
        // An --out holding other files is refused and left as it was.
        Path notes = Files.createDirectories(work.resolve("notes"));
        Files.writeString(notes.resolve("todo.txt"), "keep");
        r = run("quantize", "--model", cart.toString(), "--calib", train, "--scheme", "int16", "--target", "jvm",
                "--out", notes.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("is not an earlier quantize output (it holds 'todo.txt')"), r.err());
        assertEquals("keep", Files.readString(notes.resolve("todo.txt")));
    }

    @Test
    @DisplayName("a missing --calib file and an --out that is a file say what is wrong with the path; --help names ONNX")
    void wordsPathErrors() throws IOException {
        Path missing = work.resolve("nonexistent.csv");
        Result r = run("quantize", "--model", model.toString(), "--calib", missing.toString(), "--scheme", "int8",
                "--target", "jvm", "--out", work.resolve("q-missing").toString());
        assertEquals(1, r.code(), r.err());
        assertEquals("edgeloop: no such file or directory: " + missing, r.err().strip());
        Path file = Files.writeString(work.resolve("notadir"), "x");
        r = run("quantize", "--model", model.toString(), "--calib", occupancy.resolve("datatraining.txt").toString(),
                "--scheme", "int8", "--target", "jvm", "--out", file.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals("edgeloop: not a directory (a file exists there): " + file, r.err().strip());
        r = run("quantize", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("or an ONNX") && r.out().contains("TreeEnsembleClassifier"), r.out());
    }

    @Test
    @DisplayName("a CSV with a UTF-8 byte order mark trains and drops its first column by name")
    void readsCsvWithByteOrderMark() throws IOException {
        // Excel's CSV UTF-8 export: a BOM, then a header whose first column is the one to drop.
        Path bom = work.resolve("bom.csv");
        StringBuilder b = new StringBuilder("\uFEFFdate,a,b,label\n");
        java.util.Random rnd = new java.util.Random(8);
        for (int i = 0; i < 300; i++) {
            double a = rnd.nextGaussian();
            b.append("2026-01-0").append(1 + i % 9).append(',').append(a).append(',').append(rnd.nextGaussian())
                    .append(',').append(a > 0 ? "yes" : "no").append('\n');
        }
        Files.writeString(bom, b);
        Result r = run("train", "--csv", bom.toString(), "--label", "label", "--drop", "date", "--algo", "cart",
                "--out", work.resolve("bom.model").toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    @DisplayName("without avr-gcc on the PATH, report.json writes no parameter count as flashBytes: flashBytes, "
            + "ramBytes and fits are null, estimatedFlashBytes holds the parameters, fitsNote says what to install")
    void withoutTheCompilerNothingIsPresentedAsMeasured() throws Exception {
        Path noTools = Files.createDirectories(work.resolve("empty-path"));
        Path dir = work.resolve("q-no-compiler");
        // A child JVM: the PATH the toolchain is looked up on cannot be changed in this one.
        io.edgeloop.cli.ChildCli.runOk(java.util.Map.of("PATH", noTools.toString()), "quantize", "--model",
                model.toString(), "--calib", occupancy.resolve("datatraining.txt").toString(), "--scheme", "int8",
                "--target", "avr8", "--out", dir.toString());
        JsonNode report = JSON.readTree(dir.resolve("report.json").toFile());
        for (String k : new String[] {"flashBytes", "ramBytes", "stackBytes", "ramBytesWithBuffers", "fits"}) {
            assertTrue(report.has(k) && report.get(k).isNull(), k + ": " + report);
        }
        assertEquals(report.get("parameterBytes").asLong(), report.get("estimatedFlashBytes").asLong(), report.toString());
        assertTrue(report.get("fitsNote").asText().startsWith("unknown: avr-gcc is not installed"), report.toString());
    }

    /** A part far too small for any model: 16 B of flash and of RAM. */
    public static final class Tiny16Provider implements TargetProfileProvider {
        @Override
        public String name() {
            return "tiny16";
        }

        @Override
        public TargetProfile profile() {
            return TargetProfile.builder().id("tiny16").core(CpuCore.AVR).hardwareVariant("atmega328p").wordBits(8)
                    .flashBytes(16).ramBytes(16).build();
        }
    }

    @Test
    @DisplayName("a model that does not fit the part is written, with a WARNING line naming flash and RAM needed and "
            + "available, exit code 0")
    void warnsWhenTheModelDoesNotFit() throws Exception {
        // the board is visible to this thread's context class loader only, as TargetProfiles.load() looks there
        Path board = Files.createDirectories(work.resolve("tiny16/META-INF/services"));
        Files.writeString(board.resolve(TargetProfileProvider.class.getName()), Tiny16Provider.class.getName() + "\n");
        Thread me = Thread.currentThread();
        ClassLoader before = me.getContextClassLoader();
        Path dir = work.resolve("q-tiny16");
        Result q;
        try (URLClassLoader cl = new URLClassLoader(new URL[] {work.resolve("tiny16").toUri().toURL()}, before)) {
            me.setContextClassLoader(cl);
            q = run("quantize", "--model", model.toString(), "--calib",
                    occupancy.resolve("datatraining.txt").toString(), "--scheme", "int8", "--target", "tiny16", "--out",
                    dir.toString());
        } finally {
            me.setContextClassLoader(before);
        }
        assertEquals(0, q.code(), q.err());
        JsonNode report = JSON.readTree(dir.resolve("report.json").toFile());
        assertFalse(report.get("fits").asBoolean(true), report.toString());
        List<String> warnings = q.err().lines().filter(l -> l.startsWith("edgeloop: warning: ")).toList();
        assertEquals(1, warnings.size(), q.err());
        String expected = report.get("flashBytes").isNumber()
                ? "edgeloop: warning: the model does not fit tiny16: flash " + report.get("flashBytes").asLong()
                + " B needed, 16 B available; RAM " + report.get("ramBytesWithBuffers").asLong() + " B needed (with "
                + "the caller's input and output arrays), 16 B available (report.json: \"fits\": false)"
                : "edgeloop: warning: the model " + report.get("fitsNote").asText() + " (report.json: \"fits\": false)";
        assertEquals(expected, warnings.get(0));
    }
}
