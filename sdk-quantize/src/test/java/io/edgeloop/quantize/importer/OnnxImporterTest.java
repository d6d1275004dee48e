package io.edgeloop.quantize.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.edgeloop.quantize.Datasets;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.ir.Activation;
import io.edgeloop.quantize.ir.DecisionTree;
import io.edgeloop.quantize.ir.DenseLayer;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.ir.NetworkModel;
import io.edgeloop.quantize.ir.TreeEnsembleModel;
import io.edgeloop.quantize.parity.ParityHarness;
import io.edgeloop.quantize.parity.ParityResult;
import io.edgeloop.quantize.parity.ParityTarget;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.IntTreeEnsemble;
import io.edgeloop.quantize.runtime.ModelFormat;
import io.edgeloop.quantize.runtime.QuantizedArtifact;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.classification.sgd.linear.LinearSGDModel;

class OnnxImporterTest {
    private static OnnxMl.TensorProto tensor(String name, double[][] m) {
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).addDims(m.length).addDims(m[0].length);
        for (double[] r : m) {
            for (double v : r) {
                b.addFloatData((float) v);
            }
        }
        return b.build();
    }

    private static OnnxMl.TensorProto vector(String name, double[] v) {
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).addDims(v.length);
        for (double x : v) {
            b.addFloatData((float) x);
        }
        return b.build();
    }

    private static OnnxMl.NodeProto node(String op, List<String> in, String out, OnnxMl.AttributeProto... attrs) {
        OnnxMl.NodeProto.Builder b = OnnxMl.NodeProto.newBuilder().setOpType(op).addAllInput(in).addOutput(out);
        for (OnnxMl.AttributeProto a : attrs) {
            b.addAttribute(a);
        }
        return b.build();
    }

    private static OnnxMl.AttributeProto ints(String name, long... v) {
        OnnxMl.AttributeProto.Builder b = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        return b.build();
    }

    private static OnnxMl.AttributeProto floats(String name, double... v) {
        OnnxMl.AttributeProto.Builder b = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.FLOATS);
        for (double x : v) {
            b.addFloats((float) x);
        }
        return b.build();
    }

    private static OnnxMl.AttributeProto strings(String name, List<String> v) {
        OnnxMl.AttributeProto.Builder b = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.STRINGS);
        for (String x : v) {
            b.addStrings(ByteString.copyFrom(x, StandardCharsets.UTF_8));
        }
        return b.build();
    }

    /** An MLP as PyTorch exports it: Gemm(transB) + Relu, MatMul + Add + Clip(0,6), Gemm + Softmax. */
    static OnnxMl.ModelProto mlpOnnx(NetworkModel m) {
        List<DenseLayer> l = m.layers();
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("mlp");
        g.addInitializer(tensor("W0", l.get(0).weights())).addInitializer(vector("B0", l.get(0).bias()));
        double[][] w1 = l.get(1).weights();
        double[][] w1t = new double[w1[0].length][w1.length];
        for (int i = 0; i < w1.length; i++) {
            for (int j = 0; j < w1[0].length; j++) {
                w1t[j][i] = w1[i][j];
            }
        }
        g.addInitializer(tensor("W1", w1t)).addInitializer(vector("B1", l.get(1).bias()));
        g.addInitializer(vector("lo", new double[] {0})).addInitializer(vector("hi", new double[] {6}));
        g.addInitializer(tensor("W2", l.get(2).weights())).addInitializer(vector("B2", l.get(2).bias()));
        OnnxMl.AttributeProto transB = OnnxMl.AttributeProto.newBuilder().setName("transB").setI(1)
                .setType(OnnxMl.AttributeProto.AttributeType.INT).build();
        g.addNode(node("Gemm", List.of("x", "W0", "B0"), "h0", transB)).addNode(node("Relu", List.of("h0"), "a0"));
        g.addNode(node("MatMul", List.of("a0", "W1"), "m1")).addNode(node("Add", List.of("m1", "B1"), "h1"));
        g.addNode(node("Clip", List.of("h1", "lo", "hi"), "a1"));
        g.addNode(node("Gemm", List.of("a1", "W2", "B2"), "h2", transB)).addNode(node("Softmax", List.of("h2"), "y"));
        g.addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x")).addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("y"));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(OnnxImporter.CLASSES_KEY)
                        .setValue(String.join(",", m.classNames())))
                .build();
    }

    @Test
    @DisplayName("imports a PyTorch-style MLP (Gemm, MatMul, Add, Relu, Clip, Softmax) and runs it bit-exactly on the host")
    void importsMlp(@TempDir Path dir) throws IOException {
        double[][] rows = TestModels.wideRows(6, 500, 1);
        NetworkModel ref = TestModels.mlp(6, rows, 2, 8);
        // The ONNX graph has no scaling: compare on standardised inputs.
        double[][] scaled = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            scaled[i] = ref.scaling().apply(rows[i]);
        }
        Path f = dir.resolve("mlp.onnx");
        Files.write(f, mlpOnnx(ref).toByteArray());
        FloatModel m = ModelReader.read(f);
        assertEquals("network", m.kind());
        assertEquals(ref.classNames(), m.classNames());
        for (int i = 0; i < scaled.length; i++) {
            double[] a = ref.scores(rows[i]);
            double[] b = m.scores(scaled[i]);
            for (int o = 0; o < a.length; o++) {
                assertEquals(a[o], b[o], 1e-4 * (1 + Math.abs(a[o])));
            }
        }
        NetworkModel nm = (NetworkModel) m;
        assertEquals(Activation.RELU, nm.layers().get(0).activation());
        assertEquals(Activation.RELU6, nm.layers().get(1).activation());
        IntModel im = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(m, scaled);
        ParityResult r = new ParityHarness().run(im, ParityTarget.HOST, 10_000, 5);
        assertEquals(0, r.mismatches());
    }

    @Test
    @DisplayName("imports Tribuo's own ONNX export of a logistic regression with the same predictions")
    void importsTribuoExport(@TempDir Path dir) throws Exception {
        CsvData train = Datasets.occupancyTrain();
        Model<Label> tm = new LogisticRegressionTrainer().train(TribuoTraining.dataset(train));
        OnnxMl.ModelProto onnx = ((LinearSGDModel) tm).exportONNXModel("edgeloop-test", 1);
        List<String> ops = new ArrayList<>();
        onnx.getGraph().getNodeList().forEach(n -> ops.add(n.getOpType()));
        Path f = dir.resolve("tribuo.onnx");
        Files.write(f, onnx.toByteArray());
        FloatModel viaOnnx = ModelReader.read(f);
        FloatModel viaTribuo = new TribuoImporter().fromModel(tm);
        double[][] x = train.rowsInOrder(viaTribuo.featureNames());
        int agree = 0;
        for (double[] r : x) {
            agree += viaOnnx.predictClass(r) == viaTribuo.predictClass(r) ? 1 : 0;
        }
        System.out.println("Tribuo ONNX export ops " + ops + ": agreement " + agree + "/" + x.length);
        assertTrue(agree >= x.length - 2, "float32 weights in ONNX may flip at most a tie: " + agree);
    }

    @Test
    @DisplayName("imports tree ensembles in every split mode and keeps every split exact after quantization")
    void importsTrees(@TempDir Path dir) throws IOException {
        double[][] rows = TestModels.wideRows(5, 1000, 3);
        TreeEnsembleModel ref = TestModels.forest(5, rows, 3, 3, false, 4);
        String[] modes = {"BRANCH_LEQ", "BRANCH_GT", "BRANCH_LT", "BRANCH_GTE"};
        List<Long> tree = new ArrayList<>();
        List<Long> node = new ArrayList<>();
        List<Long> feat = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        List<String> mode = new ArrayList<>();
        List<Long> tru = new ArrayList<>();
        List<Long> fal = new ArrayList<>();
        List<Long> ct = new ArrayList<>();
        List<Long> cn = new ArrayList<>();
        List<Long> ci = new ArrayList<>();
        int k = 0;
        for (int t = 0; t < ref.trees().size(); t++) {
            DecisionTree d = ref.trees().get(t);
            for (int n = 0; n < d.size(); n++) {
                tree.add((long) t);
                node.add((long) n);
                if (d.feature(n) < 0) {
                    feat.add(0L);
                    val.add(0.0);
                    mode.add("LEAF");
                    tru.add(0L);
                    fal.add(0L);
                    ct.add((long) t);
                    cn.add((long) n);
                    ci.add((long) d.value(n));
                    continue;
                }
                String md = modes[k++ % 4];
                feat.add((long) d.feature(n));
                // Thresholds are float32 in ONNX: use float-representable ones in the reference too.
                val.add((double) (float) d.threshold(n));
                mode.add(md);
                boolean leftIsTrue = md.equals("BRANCH_LEQ") || md.equals("BRANCH_LT");
                tru.add((long) (leftIsTrue ? d.left(n) : d.right(n)));
                fal.add((long) (leftIsTrue ? d.right(n) : d.left(n)));
            }
        }
        OnnxMl.NodeProto te = node("TreeEnsembleClassifier", List.of("x"), "y",
                ints("nodes_treeids", tree.stream().mapToLong(Long::longValue).toArray()),
                ints("nodes_nodeids", node.stream().mapToLong(Long::longValue).toArray()),
                ints("nodes_featureids", feat.stream().mapToLong(Long::longValue).toArray()),
                floats("nodes_values", val.stream().mapToDouble(Double::doubleValue).toArray()),
                strings("nodes_modes", mode),
                ints("nodes_truenodeids", tru.stream().mapToLong(Long::longValue).toArray()),
                ints("nodes_falsenodeids", fal.stream().mapToLong(Long::longValue).toArray()),
                ints("class_treeids", ct.stream().mapToLong(Long::longValue).toArray()),
                ints("class_nodeids", cn.stream().mapToLong(Long::longValue).toArray()),
                ints("class_ids", ci.stream().mapToLong(Long::longValue).toArray()),
                floats("class_weights", ci.stream().mapToDouble(x -> 1.0).toArray()),
                strings("classlabels_strings", ref.classNames()));
        Path f = dir.resolve("forest.onnx");
        Files.write(f, OnnxMl.ModelProto.newBuilder().setGraph(OnnxMl.GraphProto.newBuilder().addNode(te)).build()
                .toByteArray());
        FloatModel m = ModelReader.read(f);
        assertEquals(ref.classNames(), m.classNames());
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 20_000; i++) {
            double[] x = rows[r.nextInt(rows.length)].clone();
            // Probe exactly at float32 thresholds too, where < and <= differ.
            DecisionTree d = ((TreeEnsembleModel) m).trees().get(0);
            if (i % 2 == 0 && d.feature(0) >= 0) {
                x[d.feature(0)] = (float) ref.trees().get(0).threshold(0);
            }
            double[] exp = expected(tree, node, feat, val, mode, tru, fal, ct, cn, ci, x, 3);
            assertArrayEquals(exp, m.scores(x), 0.0);
        }
        IntModel im = new ModelQuantizer(Scheme.INT16, Calibration.MIN_MAX).quantize(m, rows);
        assertEquals(0, new ParityHarness().run(im, ParityTarget.HOST, 10_000, 9).mismatches());
    }

    /** ONNX semantics evaluated directly from the attribute lists. */
    private static double[] expected(List<Long> tree, List<Long> node, List<Long> feat, List<Double> val,
            List<String> mode, List<Long> tru, List<Long> fal, List<Long> ct, List<Long> cn, List<Long> ci, double[] x,
            int classes) {
        List<Double> ones = new ArrayList<>();
        ci.forEach(c -> ones.add(1.0));
        return expected(tree, node, feat, val, mode, tru, fal, ct, cn, ci, ones, x, classes, 3);
    }

    private static double[] expected(List<Long> tree, List<Long> node, List<Long> feat, List<Double> val,
            List<String> mode, List<Long> tru, List<Long> fal, List<Long> ct, List<Long> cn, List<Long> ci,
            List<Double> cw, double[] x, int classes, int trees) {
        double[] s = new double[classes];
        for (long t = 0; t < trees; t++) {
            long n = 0;
            while (true) {
                int row = -1;
                for (int i = 0; i < tree.size(); i++) {
                    if (tree.get(i) == t && node.get(i) == n) {
                        row = i;
                    }
                }
                String md = mode.get(row);
                if (md.equals("LEAF")) {
                    for (int i = 0; i < ct.size(); i++) {
                        if (ct.get(i) == t && cn.get(i) == n) {
                            s[(int) (long) ci.get(i)] += (double) (float) (double) cw.get(i);
                        }
                    }
                    break;
                }
                double v = x[(int) (long) feat.get(row)];
                double th = val.get(row);
                boolean c = md.equals("BRANCH_LEQ") ? v <= th : md.equals("BRANCH_LT") ? v < th
                        : md.equals("BRANCH_GT") ? v > th : v >= th;
                n = c ? tru.get(row) : fal.get(row);
            }
        }
        return s;
    }

    @Test
    @DisplayName("imports tree ensembles whose leaves vote for several classes and runs them bit-exactly on devices")
    void importsClassDistributionLeaves(@TempDir Path dir) throws IOException {
        double[][] rows = TestModels.wideRows(5, 2000, 8);
        int trees = 6;
        TreeEnsembleModel ref = TestModels.forest(5, rows, trees, 4, false, 12);
        java.util.Random r = new java.util.Random(21);
        List<Long> tree = new ArrayList<>();
        List<Long> node = new ArrayList<>();
        List<Long> feat = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        List<String> mode = new ArrayList<>();
        List<Long> tru = new ArrayList<>();
        List<Long> fal = new ArrayList<>();
        List<Long> ct = new ArrayList<>();
        List<Long> cn = new ArrayList<>();
        List<Long> ci = new ArrayList<>();
        List<Double> cw = new ArrayList<>();
        int leaves = 0;
        for (int t = 0; t < trees; t++) {
            DecisionTree d = ref.trees().get(t);
            for (int n = 0; n < d.size(); n++) {
                tree.add((long) t);
                node.add((long) n);
                if (d.feature(n) < 0) {
                    feat.add(0L);
                    val.add(0.0);
                    mode.add("LEAF");
                    tru.add(0L);
                    fal.add(0L);
                    // As scikit-learn exports forests: the leaf's class proportions over the number of trees; some
                    // classes absent, and every 11th leaf with no class entry at all (it adds nothing).
                    if (leaves++ % 11 == 5) {
                        continue;
                    }
                    double[] p = {r.nextDouble(), r.nextDouble() < 0.3 ? 0 : r.nextDouble(), r.nextDouble()};
                    double sum = p[0] + p[1] + p[2];
                    for (int c = 0; c < 3; c++) {
                        if (p[c] != 0) {
                            ct.add((long) t);
                            cn.add((long) n);
                            ci.add((long) c);
                            cw.add(p[c] / sum / trees);
                        }
                    }
                    continue;
                }
                feat.add((long) d.feature(n));
                val.add((double) (float) d.threshold(n));
                mode.add("BRANCH_LEQ");
                tru.add((long) d.left(n));
                fal.add((long) d.right(n));
            }
        }
        OnnxMl.NodeProto te = node("TreeEnsembleClassifier", List.of("x"), "y",
                ints("nodes_treeids", tree.stream().mapToLong(Long::longValue).toArray()),
                ints("nodes_nodeids", node.stream().mapToLong(Long::longValue).toArray()),
                ints("nodes_featureids", feat.stream().mapToLong(Long::longValue).toArray()),
                floats("nodes_values", val.stream().mapToDouble(Double::doubleValue).toArray()),
                strings("nodes_modes", mode),
                ints("nodes_truenodeids", tru.stream().mapToLong(Long::longValue).toArray()),
                ints("nodes_falsenodeids", fal.stream().mapToLong(Long::longValue).toArray()),
                ints("class_treeids", ct.stream().mapToLong(Long::longValue).toArray()),
                ints("class_nodeids", cn.stream().mapToLong(Long::longValue).toArray()),
                ints("class_ids", ci.stream().mapToLong(Long::longValue).toArray()),
                floats("class_weights", cw.stream().mapToDouble(Double::doubleValue).toArray()),
                strings("classlabels_strings", ref.classNames()));
        Path f = dir.resolve("proba-forest.onnx");
        Files.write(f, OnnxMl.ModelProto.newBuilder().setGraph(OnnxMl.GraphProto.newBuilder().addNode(te)).build()
                .toByteArray());
        TreeEnsembleModel m = (TreeEnsembleModel) ModelReader.read(f);
        assertTrue(m.trees().get(0).hasVotes());
        for (double[] x : rows) {
            assertArrayEquals(expected(tree, node, feat, val, mode, tru, fal, ct, cn, ci, cw, x, 3, trees), m.scores(x),
                    0.0);
        }
        IntTreeEnsemble im = (IntTreeEnsemble) new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(m, rows);
        assertTrue(im.hasVotes());
        // Splits are exact, so on the value an integer input stands for the int model reaches the leaves of the
        // float model; only the int16 vote weights are rounded: each class score is within trees * voteScale / 2.
        int agree = 0;
        for (double[] x : rows) {
            int[] q = im.input().quantize(x);
            double[] xq = new double[q.length];
            for (int i = 0; i < q.length; i++) {
                xq[i] = im.input().dequantize(i, q[i]);
            }
            double[] fs = m.scores(xq);
            int[] out = im.predict(q);
            for (int c = 0; c < out.length; c++) {
                assertEquals(fs[c], im.dequantizeOutput(c, out[c]), trees * im.voteScale() / 2);
            }
            agree += im.predictClass(q) == m.predictClass(xq) ? 1 : 0;
        }
        assertTrue(agree >= rows.length - 2, agree + " of " + rows.length);
        QuantizedArtifact a = new QuantizedArtifact(im, io.edgeloop.api.target.TargetProfile.AVR8, "min-max",
                io.edgeloop.api.provenance.Provenance.capture("quantized-model", OnnxImporterTest.class).build());
        QuantizedArtifact back = ModelFormat.fromBytes(ModelFormat.toBytes(a));
        assertArrayEquals(ModelFormat.toBytes(a), ModelFormat.toBytes(back));
        for (ParityTarget t : new ParityTarget[] {ParityTarget.HOST, ParityTarget.AVR8, ParityTarget.CORTEX_M0,
            ParityTarget.CORTEX_M4F}) {
            ParityResult pr = new ParityHarness().run(back.model(), t, 10_000, 4);
            System.out.println("class-distribution forest " + t.id() + ": " + pr.toMap());
            assertEquals(0, pr.mismatches(), t.id());
            assertEquals(pr.javaHash(), pr.deviceHash(), t.id());
        }
        // A tampered vote that no longer fits int16 is refused on load.
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode tampered = (com.fasterxml.jackson.databind.node.ObjectNode) json
                .readTree(ModelFormat.toBytes(a));
        ((com.fasterxml.jackson.databind.node.ArrayNode) tampered.get("votes")).set(0, 40_000);
        IOException e = assertThrows(IOException.class, () -> ModelFormat.fromBytes(json.writeValueAsBytes(tampered)));
        assertTrue(e.getMessage().contains("does not fit int16"), e.getMessage());
        // A leaf voting for a class the model does not have is refused on import.
        OnnxMl.NodeProto bad = node("TreeEnsembleClassifier", List.of("x"), "y", ints("nodes_treeids", 0),
                ints("nodes_nodeids", 0), ints("nodes_featureids", 0), floats("nodes_values", 0),
                strings("nodes_modes", List.of("LEAF")), ints("nodes_truenodeids", 0), ints("nodes_falsenodeids", 0),
                ints("class_treeids", 0), ints("class_nodeids", 0), ints("class_ids", 5), floats("class_weights", 1),
                strings("classlabels_strings", List.of("a", "b", "c")));
        Path g = dir.resolve("bad.onnx");
        Files.write(g, OnnxMl.ModelProto.newBuilder().setGraph(OnnxMl.GraphProto.newBuilder().addNode(bad)).build()
                .toByteArray());
        e = assertThrows(IOException.class, () -> ModelReader.read(g));
        assertTrue(e.getMessage().contains("class_ids holds 5; the model has 3 classes"), e.getMessage());
    }

    @Test
    @DisplayName("rejects unsupported operators and non-ONNX files with a clear message")
    void rejectsUnsupported(@TempDir Path dir) throws IOException {
        OnnxMl.GraphProto g = OnnxMl.GraphProto.newBuilder().addNode(node("Conv", List.of("x", "w"), "y")).build();
        Path f = dir.resolve("conv.onnx");
        Files.write(f, OnnxMl.ModelProto.newBuilder().setGraph(g).build().toByteArray());
        IOException e = assertThrows(IOException.class, () -> ModelReader.read(f));
        assertTrue(e.getMessage().contains("unsupported ONNX operator Conv"), e.getMessage());
        // a named node is named, so one of several nodes of an operator can be found (review s11)
        OnnxMl.GraphProto named = OnnxMl.GraphProto.newBuilder()
                .addNode(node("Tanh", List.of("x"), "y").toBuilder().setName("act_tanh")).build();
        Files.write(f, OnnxMl.ModelProto.newBuilder().setGraph(named).build().toByteArray());
        e = assertThrows(IOException.class, () -> ModelReader.read(f));
        assertTrue(e.getMessage().contains("unsupported ONNX operator Tanh (node 'act_tanh')"), e.getMessage());
        Path junk = dir.resolve("junk.onnx");
        Files.write(junk, new byte[] {(byte) 0xff, 1, 2, 3});
        e = assertThrows(IOException.class, () -> ModelReader.read(junk));
        assertTrue(e.getMessage().contains("Not an ONNX model"), e.getMessage());
    }

    /**
     * Two one-split trees on feature 0 (tree 0 splits at 1, tree 1 at 3), leaves weighted for one class only.
     * Extra nodes and attributes are appended to the graph as given.
     */
    private static Path binaryEnsemble(Path dir, String name, long classId, double[] leafWeights,
            List<OnnxMl.NodeProto> before, String input, OnnxMl.AttributeProto... extra) throws IOException {
        List<OnnxMl.AttributeProto> attrs = new ArrayList<>(List.of(
                ints("nodes_treeids", 0, 0, 0, 1, 1, 1),
                ints("nodes_nodeids", 0, 1, 2, 0, 1, 2),
                ints("nodes_featureids", 0, 0, 0, 0, 0, 0),
                floats("nodes_values", 1, 0, 0, 3, 0, 0),
                strings("nodes_modes", List.of("BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_LEQ", "LEAF", "LEAF")),
                ints("nodes_truenodeids", 1, 0, 0, 1, 0, 0),
                ints("nodes_falsenodeids", 2, 0, 0, 2, 0, 0),
                ints("class_treeids", 0, 0, 1, 1),
                ints("class_nodeids", 1, 2, 1, 2),
                ints("class_ids", classId, classId, classId, classId),
                floats("class_weights", leafWeights),
                ints("classlabels_int64s", 0, 1)));
        attrs.addAll(List.of(extra));
        OnnxMl.NodeProto te = node("TreeEnsembleClassifier", List.of(input), "label",
                attrs.toArray(new OnnxMl.AttributeProto[0]));
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().addAllNode(before).addNode(te)
                .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x"));
        Path f = dir.resolve(name);
        Files.write(f, OnnxMl.ModelProto.newBuilder().setGraph(g).build().toByteArray());
        return f;
    }

    @Test
    @DisplayName("decides a binary ensemble with one class id as onnxruntime does: the summed weight against 0.5 or 0")
    void decidesOneClassBinaryEnsemblesAsOnnxruntime(@TempDir Path dir) throws IOException {
        // {class id, leaf weights (tree 0 left, right, tree 1 left, right)}: probabilities on class 1, then
        // LightGBM-style signed margins on class 0 (onnxruntime still reads them as the score of class 1).
        Object[][] cases = {
            {1L, new double[] {0.1, 0.3, 0.15, 0.35}},
            {0L, new double[] {-0.7, 0.4, -0.2, 0.5}},
        };
        double[][] rows = new double[81][1];
        for (int i = 0; i < rows.length; i++) {
            rows[i][0] = i / 10.0 - 2;
        }
        for (Object[] c : cases) {
            double[] w = (double[]) c[1];
            boolean allPositive = java.util.Arrays.stream(w).allMatch(v -> v >= 0);
            FloatModel m = ModelReader.read(binaryEnsemble(dir, "b" + c[0] + ".onnx", (Long) c[0], w, List.of(), "x"));
            IntModel im = new ModelQuantizer(Scheme.INT16, Calibration.MIN_MAX).quantize(m, rows);
            IntModel imAligned = new ModelQuantizer(Scheme.INT16, Calibration.MIN_MAX)
                    .withTreeThresholds(io.edgeloop.quantize.scheme.TreeThresholds.ALIGNED).quantize(m, rows);
            TreeEnsembleModel aligned = ModelQuantizer.alignThresholds((TreeEnsembleModel) m, im.input(), rows);
            int ones = 0;
            for (double[] x : rows) {
                int expected = binaryLabel(w, x[0], allPositive);
                ones += expected;
                assertEquals(expected, m.predictClass(x), "class id " + c[0] + ", x = " + x[0]);
                // Splits are exact on the value the integer input stands for (the default, against the model's own
                // thresholds); with aligned thresholds they are exact against the moved ones, and the calibration
                // values themselves decide after quantization as they do raw.
                int[] q = im.input().quantize(x);
                double[] xq = {im.input().dequantize(0, q[0])};
                assertEquals(m.predictClass(xq), im.predictClass(q), "quantized, x = " + x[0]);
                assertEquals(aligned.predictClass(xq), imAligned.predictClass(q), "aligned, quantized, x = " + x[0]);
                assertEquals(expected, imAligned.predictClass(q), "aligned, quantized raw value, x = " + x[0]);
            }
            assertTrue(ones > 0 && ones < rows.length, "both classes occur");
            assertEquals(0, new ParityHarness().run(im, ParityTarget.HOST, 500, 3).mismatches());
        }
    }

    private static int binaryLabel(double[] w, double x, boolean allPositive) {
        double score = (x <= 1 ? w[0] : w[1]) + (x <= 3 ? w[2] : w[3]);
        return score > (allPositive ? 0.5 : 0) ? 1 : 0;
    }

    @Test
    @DisplayName("rejects a tree ensemble behind preprocessing, and post transforms it cannot reproduce")
    void rejectsTreeGraphsItCannotReproduce(@TempDir Path dir) throws IOException {
        OnnxMl.NodeProto scaler = node("Scaler", List.of("x"), "xs", floats("offset", 100), floats("scale", 0.5));
        double[] w = {1, 1, 1, 1};
        Path f = binaryEnsemble(dir, "scaler.onnx", 1, w, List.of(scaler), "xs");
        IOException e = assertThrows(IOException.class, () -> ModelReader.read(f));
        assertTrue(e.getMessage().contains("Scaler node besides the TreeEnsembleClassifier"), e.getMessage());
        // A Scaler beside the trees (its output unused) is refused too: the graph is not the trees alone.
        Path g = binaryEnsemble(dir, "unused.onnx", 1, w, List.of(scaler), "x");
        e = assertThrows(IOException.class, () -> ModelReader.read(g));
        assertTrue(e.getMessage().contains("Scaler"), e.getMessage());
        // Identity in front is harmless.
        Path h = binaryEnsemble(dir, "identity.onnx", 1, w, List.of(node("Identity", List.of("x"), "xi")), "xi");
        assertEquals(2, ModelReader.read(h).classNames().size());
        OnnxMl.AttributeProto bogus = OnnxMl.AttributeProto.newBuilder().setName("post_transform")
                .setType(OnnxMl.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8("SQUARE")).build();
        Path p = binaryEnsemble(dir, "post.onnx", 1, w, List.of(), "x", bogus);
        e = assertThrows(IOException.class, () -> ModelReader.read(p));
        assertTrue(e.getMessage().contains("post_transform SQUARE is not supported"), e.getMessage());
        OnnxMl.NodeProto reg = node("TreeEnsembleRegressor", List.of("x"), "y",
                ints("nodes_treeids", 0), ints("nodes_nodeids", 0), ints("nodes_featureids", 0),
                floats("nodes_values", 0), strings("nodes_modes", List.of("LEAF")), ints("nodes_truenodeids", 0),
                ints("nodes_falsenodeids", 0), ints("target_treeids", 0), ints("target_nodeids", 0),
                ints("target_ids", 0), floats("target_weights", 2),
                OnnxMl.AttributeProto.newBuilder().setName("post_transform")
                        .setType(OnnxMl.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8("LOGISTIC"))
                        .build());
        Path r = dir.resolve("reg.onnx");
        Files.write(r, OnnxMl.ModelProto.newBuilder().setGraph(OnnxMl.GraphProto.newBuilder().addNode(reg)).build()
                .toByteArray());
        e = assertThrows(IOException.class, () -> ModelReader.read(r));
        assertTrue(e.getMessage().contains("post_transform LOGISTIC is not supported (NONE)"), e.getMessage());
    }

    private static final OnnxMl.AttributeProto TRANS_B = OnnxMl.AttributeProto.newBuilder().setName("transB").setI(1)
            .setType(OnnxMl.AttributeProto.AttributeType.INT).build();

    /**
     * Two-feature graphs over initializers W1 (swaps x0 and x1), W2 (identity) and B (zero): the nodes given, in the
     * order given, with input x and the given output.
     */
    private static Path graph(Path dir, String name, String output, OnnxMl.NodeProto... nodes) throws IOException {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName(name)
                .addInitializer(tensor("W1", new double[][] {{0, 1}, {1, 0}}))
                .addInitializer(tensor("W2", new double[][] {{1, 0}, {0, 1}}))
                .addInitializer(vector("B", new double[] {0, 0}))
                .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x"))
                .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(output));
        for (OnnxMl.NodeProto n : nodes) {
            g.addNode(n);
        }
        Path f = dir.resolve(name + ".onnx");
        Files.write(f, OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(g).build().toByteArray());
        return f;
    }

    private static String refusal(Path f) {
        IOException e = assertThrows(IOException.class, () -> ModelReader.read(f));
        assertTrue(e.getMessage().startsWith("Cannot import ONNX model " + f + ": "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    @DisplayName("follows data flow, not node order: a chain listed backwards imports as the graph computes it")
    void followsDataFlowNotListOrder(@TempDir Path dir) throws IOException {
        // p = Softmax(Gemm(x, W1)): the class is the argmax of the swapped features.
        FloatModel m = ModelReader.read(graph(dir, "backwards", "p", node("Softmax", List.of("h"), "p"),
                node("Gemm", List.of("x", "W1", "B"), "h", TRANS_B)));
        assertEquals(1, m.predictClass(new double[] {5, 1}));
        assertEquals(0, m.predictClass(new double[] {1, 5}));
    }

    @Test
    @DisplayName("refuses branches, dead nodes, foreign inputs and outputs the chain does not compute, each in one line")
    void refusesGraphsThatAreNotOneChain(@TempDir Path dir) throws IOException {
        // The reviewer's graph: a dead Gemm reads x beside the real one (list order used to import the dead one).
        String branch = refusal(graph(dir, "branch", "p", node("Gemm", List.of("x", "W1", "B"), "h", TRANS_B),
                node("Gemm", List.of("x", "W2", "B"), "y", TRANS_B), node("Softmax", List.of("y"), "p")));
        assertTrue(branch.contains("value 'x' is read by 2 nodes") && branch.contains("branches are not supported"), branch);
        // A node that reads nothing the chain computes.
        String dead = refusal(graph(dir, "dead", "p", node("Gemm", List.of("x", "W2", "B"), "y", TRANS_B),
                node("Softmax", List.of("y"), "p"), node("Relu", List.of("ghost"), "g")));
        assertTrue(dead.contains("Relu node (reading [ghost]) is not on the data path from the graph input 'x'"), dead);
        // A node that mixes the previous value with a value from elsewhere.
        String foreign = refusal(graph(dir, "foreign", "s", node("Gemm", List.of("x", "W2", "B"), "y", TRANS_B),
                node("Add", List.of("y", "q"), "s")));
        assertTrue(foreign.contains("Add node reads 'q' besides 'y'"), foreign);
        // The data as a MatMul's second operand (x W would be computed as W x).
        String operand = refusal(graph(dir, "operand", "y", node("MatMul", List.of("W1", "x"), "y")));
        assertTrue(operand.contains("MatMul node reads 'x' as input 1"), operand);
        // The declared output is an intermediate value, or a value nothing computes.
        String early = refusal(graph(dir, "early", "y", node("Gemm", List.of("x", "W2", "B"), "y", TRANS_B),
                node("Softmax", List.of("y"), "p")));
        assertTrue(early.contains("the graph output 'y' is read again by Softmax node"), early);
        String elsewhere = refusal(graph(dir, "elsewhere", "z", node("Gemm", List.of("x", "W2", "B"), "y", TRANS_B),
                node("Softmax", List.of("y"), "p")));
        assertTrue(elsewhere.contains("the graph output 'z' is not computed by the chain from the graph input 'x', "
                + "which ends at 'p'"), elsewhere);
        // Named nodes are named in the message.
        OnnxMl.NodeProto named = node("Gemm", List.of("x", "W1", "B"), "h", TRANS_B).toBuilder().setName("fc_dead").build();
        String byName = refusal(graph(dir, "named", "p", named, node("Gemm", List.of("x", "W2", "B"), "y", TRANS_B),
                node("Softmax", List.of("y"), "p")));
        assertTrue(byName.contains("Gemm 'fc_dead' node"), byName);
    }

    @Test
    @DisplayName("a tree ensemble must read the graph input and compute the graph outputs")
    void refusesTreeGraphsNotWiredToTheGraph(@TempDir Path dir) throws IOException {
        double[] w = {1, 1, 1, 1};
        String stray = refusal(binaryEnsemble(dir, "stray.onnx", 1, w, List.of(), "q"));
        assertTrue(stray.contains("TreeEnsembleClassifier reads 'q', which is not the graph input [x]"), stray);
        Path ok = binaryEnsemble(dir, "wired.onnx", 1, w, List.of(node("Identity", List.of("label"), "out")), "x");
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(ok)).toBuilder();
        m.getGraphBuilder().addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("out"));
        Files.write(ok, m.build().toByteArray());
        assertEquals(2, ModelReader.read(ok).classNames().size(), "an output behind Identity is the tree's");
        m.getGraphBuilder().addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("x"));
        Path bypass = dir.resolve("bypass.onnx");
        Files.write(bypass, m.build().toByteArray());
        String out = refusal(bypass);
        assertTrue(out.contains("the graph output 'x' is not computed by the TreeEnsembleClassifier"), out);
    }

    private static OnnxMl.AttributeProto floatAttr(String name, double v) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setF((float) v)
                .setType(OnnxMl.AttributeProto.AttributeType.FLOAT).build();
    }

    @Test
    @DisplayName("refuses an Add after Relu or Clip (it is not a bias: relu(Wx + b) + c != relu(Wx + b + c)), and "
            + "still folds an Add before the activation into the bias")
    void refusesAddAfterAnActivation(@TempDir Path dir) throws IOException {
        // Before: both imported with c folded into the pre-activation bias (the reviewer's graph lost 19.5 points).
        String relu = refusal(graph(dir, "relu-add", "p", node("Gemm", List.of("x", "W2", "B"), "h", TRANS_B),
                node("Relu", List.of("h"), "a"), node("Add", List.of("a", "B"), "s"), node("Softmax", List.of("s"), "p")));
        assertTrue(relu.contains("Add node adds a constant after the Relu activation"), relu);
        String clip = refusal(graph(dir, "clip-add", "p", node("Gemm", List.of("x", "W2", "B"), "h", TRANS_B),
                node("Clip", List.of("h"), "a", floatAttr("min", 0), floatAttr("max", 6)),
                node("Add", List.of("B", "a"), "s"), node("Softmax", List.of("s"), "p")));
        assertTrue(clip.contains("Add node adds a constant after the Clip(0, 6) activation"), clip);
        FloatModel before = ModelReader.read(graph(dir, "add-relu", "p",
                node("Gemm", List.of("x", "W2", "B"), "h", TRANS_B), node("Add", List.of("h", "B"), "s"),
                node("Relu", List.of("s"), "a"), node("Softmax", List.of("a"), "p")));
        assertEquals(1, before.predictClass(new double[] {-1, 2}));
    }

    @Test
    @DisplayName("refuses a Softmax over an axis other than the last (axis 0 normalises across the batch)")
    void refusesSoftmaxOverTheBatch(@TempDir Path dir) throws IOException {
        OnnxMl.AttributeProto axis0 = OnnxMl.AttributeProto.newBuilder().setName("axis").setI(0)
                .setType(OnnxMl.AttributeProto.AttributeType.INT).build();
        String e = refusal(graph(dir, "axis0", "p", node("Gemm", List.of("x", "W2", "B"), "h", TRANS_B),
                node("Softmax", List.of("h"), "p", axis0)));
        assertTrue(e.contains("Softmax node has axis 0; only the last axis"), e);
        OnnxMl.AttributeProto axis1 = axis0.toBuilder().setI(1).build();
        assertEquals(2, ModelReader.read(graph(dir, "axis1", "p", node("Gemm", List.of("x", "W2", "B"), "h", TRANS_B),
                node("Softmax", List.of("h"), "p", axis1))).classNames().size());
    }

    /** One tree: a root split on {@code feature} at 0.5 with leaves of class 0 (left) and 1 (right). */
    private static Path stump(Path dir, String name, long feature, long... labels) throws IOException {
        OnnxMl.NodeProto te = node("TreeEnsembleClassifier", List.of("x"), "label",
                ints("nodes_treeids", 0, 0, 0), ints("nodes_nodeids", 0, 1, 2), ints("nodes_featureids", feature, 0, 0),
                floats("nodes_values", 0.5, 0, 0), strings("nodes_modes", List.of("BRANCH_LEQ", "LEAF", "LEAF")),
                ints("nodes_truenodeids", 1, 0, 0), ints("nodes_falsenodeids", 2, 0, 0), ints("class_treeids", 0, 0),
                ints("class_nodeids", 1, 2), ints("class_ids", 0, labels.length - 1), floats("class_weights", 1, 1),
                ints("classlabels_int64s", labels));
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().addNode(te)
                .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x"))
                .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("label"));
        Path f = dir.resolve(name);
        Files.write(f, OnnxMl.ModelProto.newBuilder().setGraph(g).build().toByteArray());
        return f;
    }

    @Test
    @DisplayName("refuses a split on a negative feature id, naming the tree and node")
    void refusesNegativeFeatureIds(@TempDir Path dir) throws IOException {
        // Before: feature -1 (the IR's leaf marker) turned the root into a leaf: "always class 0", exit 0.
        String e = refusal(stump(dir, "tneg.onnx", -1, 0, 1));
        assertTrue(e.contains("node 0 of tree 0 (BRANCH_LEQ) splits on feature -1"), e);
        assertEquals(2, ModelReader.read(stump(dir, "tok.onnx", 0, 0, 1)).classNames().size());
    }

    @Test
    @DisplayName("refuses one-class ONNX classifiers (a tree ensemble with one class label, Gemm(k=1) -> Softmax)")
    void refusesOneClassModels(@TempDir Path dir) throws IOException {
        // Before: the tree crashed quantize with a ClassCastException, the network predicted class 1 of 1.
        String tree = refusal(stump(dir, "tcls1.onnx", 0, 0));
        assertTrue(tree.contains("classifier with one class ('0')"), tree);
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("soft1")
                .addInitializer(tensor("W", new double[][] {{1, -1}})).addInitializer(vector("b", new double[] {0.5}))
                .addNode(node("Gemm", List.of("x", "W", "b"), "h", TRANS_B)).addNode(node("Softmax", List.of("h"), "p"))
                .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x"))
                .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("p"));
        Path f = dir.resolve("soft1.onnx");
        Files.write(f, OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(g).build().toByteArray());
        String net = refusal(f);
        assertTrue(net.contains("classifier with one class ('0')"), net);
    }
    @Test
    @DisplayName("refuses sparse initializers by name instead of calling the operand not a constant")
    void refusesSparseInitializers(@TempDir Path dir) throws IOException {
        Path f = graph(dir, "sparse", "p", node("Gemm", List.of("x", "W2", "B"), "h", TRANS_B),
                node("Softmax", List.of("h"), "p"));
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(f)).toBuilder();
        m.getGraphBuilder().addSparseInitializer(OnnxMl.SparseTensorProto.newBuilder()
                .setValues(vector("Ws", new double[] {1})).setIndices(OnnxMl.TensorProto.newBuilder().setName("Wi")
                        .setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE).addDims(1).addInt64Data(0))
                .addDims(2).addDims(2));
        Files.write(f, m.build().toByteArray());
        String e = refusal(f);
        assertTrue(e.contains("the graph has 1 sparse initializers (Ws...); sparse tensors are not supported"), e);
    }
}
