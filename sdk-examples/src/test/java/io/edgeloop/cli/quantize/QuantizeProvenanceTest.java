package io.edgeloop.cli.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.cli.FileSwapper;
import io.edgeloop.cli.InProcessCli;
import io.edgeloop.cli.InProcessCli.Result;
import io.edgeloop.labeling.train.EndModel;
import io.edgeloop.labeling.train.EndModelKind;
import io.edgeloop.labeling.train.EndModelTrainer;
import io.edgeloop.labeling.train.FeatureTable;
import io.edgeloop.labeling.train.ProvenanceFiles;
import io.edgeloop.labeling.train.WeakLabels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edgeloop quantize} on an end model written with its provenance file ({@code EndModel.write}): the
 * quantized model names the end model's provenance as its parent, and a model replaced after its provenance was
 * written is refused.
 */
@DisplayName("edgeloop quantize with a provenance file beside the model")
class QuantizeProvenanceTest {
    private static final List<String> FEATURES = List.of("Temperature", "Humidity", "Light", "CO2", "HumidityRatio");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    private static Path csv;
    private static Path endFile;
    private static EndModel end;

    @BeforeAll
    static void trainEndModel() throws Exception {
        csv = QuantizeCliTest.datasets().resolve("occupancy-detection-uci/datatraining.txt");
        List<String> lines = Files.readAllLines(csv);
        List<double[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.replace("\"", "").split(",");
            // Data rows start with a row id the header does not name: id, date, 5 features, Occupancy.
            double[] r = new double[FEATURES.size()];
            for (int j = 0; j < r.length; j++) {
                r[j] = Double.parseDouble(f[2 + j]);
            }
            rows.add(r);
            labels.add(Integer.parseInt(f[f.length - 1]));
        }
        WeakLabels w = WeakLabels.fromProbabilities(new double[rows.size()][2], new boolean[rows.size()], 0);
        for (int i = 0; i < rows.size(); i++) {
            w = w.withGold(i, labels.get(i));
        }
        Provenance labelsProvenance = Provenance.builder().kind("weak-labels").producer("test").setting(
                "expertAnswers", 16).setting("expertAnswersSha256",
                "12115423da3024c4afc2f51f01578412b1268ba76bbb71f2ab2211b29421dcdb").build();
        end = new EndModelTrainer(EndModelKind.LOGISTIC, List.of("0", "1"), 3, Map.of(), labelsProvenance)
                .train(new FeatureTable(FEATURES, rows.toArray(new double[0][])), w);
        endFile = work.resolve("end.tribuo");
        end.write(endFile);
    }

    @Test
    @DisplayName("records the end model's provenance, read from end.tribuo.provenance.json, as the parent")
    void recordsTheEndModel() throws Exception {
        Path out = work.resolve("q-jvm");
        Result r = InProcessCli.run("quantize", "--model", endFile.toString(), "--calib",
                csv.toString(), "--scheme", "int32", "--target", "jvm", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("provenance parent from " + ProvenanceFiles.fileFor(endFile) + ")"), r.out());
        JsonNode prov = JSON.readTree(out.resolve("model.json").toFile()).get("provenance");
        @SuppressWarnings("unchecked")
        Provenance q = Provenance.fromMap(JSON.convertValue(prov, Map.class));
        assertEquals(List.of(ProvenanceFiles.read(endFile)), q.parents());
        assertEquals(end.provenance(), q.parents().get(0));
        assertEquals("12115423da3024c4afc2f51f01578412b1268ba76bbb71f2ab2211b29421dcdb",
                q.parents().get(0).parents().get(0).settings().get("expertAnswersSha256"));
        assertEquals("not-applied", q.settings().get("treeInputScales"), "a network has no tree input scales");
    }

    @Test
    @DisplayName("a provenance file with a duplicate key is refused in one line naming the file, without Jackson's"
            + " [Source: ...] location tail (rev-s7-docs item 6)")
    void duplicateKeyIsOneCleanLine() throws Exception {
        Path dir = Files.createDirectories(work.resolve("dup"));
        Path file = dir.resolve("m.tribuo");
        end.write(file);
        Path prov = dir.resolve("m.tribuo.provenance.json");
        String text = Files.readString(prov);
        int brace = text.indexOf('{') + 1;
        Files.writeString(prov, text.substring(0, brace) + "\"format\": \"x\", " + text.substring(brace));
        Path out = work.resolve("q-dup");
        Result r = InProcessCli.run("quantize", "--model", file.toString(), "--calib",
                csv.toString(), "--scheme", "int8", "--target", "avr8", "--out", out.toString());
        assertEquals(1, r.code(), r.out());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("edgeloop: " + prov + " is not valid JSON (at line ")
                && err.contains(": Duplicate field 'format'); rewrite it"), err);
        assertFalse(err.contains("[Source"), err);
        assertFalse(err.contains("REDACTED"), err);
        assertFalse(Files.exists(out), "nothing may be written for a refused model");
        // a truncated one: Jackson's reason quoted "(start marker at [Source: REDACTED ...])"
        Files.writeString(prov, text.substring(0, brace));
        r = InProcessCli.run("quantize", "--model", file.toString(), "--calib",
                csv.toString(), "--scheme", "int8", "--target", "avr8", "--out", out.toString());
        assertEquals(1, r.code(), r.out());
        err = r.err().strip();
        assertTrue(err.equals("edgeloop: " + prov + " is not valid JSON (at line 1, column 2: Unexpected "
                + "end-of-input); rewrite it from the artifact's producer"), err);
        assertFalse(Files.exists(out), "nothing may be written for a refused model");
    }

    @Test
    @DisplayName("refuses a model replaced after its provenance was written, naming the file, and writes nothing")
    void refusesReplacedModel() throws Exception {
        Path dir = Files.createDirectories(work.resolve("replaced"));
        Path file = dir.resolve("m.tribuo");
        end.write(file);
        // Same model, another training seed: other bytes under the old provenance file.
        WeakLabels one = WeakLabels.fromProbabilities(new double[][] {{0.9, 0.1}, {0.1, 0.9}}, null, 0);
        Path other = dir.resolve("other.tribuo");
        new EndModelTrainer(EndModelKind.LOGISTIC, List.of("0", "1"), 4, Map.of())
                .train(new FeatureTable(FEATURES, new double[][] {{20, 27, 0, 450, 0.004}, {22, 31, 500, 900, 0.005}}),
                        one).tribuoModel().serializeToFile(other);
        Files.copy(other, file, StandardCopyOption.REPLACE_EXISTING);
        Path out = work.resolve("q-replaced");
        Result r = InProcessCli.run("quantize", "--model", file.toString(), "--calib",
                csv.toString(), "--scheme", "int8", "--target", "avr8", "--out", out.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().startsWith("edgeloop: ") && r.err().contains("m.tribuo.provenance.json")
                && r.err().contains("replaced after its provenance was written"), r.err());
        assertFalse(Files.exists(out), "nothing may be written for a refused model");
    }

    @Test
    @DisplayName("a model swapped back and forth while quantize runs is quantized, recorded and copied only as the "
            + "bytes its provenance describes, or refused")
    void modelSwappedDuringTheRunIsNeverQuantizedUnderTheOldProvenance() throws Exception {
        Path dir = Files.createDirectories(work.resolve("swapped"));
        Path file = dir.resolve("m.tribuo");
        end.write(file); // m.tribuo.provenance.json describes these bytes
        byte[] described = Files.readAllBytes(file);
        WeakLabels one = WeakLabels.fromProbabilities(new double[][] {{0.9, 0.1}, {0.1, 0.9}}, null, 0);
        Path otherFile = dir.resolve("other.tribuo");
        new EndModelTrainer(EndModelKind.LOGISTIC, List.of("0", "1"), 4, Map.of())
                .train(new FeatureTable(FEATURES, new double[][] {{20, 27, 0, 450, 0.004}, {22, 31, 500, 900, 0.005}}),
                        one).tribuoModel().serializeToFile(otherFile);
        byte[] other = Files.readAllBytes(otherFile);
        String describedSha = Sha256.hex(described);
        List<String> lines = Files.readAllLines(csv);
        Path calib = Files.write(dir.resolve("calib.csv"), lines.subList(0, 400));
        // Another process replacing the model (atomically, as a writer's rename does) between every read quantize
        // makes: the check, the parse, the quantizer's digest and the float-model copy each see either file.
        FileSwapper swapper = new FileSwapper(file, List.of(other, described), "model-swapper");
        int quantized = 0;
        int refused = 0;
        try {
            for (int run = 0; run < 40 && quantized < 4; run++) {
                Path out = dir.resolve("q-" + run);
                Result r = InProcessCli.run("quantize", "--model", file.toString(), "--calib",
                        calib.toString(), "--scheme", "int32", "--target", "jvm", "--out", out.toString());
                if (r.code() != 0) {
                    assertTrue(r.err().contains("replaced after its provenance was written"), r.err());
                    assertFalse(Files.exists(out), "nothing may be written for a refused model");
                    refused++;
                    continue;
                }
                quantized++;
                @SuppressWarnings("unchecked")
                Provenance q = Provenance.fromMap(JSON.convertValue(
                        JSON.readTree(out.resolve("model.json").toFile()).get("provenance"), Map.class));
                assertEquals(List.of(end.provenance()), q.parents(), "run " + run);
                int thisRun = run;
                Provenance.Input input = q.inputs().stream().filter(in -> in.name().equals("m.tribuo")).findFirst()
                        .orElseThrow(() -> new AssertionError("run " + thisRun + ": no m.tribuo input in "
                                + q.inputs()));
                assertEquals(describedSha, input.sha256(), "run " + run + ": the model quantized under the provenance "
                        + "of " + describedSha.substring(0, 12) + "... was another file");
                assertEquals(describedSha, Sha256.hex(out.resolve("float-model")), "run " + run + ": float-model is "
                        + "not the model the provenance describes");
            }
        } finally {
            swapper.stop();
        }
        assertTrue(quantized > 0, "every one of " + refused + " runs was refused; none quantized");
    }

    @Test
    @DisplayName("a calibration CSV swapped back and forth while quantize --qat-label runs is recorded under the "
            + "digest of the very rows and labels the model was fine-tuned and calibrated on")
    void calibrationSwappedDuringQatIsRecordedAsTheRowsUsed() throws Exception {
        Path dir = Files.createDirectories(work.resolve("qat-swapped"));
        Path calib = dir.resolve("calib.csv");
        List<String> lines = Files.readAllLines(csv);
        // Two files with the same columns and other rows (and so other labels): each gives another model.
        List<byte[]> versions = new ArrayList<>();
        for (int from : new int[] {1, 401}) {
            List<String> part = new ArrayList<>(lines.subList(0, 1));
            part.addAll(lines.subList(from, from + 400));
            versions.add((String.join("\n", part) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Map<String, JsonNode> modelBySha = new java.util.HashMap<>();
        for (int v = 0; v < versions.size(); v++) {
            Files.write(calib, versions.get(v));
            Path out = dir.resolve("reference-" + v);
            Result r = qat(calib, out);
            assertEquals(0, r.code(), r.err());
            modelBySha.put(Sha256.hex(versions.get(v)), withoutProvenance(out));
        }
        assertEquals(2, modelBySha.size());
        assertFalse(withoutProvenance(dir.resolve("reference-0")).equals(withoutProvenance(dir.resolve(
                "reference-1"))), "the two calibration files must give two models for this test to see a mix-up");
        // Another process replacing the CSV (atomically, as a writer's rename does) between every read quantize
        // makes: the header, the rows and labels, and the digest recorded in the provenance.
        FileSwapper swapper = new FileSwapper(calib, versions, "calibration-swapper");
        try {
            for (int run = 0; run < 8; run++) {
                Path out = dir.resolve("q-" + run);
                Result r = qat(calib, out);
                assertEquals(0, r.code(), "run " + run + ": " + r.err());
                @SuppressWarnings("unchecked")
                Provenance q = Provenance.fromMap(JSON.convertValue(
                        JSON.readTree(out.resolve("model.json").toFile()).get("provenance"), Map.class));
                int thisRun = run;
                Provenance.Input input = q.inputs().stream().filter(in -> in.name().equals("calib.csv")).findFirst()
                        .orElseThrow(() -> new AssertionError("run " + thisRun + ": no calib.csv input in "
                                + q.inputs()));
                JsonNode expected = modelBySha.get(input.sha256());
                assertTrue(expected != null, "run " + run + ": recorded calib.csv digest " + input.sha256()
                        + " is neither version of the file");
                assertTrue(expected.equals(withoutProvenance(out)), "run " + run + ": the model was fine-tuned and "
                        + "calibrated on other rows than the calib.csv its provenance names ("
                        + input.sha256().substring(0, 12) + "...)");
            }
        } finally {
            swapper.stop();
        }
    }

    private static Result qat(Path calib, Path out) {
        return InProcessCli.run("quantize", "--model", endFile.toString(), "--calib", calib.toString(),
                "--qat-label", "Occupancy", "--scheme", "int8", "--target", "jvm", "--out", out.toString());
    }

    private static JsonNode withoutProvenance(Path out) throws java.io.IOException {
        com.fasterxml.jackson.databind.node.ObjectNode m =
                (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(out.resolve("model.json").toFile());
        m.remove("provenance");
        return m;
    }

    @Test
    @DisplayName("train writes a provenance file (CSV digest, options, features, classes, accuracy) that quantize "
            + "checks and records as its parent")
    void writesProvenanceThatQuantizeRecords() throws Exception {
        Path csv = QuantizeCliTest.datasets().resolve("occupancy-detection-uci/datatraining.txt");
        Path out = work.resolve("occ.model");
        Result ok = InProcessCli.run("train", "--csv", csv.toString(), "--label", "Occupancy",
                "--drop", "date", "--algo", "cart", "--seed", "7", "--out", out.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("occ.model.provenance.json"), ok.out());
        Provenance p = ProvenanceFiles.read(out);
        assertEquals("model", p.kind());
        assertEquals(io.edgeloop.cli.train.TrainCommand.class.getName(), p.producer());
        assertEquals(7L, p.seed().getAsLong());
        assertEquals(List.of(new Provenance.Input("datatraining.txt", Sha256.hex(csv), Files.size(csv))),
                p.inputs());
        assertEquals("cart", p.settings().get("algo"));
        assertEquals("Occupancy", p.settings().get("label"));
        assertEquals("date", p.settings().get("drop"));
        assertEquals("[\"Temperature\",\"Humidity\",\"Light\",\"CO2\",\"HumidityRatio\"]",
                p.settings().get("features"));
        assertEquals("[\"0\",\"1\"]", p.settings().get("classes"));
        assertEquals("8143", p.settings().get("trainingRows"));
        assertTrue(ok.out().contains(String.format(java.util.Locale.ROOT, "training accuracy %.2f%%",
                Double.parseDouble(p.settings().get("trainingAccuracy")))), ok.out() + p.settings());

        Path q = work.resolve("q");
        Result r = InProcessCli.run("quantize", "--model", out.toString(), "--calib",
                csv.toString(), "--scheme", "int16", "--target", "jvm", "--out", q.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("provenance parent from " + ProvenanceFiles.fileFor(out) + ")"), r.out());
        @SuppressWarnings("unchecked")
        Provenance quantized = Provenance.fromMap(JSON.convertValue(
                JSON.readTree(q.resolve("model.json").toFile()).get("provenance"), Map.class));
        assertEquals(List.of(p), quantized.parents());
        assertEquals("fitted", quantized.settings().get("treeInputScales"));

        // int8 trees are not fitted (TreeScaleFit.widening), so provenance must not claim they were.
        Path q8 = work.resolve("q8");
        Result r8 = InProcessCli.run("quantize", "--model", out.toString(), "--calib",
                csv.toString(), "--scheme", "int8", "--target", "jvm", "--out", q8.toString());
        assertEquals(0, r8.code(), r8.err());
        @SuppressWarnings("unchecked")
        Provenance quantized8 = Provenance.fromMap(JSON.convertValue(
                JSON.readTree(q8.resolve("model.json").toFile()).get("provenance"), Map.class));
        assertEquals("not-applied", quantized8.settings().get("treeInputScales"));
    }

    @Test
    @DisplayName("names the provenance file and the malformed key (createdAt, inputs, parents) and writes nothing")
    void namesMalformedProvenanceKey() throws Exception {
        Path dir = Files.createDirectories(work.resolve("malformed"));
        Path file = dir.resolve("m.tribuo");
        end.write(file);
        Path provFile = dir.resolve("m.tribuo.provenance.json");
        @SuppressWarnings("unchecked")
        Map<String, Object> good = JSON.readValue(provFile.toFile(), Map.class);
        Map<String, Object[]> corruptions = new java.util.LinkedHashMap<>();
        corruptions.put("createdAt", new Object[] {"yesterday", "'createdAt' must be an ISO-8601 instant"});
        corruptions.put("inputs", new Object[] {List.of("train.csv"), "'inputs[0]' must be an object"});
        corruptions.put("parents", new Object[] {List.of(42), "'parents[0]' must be a provenance object, got 42"});
        for (Map.Entry<String, Object[]> c : corruptions.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> prov = new java.util.LinkedHashMap<>((Map<String, Object>) good.get("provenance"));
            prov.put(c.getKey(), c.getValue()[0]);
            Map<String, Object> bad = new java.util.LinkedHashMap<>(good);
            bad.put("provenance", prov);
            JSON.writeValue(provFile.toFile(), bad);
            Path out = work.resolve("q-malformed-" + c.getKey());
            Result r = InProcessCli.run("quantize", "--model", file.toString(), "--calib",
                    csv.toString(), "--scheme", "int8", "--target", "avr8", "--out", out.toString());
            assertEquals(1, r.code(), r.out());
            assertTrue(r.err().startsWith("edgeloop: ") && r.err().contains("m.tribuo.provenance.json")
                    && r.err().contains((String) c.getValue()[1]) && !r.err().contains("java.lang"), r.err());
            assertFalse(Files.exists(out), "nothing may be written for a model with a malformed provenance file");
        }
    }
}
