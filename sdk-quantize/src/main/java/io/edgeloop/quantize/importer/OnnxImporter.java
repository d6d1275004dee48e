package io.edgeloop.quantize.importer;

import ai.onnx.proto.OnnxMl;
import io.edgeloop.quantize.ir.Activation;
import io.edgeloop.quantize.ir.DecisionTree;
import io.edgeloop.quantize.ir.DenseLayer;
import io.edgeloop.quantize.ir.DistinctNames;
import io.edgeloop.quantize.ir.FeatureScaling;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.ir.Head;
import io.edgeloop.quantize.ir.NetworkModel;
import io.edgeloop.quantize.ir.TreeEnsembleModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Imports an ONNX subset: chains (followed in data-flow order from the graph's one input to its one output;
 * branches, dead nodes and nodes reading anything but the previous node's output and constants are refused) of
 * {@code Gemm} / {@code MatMul} + {@code Add} with {@code Relu} or
 * {@code Clip(0, 6)} between them and an optional final {@code Sigmoid} or {@code Softmax} (small MLPs and
 * linear models, as PyTorch or Tribuo export them), and {@code ai.onnx.ml} {@code TreeEnsembleClassifier}
 * (leaves vote for one class or add a weight to several classes) / {@code TreeEnsembleRegressor} (one target, SUM
 * or AVERAGE). A tree ensemble must read the graph input directly (only Identity and ZipMap may accompany it) and
 * a regressor's {@code post_transform} must be NONE; a binary classifier whose {@code class_ids} name one class
 * is decided as onnxruntime does (that class's summed weight above 0.5, or above 0 when a weight is negative).
 *
 * <p>Feature names come from the model's metadata property {@value #FEATURES_KEY} (comma-separated), else
 * {@code f0..f(n-1)}. Class names come from {@code classlabels_*} or metadata {@value #CLASSES_KEY}; a network
 * without them is a regression unless its head is Sigmoid/Softmax (then classes are {@code 0..k-1}). Names must
 * be non-empty and distinct; a classifier sets exactly one of {@code classlabels_int64s} and
 * {@code classlabels_strings}.
 *
 * <p>Refused rather than ignored: operators of other domains, {@code opset_import} versions outside ai.onnx
 * {@value #MIN_ONNX_OPSET} to {@value #MAX_ONNX_OPSET} and ai.onnx.ml 1 to {@value #MAX_ML_OPSET}, a graph input
 * declared with another width than the model reads, {@code nodes_missing_value_tracks_true}, the
 * {@code *_as_tensor} attributes, external-data and sparse tensors. Tree thresholds compare the double input with the float32 threshold; ONNX runtimes compare in float32, which
 * can differ for inputs within float32 rounding of a threshold.
 *
 * <p>Thread-safe: stateless.
 */
public final class OnnxImporter {
    /** Metadata key listing feature names. */
    public static final String FEATURES_KEY = "edgeloop.features";
    /** Metadata key listing class names. */
    public static final String CLASSES_KEY = "edgeloop.classes";

    /** Creates an importer. */
    public OnnxImporter() {
    }

    /**
     * @param file an ONNX file
     * @return the IR model
     * @throws IOException when the file is not ONNX or uses unsupported operators (the message names them)
     */
    public FloatModel read(Path file) throws IOException {
        return read(file, Files.readAllBytes(file));
    }

    /**
     * Reads an ONNX model from the bytes of a file already read (the file is not read again).
     *
     * @param file  the file the bytes came from, for messages
     * @param bytes the ONNX protobuf
     * @return the IR model
     * @throws IOException when the bytes are not ONNX or use unsupported operators (the message names them)
     */
    public FloatModel read(Path file, byte[] bytes) throws IOException {
        OnnxMl.ModelProto m;
        try {
            m = OnnxMl.ModelProto.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new NotOnnxException("Not an ONNX model: " + file + " (" + e.getMessage() + ")", e);
        }
        if (!m.hasGraph() || m.getGraph().getNodeCount() == 0) {
            throw new NotOnnxException("Not an ONNX model: " + file + " has no graph", null);
        }
        try {
            return fromModel(m);
        } catch (IllegalArgumentException e) {
            throw new IOException("Cannot import ONNX model " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param m a parsed ONNX model
     * @return the IR model
     * @throws IllegalArgumentException for unsupported graphs
     */
    public FloatModel fromModel(OnnxMl.ModelProto m) {
        OnnxMl.GraphProto g = m.getGraph();
        Map<String, String> meta = new HashMap<>();
        for (OnnxMl.StringStringEntryProto p : m.getMetadataPropsList()) {
            meta.put(p.getKey(), p.getValue());
        }
        Map<String, OnnxMl.TensorProto> init = new LinkedHashMap<>();
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            init.put(t.getName(), t);
        }
        if (g.getSparseInitializerCount() > 0) {
            throw new IllegalArgumentException("the graph has " + g.getSparseInitializerCount() + " sparse initializers ("
                    + g.getSparseInitializer(0).getValues().getName() + "...); sparse tensors are not supported: "
                    + "store the weights as dense initializers");
        }
        checkDomains(m);
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("TreeEnsembleClassifier") || n.getOpType().equals("TreeEnsembleRegressor")) {
                checkTreeGraph(g, n);
                return OneClass.refuse(trees(n, meta, inputWidth(g, init)));
            }
        }
        return OneClass.refuse(network(g, init, meta));
    }

    /** The ONNX operator set versions this importer reads: the operators it supports mean the same throughout. */
    static final int MIN_ONNX_OPSET = 7;
    /** The newest ONNX operator set this importer knows (ONNX 1.18); later ones may change an operator. */
    static final int MAX_ONNX_OPSET = 23;
    /** The newest ai.onnx.ml set whose TreeEnsembleClassifier/Regressor are valid (5 deprecates them). */
    static final int MAX_ML_OPSET = 4;
    private static final java.util.Set<String> ML_OPS = java.util.Set.of("TreeEnsembleClassifier",
            "TreeEnsembleRegressor", "ZipMap");

    /**
     * Every node must be an operator of the domain it is read as: Gemm, Relu and the others of the default domain
     * ({@code ""} or {@code "ai.onnx"}), tree ensembles and ZipMap of {@code "ai.onnx.ml"} (or no domain, as
     * hand-built graphs leave it: the default domain has no operators of those names). A Relu of another domain is
     * another operator that happens to share the name. The versions {@code opset_import} declares for the domains
     * used must be ones whose operators this importer reproduces; a model without {@code opset_import} (before IR
     * version 3, or built by hand) is read with the current definitions.
     */
    private static void checkDomains(OnnxMl.ModelProto m) {
        Map<String, Long> opsets = new HashMap<>();
        for (OnnxMl.OperatorSetIdProto o : m.getOpsetImportList()) {
            opsets.put(o.getDomain().equals("ai.onnx") ? "" : o.getDomain(), o.getVersion());
        }
        for (OnnxMl.NodeProto n : m.getGraph().getNodeList()) {
            String given = n.getDomain().equals("ai.onnx") ? "" : n.getDomain();
            boolean ml = ML_OPS.contains(n.getOpType());
            if (!ml && !NETWORK_OPS.contains(n.getOpType())) {
                continue; // refused later as an unsupported operator, with the reason that applies
            }
            if (!(given.isEmpty() || (ml && given.equals("ai.onnx.ml")))) {
                throw new IllegalArgumentException(describe(n) + " is in domain '" + n.getDomain() + "'; "
                        + n.getOpType() + " is supported only as the " + (ml
                        ? "ai.onnx.ml operator (domain 'ai.onnx.ml')" : "ONNX operator (domain '' or 'ai.onnx')"));
            }
            if (opsets.isEmpty()) {
                continue;
            }
            String domain = ml ? "ai.onnx.ml" : "";
            Long v = opsets.get(domain);
            String name = domain.isEmpty() ? "ai.onnx" : domain;
            if (v == null) {
                throw new IllegalArgumentException(describe(n) + " is in domain '" + name + "', which the model's "
                        + "opset_import does not declare");
            }
            long lo = domain.isEmpty() ? MIN_ONNX_OPSET : 1;
            long hi = domain.isEmpty() ? MAX_ONNX_OPSET : MAX_ML_OPSET;
            if (v < lo || v > hi) {
                throw new IllegalArgumentException("the model imports " + name + " opset " + v + "; this importer reads "
                        + name + " opsets " + lo + " to " + hi + (domain.isEmpty() ? "" : " (opset 5 deprecates "
                        + "TreeEnsembleClassifier/Regressor)") + ": export with a target opset in that range");
            }
        }
    }

    /**
     * A tree ensemble is imported alone: it must read the graph input (through Identity nodes at most), and the
     * only other nodes allowed are Identity and ZipMap (which reformats the probabilities), because anything
     * else (a Scaler, a Cast, a second ensemble) would change the predictions the trees alone make.
     */
    private static void checkTreeGraph(OnnxMl.GraphProto g, OnnxMl.NodeProto tree) {
        Map<String, OnnxMl.NodeProto> producer = new HashMap<>();
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            for (String o : n.getOutputList()) {
                producer.put(o, n);
            }
            if (n != tree && !n.getOpType().equals("Identity") && !n.getOpType().equals("ZipMap")) {
                throw new IllegalArgumentException("the graph has a " + n.getOpType() + " node besides the "
                        + tree.getOpType() + "; only a tree ensemble reading the graph input (optionally followed by "
                        + "ZipMap) is supported: fold preprocessing such as Scaler into the split thresholds");
            }
        }
        if (tree.getInputCount() != 1) {
            throw new IllegalArgumentException(tree.getOpType() + " has " + tree.getInputCount() + " inputs, expected 1");
        }
        String in = tree.getInput(0);
        while (producer.containsKey(in)) {
            OnnxMl.NodeProto p = producer.get(in);
            if (!p.getOpType().equals("Identity")) {
                throw new IllegalArgumentException(tree.getOpType() + " reads '" + tree.getInput(0) + "', computed by a "
                        + p.getOpType() + " node; it must read the graph input");
            }
            in = p.getInput(0);
        }
        java.util.Set<String> constants = new java.util.HashSet<>();
        g.getInitializerList().forEach(t -> constants.add(t.getName()));
        List<String> graphInputs = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : g.getInputList()) {
            if (!constants.contains(v.getName())) {
                graphInputs.add(v.getName());
            }
        }
        if (!graphInputs.isEmpty() && !graphInputs.contains(in)) {
            throw new IllegalArgumentException(tree.getOpType() + " reads '" + in + "', which is not the graph input "
                    + graphInputs);
        }
        for (OnnxMl.ValueInfoProto o : g.getOutputList()) {
            String v = o.getName();
            OnnxMl.NodeProto p = producer.get(v);
            while (p != null && p.getOpType().equals("Identity")) {
                p = producer.get(p.getInput(0));
            }
            if (p != tree && (p == null || !p.getOpType().equals("ZipMap"))) {
                throw new IllegalArgumentException("the graph output '" + o.getName() + "' is not computed by the "
                        + tree.getOpType() + (p == null ? "" : " but by a " + p.getOpType() + " node"));
            }
        }
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("ZipMap") && (n.getInputCount() != 1 || !tree.getOutputList().contains(n.getInput(0)))) {
                throw new IllegalArgumentException("ZipMap must read the " + tree.getOpType() + "'s probabilities");
            }
        }
        String post = attrS(tree, "post_transform", "NONE");
        boolean classifier = tree.getOpType().equals("TreeEnsembleClassifier");
        // onnxruntime decides a classifier's label on the raw scores, before post_transform: any transform keeps it.
        List<String> allowed = classifier ? List.of("NONE", "SOFTMAX", "LOGISTIC", "SOFTMAX_ZERO", "PROBIT")
                : List.of("NONE");
        if (!allowed.contains(post)) {
            throw new IllegalArgumentException(tree.getOpType() + " post_transform " + post + " is not supported ("
                    + String.join(", ", allowed) + ")");
        }
    }

    /**
     * onnxruntime's binary case (two classes, every class_id the same): the label is class 1 when the summed weight
     * of that one class is above 0.5 (all weights non-negative) or above 0 (otherwise), whichever class the ids
     * name; it is not the argmax over the two classes. Rewrites each leaf as the votes {@code [t, w]} (with the
     * threshold {@code t} in the first tree's leaves only, so every path adds it once): argmax, which keeps class 0
     * on ties, then decides {@code sum w > t} in the model's own arithmetic (double in the float model, integer
     * votes after quantization). onnxruntime sums the weights in float32 in its tree order, so a sum that lands on
     * the threshold within float32 rounding can decide the other way: ten trees of weight {@code 0.1f} of which five
     * vote sum to exactly 0.5 in float32 (class 0) but to 0.50000001 in double (class 1). Such ties are not
     * reproduced; see docs/formats/quantized-model.md, "ONNX import".
     */
    private static void binaryScore(Map<Long, Map<Long, double[]>> leafValues, int classId, float[] weights,
            int baseValues, long[] treeIds) {
        if (baseValues == 2) {
            // onnxruntime then replaces the class-1 score with base_values[1] plus the class-0 score.
            throw new IllegalArgumentException("a binary TreeEnsembleClassifier with weights for one class and two "
                    + "base_values is ambiguous in onnxruntime; export it without base_values");
        }
        boolean allPositive = true;
        for (float w : weights) {
            allPositive &= w >= 0;
        }
        double threshold = allPositive ? 0.5 : 0;
        long first = java.util.Arrays.stream(treeIds).min().orElse(0);
        for (Map.Entry<Long, Map<Long, double[]>> t : leafValues.entrySet()) {
            for (Map.Entry<Long, double[]> leaf : t.getValue().entrySet()) {
                leaf.setValue(new double[] {t.getKey() == first ? threshold : 0, leaf.getValue()[classId]});
            }
        }
    }

    private static int inputWidth(OnnxMl.GraphProto g, Map<String, OnnxMl.TensorProto> init) {
        for (OnnxMl.ValueInfoProto v : g.getInputList()) {
            if (init.containsKey(v.getName())) {
                continue;
            }
            List<OnnxMl.TensorShapeProto.Dimension> dims = v.getType().getTensorType().getShape().getDimList();
            if (!dims.isEmpty() && dims.get(dims.size() - 1).hasDimValue()) {
                return (int) dims.get(dims.size() - 1).getDimValue();
            }
        }
        return -1;
    }

    private static List<String> names(Map<String, String> meta, String key, int n, String prefix) {
        List<String> l = new ArrayList<>();
        if (meta.containsKey(key)) {
            for (String s : meta.get(key).split(",")) {
                l.add(s.trim());
            }
            if (n >= 0 && l.size() != n) {
                throw new IllegalArgumentException("metadata '" + key + "' lists " + l.size() + " names for " + n);
            }
            // Inputs are matched to CSV columns by name, and classes to labels: a repeated or empty name cannot be.
            DistinctNames.problem(l, "metadata '" + key + "': name", 0).ifPresent(p -> {
                throw new IllegalArgumentException(p + " (positions from 0); every name must be non-empty and distinct");
            });
            return l;
        }
        for (int i = 0; i < n; i++) {
            l.add(prefix + i);
        }
        return l;
    }

    private NetworkModel network(OnnxMl.GraphProto g, Map<String, OnnxMl.TensorProto> init, Map<String, String> meta) {
        List<double[][]> weights = new ArrayList<>();
        List<double[]> biases = new ArrayList<>();
        List<Activation> acts = new ArrayList<>();
        Head head = null;
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            if (!NETWORK_OPS.contains(n.getOpType())) {
                throw unsupported(n);
            }
        }
        for (OnnxMl.NodeProto n : chain(g, init)) {
            if (n.getOpType().equals("Identity") || n.getOpType().equals("Flatten")) {
                continue;
            }
            if (head != null) {
                throw new IllegalArgumentException("operator " + n.getOpType() + " after the " + head + " head");
            }
            switch (n.getOpType()) {
                case "Gemm": {
                    double[][] b = matrix(tensor(init, n.getInput(1)));
                    double alpha = attrF(n, "alpha", 1);
                    double beta = attrF(n, "beta", 1);
                    if (attrI(n, "transA", 0) != 0) {
                        throw new IllegalArgumentException("Gemm with transA=1 is not supported");
                    }
                    double[][] w = attrI(n, "transB", 0) != 0 ? b : transpose(b);
                    scale(w, alpha);
                    double[] bias = new double[w.length];
                    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                        double[] c = broadcast(values(tensor(init, n.getInput(2))), w.length);
                        for (int o = 0; o < bias.length; o++) {
                            bias[o] = beta * c[o];
                        }
                    }
                    weights.add(w);
                    biases.add(bias);
                    acts.add(Activation.NONE);
                    break;
                }
                case "MatMul":
                    weights.add(transpose(matrix(tensor(init, n.getInput(1)))));
                    biases.add(new double[weights.get(weights.size() - 1).length]);
                    acts.add(Activation.NONE);
                    break;
                case "Add": {
                    if (weights.isEmpty()) {
                        throw new IllegalArgumentException("Add before any Gemm/MatMul");
                    }
                    if (acts.get(acts.size() - 1) != Activation.NONE) {
                        // The IR has no post-activation offset: folding the constant into the bias would add it
                        // before the activation, a different model (relu(Wx + b) + c != relu(Wx + b + c)).
                        throw new IllegalArgumentException(describe(n) + " adds a constant after the "
                                + (acts.get(acts.size() - 1) == Activation.RELU ? "Relu" : "Clip(0, 6)")
                                + " activation; only an Add before the activation (a bias) is supported");
                    }
                    String c = init.containsKey(n.getInput(1)) ? n.getInput(1) : n.getInput(0);
                    double[] bias = biases.get(biases.size() - 1);
                    double[] v = broadcast(values(tensor(init, c)), bias.length);
                    for (int o = 0; o < bias.length; o++) {
                        bias[o] += v[o];
                    }
                    break;
                }
                case "Relu":
                    setActivation(acts, Activation.RELU);
                    break;
                case "Clip": {
                    double lo = n.getInputCount() > 1 && !n.getInput(1).isEmpty() ? values(tensor(init, n.getInput(1)))[0]
                            : attrF(n, "min", Double.NEGATIVE_INFINITY);
                    double hi = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? values(tensor(init, n.getInput(2)))[0]
                            : attrF(n, "max", Double.POSITIVE_INFINITY);
                    if (lo != 0 || hi != 6) {
                        throw new IllegalArgumentException("Clip(" + lo + ", " + hi + ") is not supported; only Clip(0, 6) (ReLU6)");
                    }
                    setActivation(acts, Activation.RELU6);
                    break;
                }
                case "Sigmoid":
                    head = Head.LOGISTIC;
                    break;
                case "Softmax": {
                    // Opset 13 defaults to the last axis, earlier opsets to axis 1 (of a 2-D [batch, k] input the
                    // same); axis 0 would normalise across the batch, which a per-row runtime cannot reproduce.
                    long axis = attrI(n, "axis", -1);
                    if (axis != -1 && axis != 1) {
                        throw new IllegalArgumentException(describe(n) + " has axis " + axis + "; only the last axis "
                                + "(-1 or 1 of a [batch, classes] input) is supported");
                    }
                    head = Head.SOFTMAX;
                    break;
                }
                default:
                    throw unsupported(n);
            }
        }
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("the graph has no Gemm or MatMul");
        }
        List<DenseLayer> layers = new ArrayList<>();
        for (int l = 0; l < weights.size(); l++) {
            layers.add(new DenseLayer(weights.get(l), biases.get(l), acts.get(l)));
        }
        int n = layers.get(0).inputs();
        int k = layers.get(layers.size() - 1).outputs();
        int declared = inputWidth(g, init);
        if (declared > 0 && declared != n) {
            throw new IllegalArgumentException("the graph input is declared with " + declared + " features but the "
                    + "first layer takes " + n + "; the graph is inconsistent");
        }
        List<String> features = names(meta, FEATURES_KEY, n, "f");
        List<String> classes = head == null ? (meta.containsKey(CLASSES_KEY) ? names(meta, CLASSES_KEY, k, "") : List.of())
                : names(meta, CLASSES_KEY, head == Head.LOGISTIC && k == 1 ? 2 : k, "");
        if (head == null) {
            head = classes.isEmpty() ? Head.IDENTITY : Head.ARGMAX;
        }
        return new NetworkModel(features, classes, FeatureScaling.identity(n), layers, head);
    }

    private static final java.util.Set<String> NETWORK_OPS =
            java.util.Set.of("Identity", "Flatten", "Gemm", "MatMul", "Add", "Relu", "Clip", "Sigmoid", "Softmax");

    private static IllegalArgumentException unsupported(OnnxMl.NodeProto n) {
        return new IllegalArgumentException("unsupported ONNX operator " + n.getOpType()
                + (n.getName().isEmpty() ? "" : " (node '" + n.getName() + "')") + "; supported: Gemm, MatMul, Add, Relu, Clip(0,6), Sigmoid, Softmax, TreeEnsembleClassifier, "
                + "TreeEnsembleRegressor");
    }

    private static String describe(OnnxMl.NodeProto n) {
        return n.getOpType() + (n.getName().isEmpty() ? "" : " '" + n.getName() + "'") + " node";
    }

    /**
     * The network's nodes in data-flow order: starting at the graph's one (non-initializer) input, each value must
     * be read by exactly one node, as that node's data input, and the chain must end at the graph's one output,
     * with every node on it. Anything else (a branch, a dead or disconnected node, a node reading a value other than
     * the previous node's output, an output the chain does not compute) would import a different model than the
     * graph computes, so it is refused with a message naming the node or value.
     */
    private static List<OnnxMl.NodeProto> chain(OnnxMl.GraphProto g, Map<String, OnnxMl.TensorProto> init) {
        List<String> inputs = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : g.getInputList()) {
            if (!init.containsKey(v.getName())) {
                inputs.add(v.getName());
            }
        }
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("the graph has " + inputs.size() + " inputs besides initializers "
                    + inputs + "; exactly one (the feature vector) is supported");
        }
        if (g.getOutputCount() != 1) {
            throw new IllegalArgumentException("the graph has " + g.getOutputCount() + " outputs; exactly one is supported");
        }
        String input = inputs.get(0);
        String output = g.getOutput(0).getName();
        Map<String, List<OnnxMl.NodeProto>> readers = new HashMap<>();
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            for (String in : new java.util.LinkedHashSet<>(n.getInputList())) {
                if (!in.isEmpty() && !init.containsKey(in)) {
                    readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
        List<OnnxMl.NodeProto> chain = new ArrayList<>();
        java.util.Set<OnnxMl.NodeProto> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        String cur = input;
        while (true) {
            List<OnnxMl.NodeProto> next = readers.getOrDefault(cur, List.of());
            if (next.size() > 1) {
                List<String> names = new ArrayList<>();
                next.forEach(n -> names.add(describe(n)));
                throw new IllegalArgumentException("value '" + cur + "' is read by " + next.size() + " nodes ("
                        + String.join(", ", names) + "); branches are not supported, only a chain from the graph input "
                        + "to the graph output");
            }
            if (next.isEmpty() || cur.equals(output)) {
                if (!next.isEmpty()) {
                    throw new IllegalArgumentException("the graph output '" + output + "' is read again by "
                            + describe(next.get(0)) + "; the chain must end at the graph output");
                }
                break;
            }
            OnnxMl.NodeProto n = next.get(0);
            if (!seen.add(n)) {
                throw new IllegalArgumentException(describe(n) + " is part of a cycle");
            }
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && !in.equals(cur) && !init.containsKey(in)) {
                    throw new IllegalArgumentException(describe(n) + " reads '" + in + "' besides '" + cur
                            + "'; each node may read only the previous node's output and constant initializers");
                }
            }
            int pos = n.getInputList().indexOf(cur);
            if (n.getInputList().lastIndexOf(cur) != pos || (pos != 0 && !n.getOpType().equals("Add"))) {
                throw new IllegalArgumentException(describe(n) + " reads '" + cur + "' as input " + pos
                        + (pos == 0 ? " and again later" : "") + "; the previous node's output must be its first input");
            }
            long outs = n.getOutputList().stream().filter(o -> !o.isEmpty()).count();
            if (outs != 1 || n.getOutput(0).isEmpty()) {
                throw new IllegalArgumentException(describe(n) + " has " + outs + " outputs; each node of the chain must "
                        + "have exactly one");
            }
            chain.add(n);
            cur = n.getOutput(0);
        }
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            if (!seen.contains(n)) {
                throw new IllegalArgumentException(describe(n) + " (reading " + n.getInputList() + ") is not on the "
                        + "data path from the graph input '" + input + "', which ends at '" + cur + "'; dead or "
                        + "disconnected nodes are not supported");
            }
        }
        if (!cur.equals(output)) {
            throw new IllegalArgumentException("the graph output '" + output + "' is not computed by the chain from the "
                    + "graph input '" + input + "', which ends at '" + cur + "'");
        }
        return chain;
    }

    private static void setActivation(List<Activation> acts, Activation a) {
        if (acts.isEmpty() || acts.get(acts.size() - 1) != Activation.NONE) {
            throw new IllegalArgumentException(a + " must follow a Gemm/MatMul(+Add)");
        }
        acts.set(acts.size() - 1, a);
    }

    private static TreeEnsembleModel trees(OnnxMl.NodeProto n, Map<String, String> meta, int width) {
        boolean classifier = n.getOpType().equals("TreeEnsembleClassifier");
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.getName().endsWith("_as_tensor")) {
                // ai.onnx.ml 3: double-precision variants of the float lists; reading them as float would change
                // thresholds and weights, and a double threshold is compared differently.
                throw new IllegalArgumentException(n.getOpType() + " attribute " + a.getName() + " (ai.onnx.ml 3, "
                        + "double precision) is not supported; export with " + a.getName().replace("_as_tensor", "")
                        + " (float) instead");
            }
        }
        long[] treeIds = ints(n, "nodes_treeids");
        long[] nodeIds = ints(n, "nodes_nodeids");
        long[] featureIds = ints(n, "nodes_featureids");
        float[] values = floats(n, "nodes_values");
        List<String> modes = strings(n, "nodes_modes");
        long[] trueIds = ints(n, "nodes_truenodeids");
        long[] falseIds = ints(n, "nodes_falsenodeids");
        int count = treeIds.length;
        if (nodeIds.length != count || featureIds.length != count || values.length != count || modes.size() != count
                || trueIds.length != count || falseIds.length != count) {
            throw new IllegalArgumentException("tree node attributes have different lengths");
        }
        long[] missingTrue = ints(n, "nodes_missing_value_tracks_true");
        for (int i = 0; i < missingTrue.length; i++) {
            if (missingTrue[i] != 0) {
                // It routes NaN inputs only; Edgeloop's runtimes refuse NaN, so the model could not be reproduced.
                throw new IllegalArgumentException("node " + (i < count ? nodeIds[i] : i) + " of tree "
                        + (i < count ? treeIds[i] : -1) + " sets nodes_missing_value_tracks_true: routing missing "
                        + "(NaN) values is not supported (Edgeloop inputs are never NaN); export without it");
            }
        }
        List<String> intLabels = new ArrayList<>();
        for (long l : ints(n, "classlabels_int64s")) {
            intLabels.add(Long.toString(l));
        }
        List<String> stringLabels = strings(n, "classlabels_strings");
        List<String> labels = intLabels.isEmpty() ? stringLabels : intLabels;
        if (classifier) {
            if (attr(n, "classlabels_int64s") != null && attr(n, "classlabels_strings") != null) {
                throw new IllegalArgumentException("TreeEnsembleClassifier sets both classlabels_int64s " + intLabels
                        + " and classlabels_strings " + stringLabels + "; ONNX allows exactly one");
            }
            if (labels.isEmpty()) {
                throw new IllegalArgumentException("TreeEnsembleClassifier has neither classlabels_int64s nor "
                        + "classlabels_strings; ONNX requires exactly one (the class ids index it)");
            }
            DistinctNames.problem(labels, (intLabels.isEmpty() ? "classlabels_strings" : "classlabels_int64s")
                    + ": class", 0).ifPresent(p -> {
                        throw new IllegalArgumentException(p + " (positions from 0); class labels must be distinct");
                    });
        }
        String prefix = classifier ? "class_" : "target_";
        long[] leafTree = ints(n, prefix + "treeids");
        long[] leafNode = ints(n, prefix + "nodeids");
        long[] leafId = ints(n, prefix + "ids");
        float[] leafWeight = floats(n, prefix + "weights");
        Map<Long, Map<Long, double[]>> leafValues = new HashMap<>();
        int outputs = classifier ? labels.size() : (int) attrI(n, "n_targets", 1);
        if (!classifier && outputs != 1) {
            throw new IllegalArgumentException("TreeEnsembleRegressor with " + outputs + " targets; only 1 is supported");
        }
        if (leafNode.length != leafTree.length || leafId.length != leafTree.length || leafWeight.length != leafTree.length) {
            throw new IllegalArgumentException(prefix + "treeids/nodeids/ids/weights have different lengths");
        }
        for (int i = 0; i < leafTree.length; i++) {
            if (leafId[i] < 0 || leafId[i] >= Math.max(outputs, 1)) {
                throw new IllegalArgumentException(prefix + "ids holds " + leafId[i] + "; the model has "
                        + Math.max(outputs, 1) + (classifier ? " classes" : " targets"));
            }
            double[] v = leafValues.computeIfAbsent(leafTree[i], k -> new HashMap<>())
                    .computeIfAbsent(leafNode[i], k -> new double[Math.max(outputs, 1)]);
            v[(int) leafId[i]] += leafWeight[i];
        }
        String aggregate = attrS(n, "aggregate_function", "SUM");
        float[] base = floats(n, "base_values");
        for (float b : base) {
            if (b != 0) {
                throw new IllegalArgumentException("non-zero base_values are not supported");
            }
        }
        if (!classifier && !aggregate.equals("SUM") && !aggregate.equals("AVERAGE")) {
            throw new IllegalArgumentException("aggregate_function " + aggregate + " is not supported (SUM, AVERAGE)");
        }
        // One-class leaves with weight 1 are plain votes; anything else (several classes, other weights, no class)
        // keeps the leaf's class weights as a vote vector, which is what ONNX adds up.
        boolean plainVotes = true;
        for (Map<Long, double[]> perTree : leafValues.values()) {
            for (double[] lv : perTree.values()) {
                int nonZero = 0;
                for (double x : lv) {
                    if (x != 0) {
                        nonZero++;
                        plainVotes &= x == 1.0;
                    }
                }
                plainVotes &= nonZero == 1;
            }
        }
        for (int i = 0; i < count && classifier; i++) {
            if (modes.get(i).equals("LEAF") && !leafValues.getOrDefault(treeIds[i], Map.of()).containsKey(nodeIds[i])) {
                // A leaf without class weights adds nothing: only a vote vector (all zero) says so.
                plainVotes = false;
                leafValues.computeIfAbsent(treeIds[i], k -> new HashMap<>()).put(nodeIds[i], new double[outputs]);
            }
        }
        if (classifier && outputs == 2 && java.util.Arrays.stream(leafId).distinct().count() == 1) {
            binaryScore(leafValues, (int) leafId[0], leafWeight, base.length, treeIds);
            plainVotes = false;
        }
        Map<Long, List<Integer>> byTree = new java.util.TreeMap<>();
        for (int i = 0; i < count; i++) {
            byTree.computeIfAbsent(treeIds[i], k -> new ArrayList<>()).add(i);
        }
        int maxFeature = 0;
        List<DecisionTree> trees = new ArrayList<>();
        for (Map.Entry<Long, List<Integer>> e : byTree.entrySet()) {
            Map<Long, Integer> rowOf = new HashMap<>();
            for (int row : e.getValue()) {
                rowOf.put(nodeIds[row], row);
            }
            List<Integer> order = new ArrayList<>();
            Map<Long, Integer> index = new HashMap<>();
            // Pre-order from node 0 so children follow parents.
            java.util.ArrayDeque<Long> stack = new java.util.ArrayDeque<>();
            stack.push(0L);
            while (!stack.isEmpty()) {
                long id = stack.pop();
                Integer row = rowOf.get(id);
                if (row == null) {
                    throw new IllegalArgumentException("tree " + e.getKey() + " references missing node " + id);
                }
                if (index.containsKey(id)) {
                    throw new IllegalArgumentException("tree " + e.getKey() + " is not a tree (node " + id + " twice)");
                }
                index.put(id, order.size());
                order.add(row);
                if (!modes.get(row).equals("LEAF")) {
                    stack.push(falseIds[row]);
                    stack.push(trueIds[row]);
                }
            }
            int size = order.size();
            int[] f = new int[size];
            double[] t = new double[size];
            int[] left = new int[size];
            int[] right = new int[size];
            double[] v = new double[size];
            double[][] votes = classifier && !plainVotes ? new double[size][] : null;
            for (int k = 0; k < size; k++) {
                int row = order.get(k);
                String mode = modes.get(row);
                if (mode.equals("LEAF")) {
                    f[k] = -1;
                    double[] lv = leafValues.getOrDefault(e.getKey(), Map.of()).get(nodeIds[row]);
                    if (lv == null) {
                        throw new IllegalArgumentException("leaf " + nodeIds[row] + " of tree " + e.getKey() + " has no value");
                    }
                    if (votes != null) {
                        votes[k] = lv.clone();
                    } else if (classifier) {
                        int cls = 0;
                        for (int c = 0; c < lv.length; c++) {
                            if (lv[c] != 0) {
                                cls = c;
                            }
                        }
                        v[k] = cls;
                    } else {
                        v[k] = lv[0] * (aggregate.equals("SUM") ? byTree.size() : 1);
                    }
                    continue;
                }
                if (featureIds[row] < 0 || featureIds[row] > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("node " + nodeIds[row] + " of tree " + e.getKey() + " ("
                            + mode + ") splits on feature " + featureIds[row] + "; nodes_featureids of a split must "
                            + "be a feature index >= 0");
                }
                f[k] = (int) featureIds[row];
                maxFeature = Math.max(maxFeature, f[k]);
                double thr = values[row];
                int tIdx = index.get(trueIds[row]);
                int fIdx = index.get(falseIds[row]);
                switch (mode) {
                    case "BRANCH_LEQ":
                        t[k] = thr;
                        left[k] = tIdx;
                        right[k] = fIdx;
                        break;
                    case "BRANCH_GT":
                        t[k] = thr;
                        left[k] = fIdx;
                        right[k] = tIdx;
                        break;
                    case "BRANCH_LT":
                        // x < t  <=>  !(x > nextDown(t))
                        t[k] = Math.nextDown(thr);
                        left[k] = tIdx;
                        right[k] = fIdx;
                        break;
                    case "BRANCH_GTE":
                        t[k] = Math.nextDown(thr);
                        left[k] = fIdx;
                        right[k] = tIdx;
                        break;
                    default:
                        throw new IllegalArgumentException("node " + nodeIds[row] + " of tree " + e.getKey() + " has mode "
                                + mode + ", which is not supported (BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT, LEAF)");
                }
            }
            trees.add(new DecisionTree(f, t, left, right, v, votes));
        }
        if (width > 0 && maxFeature >= width) {
            throw new IllegalArgumentException("a split reads feature " + maxFeature + " but the graph input is declared "
                    + "with " + width + " features");
        }
        int n0 = width > 0 ? width : maxFeature + 1;
        List<String> features = names(meta, FEATURES_KEY, n0, "f");
        List<String> classes = List.of();
        if (classifier) {
            classes = labels;
        }
        return new TreeEnsembleModel(features, classes, trees);
    }

    private static OnnxMl.TensorProto tensor(Map<String, OnnxMl.TensorProto> init, String name) {
        OnnxMl.TensorProto t = init.get(name);
        if (t == null) {
            throw new IllegalArgumentException("operand '" + name + "' is not a constant initializer");
        }
        return t;
    }

    private static double[] values(OnnxMl.TensorProto t) {
        int type = t.getDataType();
        if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            String where = t.getExternalDataList().stream().filter(e -> e.getKey().equals("location"))
                    .map(OnnxMl.StringStringEntryProto::getValue).findFirst().orElse("another file");
            throw new IllegalArgumentException("tensor '" + t.getName() + "' is stored outside the model, in '" + where
                    + "'; external data is not supported: save the model with its tensors inside (onnx.save_model("
                    + "model, path, save_as_external_data=False))");
        }
        if (t.getFloatDataCount() > 0) {
            double[] v = new double[t.getFloatDataCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.getFloatData(i);
            }
            return v;
        }
        if (t.getDoubleDataCount() > 0) {
            double[] v = new double[t.getDoubleDataCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.getDoubleData(i);
            }
            return v;
        }
        ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (type == OnnxMl.TensorProto.DataType.FLOAT_VALUE) {
            double[] v = new double[b.remaining() / 4];
            for (int i = 0; i < v.length; i++) {
                v[i] = b.getFloat();
            }
            return v;
        }
        if (type == OnnxMl.TensorProto.DataType.DOUBLE_VALUE) {
            double[] v = new double[b.remaining() / 8];
            for (int i = 0; i < v.length; i++) {
                v[i] = b.getDouble();
            }
            return v;
        }
        throw new IllegalArgumentException("tensor '" + t.getName() + "' has data type " + type + "; only float and double");
    }

    private static double[][] matrix(OnnxMl.TensorProto t) {
        if (t.getDimsCount() != 2) {
            throw new IllegalArgumentException("tensor '" + t.getName() + "' has " + t.getDimsCount() + " dimensions, expected 2");
        }
        int r = (int) t.getDims(0);
        int c = (int) t.getDims(1);
        double[] v = values(t);
        if (v.length != r * c) {
            throw new IllegalArgumentException("tensor '" + t.getName() + "' holds " + v.length + " values for " + r + "x" + c);
        }
        double[][] m = new double[r][c];
        for (int i = 0; i < r; i++) {
            System.arraycopy(v, i * c, m[i], 0, c);
        }
        return m;
    }

    private static double[][] transpose(double[][] m) {
        double[][] t = new double[m[0].length][m.length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[0].length; j++) {
                t[j][i] = m[i][j];
            }
        }
        return t;
    }

    private static void scale(double[][] m, double a) {
        for (double[] r : m) {
            for (int i = 0; i < r.length; i++) {
                r[i] *= a;
            }
        }
    }

    private static double[] broadcast(double[] v, int n) {
        if (v.length == n) {
            return v;
        }
        if (v.length == 1) {
            double[] r = new double[n];
            java.util.Arrays.fill(r, v[0]);
            return r;
        }
        throw new IllegalArgumentException("bias of " + v.length + " values for " + n + " outputs");
    }

    private static OnnxMl.AttributeProto attr(OnnxMl.NodeProto n, String name) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private static double attrF(OnnxMl.NodeProto n, String name, double def) {
        OnnxMl.AttributeProto a = attr(n, name);
        return a == null ? def : a.getF();
    }

    private static long attrI(OnnxMl.NodeProto n, String name, long def) {
        OnnxMl.AttributeProto a = attr(n, name);
        return a == null ? def : a.getI();
    }

    private static String attrS(OnnxMl.NodeProto n, String name, String def) {
        OnnxMl.AttributeProto a = attr(n, name);
        return a == null ? def : a.getS().toString(StandardCharsets.UTF_8);
    }

    private static long[] ints(OnnxMl.NodeProto n, String name) {
        OnnxMl.AttributeProto a = attr(n, name);
        if (a == null) {
            return new long[0];
        }
        long[] r = new long[a.getIntsCount()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.getInts(i);
        }
        return r;
    }

    private static float[] floats(OnnxMl.NodeProto n, String name) {
        OnnxMl.AttributeProto a = attr(n, name);
        if (a == null) {
            return new float[0];
        }
        float[] r = new float[a.getFloatsCount()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.getFloats(i);
        }
        return r;
    }

    private static List<String> strings(OnnxMl.NodeProto n, String name) {
        OnnxMl.AttributeProto a = attr(n, name);
        List<String> r = new ArrayList<>();
        if (a != null) {
            for (com.google.protobuf.ByteString s : a.getStringsList()) {
                r.add(s.toString(StandardCharsets.UTF_8));
            }
        }
        return r;
    }

    /** The bytes are not ONNX at all (as opposed to an ONNX model this importer cannot import). */
    static final class NotOnnxException extends IOException {
        private static final long serialVersionUID = 1L;

        NotOnnxException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
