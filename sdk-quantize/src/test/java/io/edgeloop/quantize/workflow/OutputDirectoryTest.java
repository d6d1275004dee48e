package io.edgeloop.quantize.workflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quantize --out DIR} writes the whole directory at once (reviewer's repro 02-partial-dir.sh: a failed
 * quantize into an earlier output left the new model.json beside the old report.json and float-model, and parity
 * accepted the mixture).
 */
class OutputDirectoryTest {
    @TempDir
    Path dir;

    /** Two features, label {@code yes} when {@code f0 + 0.5 f1 > 0.3}. */
    private Path csv() throws IOException {
        Random r = new Random(2);
        StringBuilder b = new StringBuilder("f0,f1,label\n");
        for (int i = 0; i < 500; i++) {
            double x = r.nextGaussian();
            double y = r.nextGaussian();
            b.append(String.format(Locale.ROOT, "%.5f,%.5f,%s%n", x, y, x + 0.5 * y > 0.3 ? "yes" : "no"));
        }
        Path csv = dir.resolve("d.csv");
        Files.writeString(csv, b);
        return csv;
    }

    private Path train(Path csv, String algo) throws IOException {
        Path model = dir.resolve(algo + ".model");
        TribuoTraining.train(CsvData.read(csv, "label", Set.of()), algo, 1).serializeToFile(model);
        return model;
    }

    /**
     * A regression tree over f0 with 66,001 nodes (a comb: split {@code f0 <= i + 0.5}, leaf i on the left), more
     * than the C generator's 65,535-node limit, so quantizing it fails after model.json used to be written.
     */
    private Path combTree(int splits) throws IOException {
        int n = 2 * splits + 1;
        long[] zeros = new long[n];
        long[] ids = new long[n];
        double[] values = new double[n];
        String[] modes = new String[n];
        long[] tru = new long[n];
        long[] fal = new long[n];
        long[] leafIds = new long[splits + 1];
        double[] leafWeights = new double[splits + 1];
        for (int k = 0; k < n; k++) {
            ids[k] = k;
            boolean split = k % 2 == 0 && k < 2 * splits;
            modes[k] = split ? "BRANCH_LEQ" : "LEAF";
            if (split) {
                values[k] = k / 2 + 0.5;
                tru[k] = k + 1;
                fal[k] = k + 2;
            }
        }
        for (int i = 0; i <= splits; i++) {
            leafIds[i] = i < splits ? 2 * i + 1 : 2 * splits;
            leafWeights[i] = i;
        }
        OnnxMl.NodeProto te = OnnxMl.NodeProto.newBuilder().setOpType("TreeEnsembleRegressor").setDomain("ai.onnx.ml")
                .addInput("x").addOutput("y")
                .addAttribute(ints("nodes_treeids", zeros)).addAttribute(ints("nodes_nodeids", ids))
                .addAttribute(ints("nodes_featureids", zeros)).addAttribute(floats("nodes_values", values))
                .addAttribute(strings("nodes_modes", modes)).addAttribute(ints("nodes_truenodeids", tru))
                .addAttribute(ints("nodes_falsenodeids", fal))
                .addAttribute(ints("target_treeids", new long[splits + 1]))
                .addAttribute(ints("target_nodeids", leafIds)).addAttribute(ints("target_ids", new long[splits + 1]))
                .addAttribute(floats("target_weights", leafWeights))
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("n_targets").setI(1)
                        .setType(OnnxMl.AttributeProto.AttributeType.INT))
                .build();
        Path f = dir.resolve("comb.onnx");
        Files.write(f, OnnxMl.ModelProto.newBuilder().setGraph(OnnxMl.GraphProto.newBuilder().addNode(te)
                .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x"))).build().toByteArray());
        StringBuilder b = new StringBuilder("f0\n");
        for (int i = 0; i <= splits; i++) {
            b.append(i).append('\n');
        }
        Files.writeString(dir.resolve("comb.csv"), b);
        return f;
    }

    private static OnnxMl.AttributeProto ints(String name, long[] v) {
        OnnxMl.AttributeProto.Builder b = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        return b.build();
    }

    private static OnnxMl.AttributeProto floats(String name, double[] v) {
        OnnxMl.AttributeProto.Builder b = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.FLOATS);
        for (double x : v) {
            b.addFloats((float) x);
        }
        return b.build();
    }

    private static OnnxMl.AttributeProto strings(String name, String[] v) {
        OnnxMl.AttributeProto.Builder b = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.STRINGS);
        for (String x : v) {
            b.addStrings(ByteString.copyFrom(x, StandardCharsets.UTF_8));
        }
        return b.build();
    }

    private static Map<String, byte[]> snapshot(Path d) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(d)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                m.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    private void assertNoTemporaryDirectories() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> hidden = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
            assertEquals(List.of(), hidden, "temporary directories left beside the output");
        }
    }

    @Test
    @DisplayName("a failed quantize into an earlier output leaves it untouched, and no temporary directory")
    void failedQuantizeLeavesTheEarlierOutputUntouched() throws Exception {
        Path csv = csv();
        Path out = dir.resolve("mix");
        QuantizeWorkflow.quantize(train(csv, "cart"), csv, "int8", "cortex-m3", "min-max", null, out);
        Map<String, byte[]> before = snapshot(out);
        assertEquals(Set.of("model.json", "model.h", "model.c", "golden.json", "report.json", "float-model"),
                before.keySet());
        Path comb = combTree(33_000);
        Exception e = assertThrows(Exception.class, () -> QuantizeWorkflow.quantize(comb, dir.resolve("comb.csv"),
                "int16", "cortex-m3", "min-max", null, out));
        assertTrue(e.getMessage().contains("65535-node limit"), e.getMessage());
        Map<String, byte[]> after = snapshot(out);
        assertEquals(before.keySet(), after.keySet());
        for (String f : before.keySet()) {
            assertArrayEquals(before.get(f), after.get(f), f + " changed by the failed quantize");
        }
        assertNoTemporaryDirectories();
        assertEquals(0, QuantizeWorkflow.parity(out, "host", 100, 1).mismatches());
    }

    @Test
    @DisplayName("a successful quantize replaces every file of an earlier output, the float model included")
    void quantizeReplacesAnEarlierOutputWhole() throws Exception {
        Path csv = csv();
        Path out = dir.resolve("q");
        QuantizeWorkflow.quantize(train(csv, "logistic"), csv, "int8", "cortex-m3", "min-max", null, out);
        Path cart = train(csv, "cart");
        QuantizeWorkflow.quantize(cart, csv, "int16", "cortex-m3", "min-max", null, out);
        assertArrayEquals(Files.readAllBytes(cart), Files.readAllBytes(out.resolve(QuantizeWorkflow.FLOAT_MODEL)));
        String report = Files.readString(out.resolve("report.json"));
        assertTrue(report.contains("\"scheme\" : \"int16\"") || report.contains("\"scheme\":\"int16\""), report);
        assertTrue(report.contains("tree-ensemble"), report);
        assertNoTemporaryDirectories();
    }

    @Test
    @DisplayName("an output that is a file, or a directory holding anything else, is refused and left as it was")
    void refusesAnOutputThatIsNotAnEarlierQuantizeOutput() throws Exception {
        Path csv = csv();
        Path model = train(csv, "logistic");
        Path notes = dir.resolve("notes");
        Files.createDirectory(notes);
        Files.writeString(notes.resolve("todo.txt"), "keep me");
        IOException e = assertThrows(IOException.class,
                () -> QuantizeWorkflow.quantize(model, csv, "int8", "cortex-m3", "min-max", null, notes));
        assertTrue(e.getMessage().contains("is not an earlier quantize output (it holds 'todo.txt')"), e.getMessage());
        assertEquals(Set.of("todo.txt"), snapshot(notes).keySet());
        java.nio.file.FileAlreadyExistsException f = assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> QuantizeWorkflow.quantize(model, csv, "int8", "cortex-m3", "min-max", null, csv));
        assertEquals(csv.toString(), f.getFile());
        assertTrue(Files.isRegularFile(csv), "the file is left as it was");
        assertNoTemporaryDirectories();
        // An empty directory is fine.
        Path empty = dir.resolve("empty");
        Files.createDirectory(empty);
        QuantizeWorkflow.quantize(model, csv, "int8", "cortex-m3", "min-max", null, empty);
        assertTrue(Files.isRegularFile(empty.resolve("model.json")));
        // Inside an earlier output: refused, so the earlier output stays replaceable (the OTA walk of 2026-12-03:
        // --out q-avr8/sub was accepted, and the README's next --out q-avr8 was then refused "it holds 'sub'")
        Map<String, byte[]> before = snapshot(empty);
        IOException inside = assertThrows(IOException.class,
                () -> QuantizeWorkflow.quantize(model, csv, "int8", "cortex-m3", "min-max", null, empty.resolve("sub")));
        assertEquals("Output " + empty.resolve("sub") + " is inside the quantize output " + empty
                + "; choose an --out outside it", inside.getMessage());
        assertEquals(before.keySet(), snapshot(empty).keySet());
        QuantizeWorkflow.quantize(model, csv, "int16", "cortex-m3", "min-max", null, empty);
    }

    @Test
    @DisplayName("replacing an earlier output keeps the directory itself: its mode with the set-gid bit, and a "
            + "symbolic link to it is followed (the directory was renamed away and rebuilt: a mount point failed "
            + "with EBUSY, a link was refused, the mode fell back to the umask's)")
    void replacesInPlaceKeepingTheDirectory() throws Exception {
        Path csv = csv();
        Path model = train(csv, "logistic");
        Path real = dir.resolve("real");
        QuantizeWorkflow.quantize(model, csv, "int8", "cortex-m3", "min-max", null, real);
        Files.setAttribute(real, "unix:mode", 02770); // what `chmod 2770` does; NIO permissions lack set-gid
        int mode = (Integer) Files.getAttribute(real, "unix:mode") & 07777;
        Object inode = Files.getAttribute(real, "unix:ino");
        Path link = Files.createSymbolicLink(dir.resolve("link"), real.getFileName());

        QuantizeWorkflow.quantize(train(csv, "cart"), csv, "int16", "cortex-m3", "min-max", null, link);
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertEquals(inode, Files.getAttribute(real, "unix:ino"), "the same directory, not a new one");
        assertEquals(mode, (Integer) Files.getAttribute(real, "unix:mode") & 07777, "mode kept");
        assertTrue(Files.readString(real.resolve("report.json")).contains("tree-ensemble"), "the new output");
        assertEquals(Set.of("model.json", "model.h", "model.c", "golden.json", "report.json", "float-model"),
                snapshot(real).keySet(), "no staging directory left inside");
        assertNoTemporaryDirectories();
        assertEquals(0, QuantizeWorkflow.parity(real, "host", 100, 1).mismatches());
    }

    @Test
    @DisplayName("an output whose replacement was interrupted (no model.json, a staging directory inside) is "
            + "refused by readers and replaced by the next quantize")
    void interruptedReplacementIsReplacedNextTime() throws Exception {
        Path csv = csv();
        Path model = train(csv, "logistic");
        Path out = dir.resolve("q");
        QuantizeWorkflow.quantize(model, csv, "int8", "cortex-m3", "min-max", null, out);
        // What a kill between "model.json removed" and "model.json back" leaves.
        Files.delete(out.resolve("model.json"));
        Path staging = Files.createDirectory(out.resolve(".quantize-tmp-1234"));
        Files.writeString(staging.resolve("model.h"), "partial");
        assertThrows(Exception.class, () -> QuantizeWorkflow.parity(out, "host", 10, 1));

        QuantizeWorkflow.quantize(model, csv, "int8", "cortex-m3", "min-max", null, out);
        assertEquals(Set.of("model.json", "model.h", "model.c", "golden.json", "report.json", "float-model"),
                snapshot(out).keySet(), "the staging leftover is gone");
        assertEquals(0, QuantizeWorkflow.parity(out, "host", 100, 1).mismatches());
    }
    @Test
    @DisplayName("the staging directory a killed quantize left beside --out (its process is gone) is deleted by the "
            + "next run into that parent; a live writer's is kept")
    void deadWritersStagingIsDeletedNextTime() throws Exception {
        Path csv = csv();
        Path model = train(csv, "logistic");
        // a real process that has ended: what a SIGKILL of quantize during its write leaves, under its pid
        Process ended = new ProcessBuilder("true").start();
        assertEquals(0, ended.waitFor());
        Path dead = Files.createDirectory(dir.resolve(".q.tmp-" + ended.pid() + "-1f2e3d"));
        Files.writeString(dead.resolve("model.json"), "{\"format\"");
        long alive = ProcessHandle.current().parent().orElseThrow().pid();
        Path live = Files.createDirectory(dir.resolve(".q.tmp-" + alive + "-4a5b"));

        QuantizeWorkflow.quantize(model, csv, "int8", "cortex-m3", "min-max", null, dir.resolve("q"));
        assertFalse(Files.exists(dead), "the ended writer's staging directory is deleted");
        assertTrue(Files.isDirectory(live), "a live writer's staging directory is kept");
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            assertEquals(Set.of("d.csv", "logistic.model", "q", live.getFileName().toString()),
                    s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
    }
}
