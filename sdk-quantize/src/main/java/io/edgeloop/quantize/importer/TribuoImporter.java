package io.edgeloop.quantize.importer;

import com.google.protobuf.InvalidProtocolBufferException;
import io.edgeloop.quantize.ir.Activation;
import io.edgeloop.quantize.ir.DecisionTree;
import io.edgeloop.quantize.ir.DenseLayer;
import io.edgeloop.quantize.ir.FeatureScaling;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.ir.Head;
import io.edgeloop.quantize.ir.NetworkModel;
import io.edgeloop.quantize.ir.TreeEnsembleModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Output;
import org.tribuo.classification.Label;
import org.tribuo.common.sgd.AbstractLinearSGDModel;
import org.tribuo.common.tree.LeafNode;
import org.tribuo.common.tree.Node;
import org.tribuo.common.tree.SplitNode;
import org.tribuo.common.tree.TreeModel;
import org.tribuo.ensemble.EnsembleModel;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.protos.core.WeightedEnsembleModelProto;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.rtree.IndependentRegressionTreeModel;
import org.tribuo.transform.TransformedModel;
import org.tribuo.transform.Transformer;
import org.tribuo.transform.TransformerMap;

/**
 * Imports Tribuo models into the IR: linear SGD models (classification: softmax head over one logit per class;
 * regression: identity head), CART trees and ensembles of them (voting for classification, averaging for
 * regression, with equal member weights: AdaBoost's weighted ensembles are refused), optionally wrapped in a
 * {@link TransformedModel} whose per-feature transformations are affine (mean/std standardisation), which become
 * the network's {@link FeatureScaling}. Tribuo's {@code LinearScalingTransformation} clamps to its target range, so
 * it is not affine and is refused, as is any other non-affine transformation.
 *
 * <p>Inputs are ordered as Tribuo's feature map (by id). Thread-safe: stateless.
 */
public final class TribuoImporter {
    /** Creates an importer. */
    public TribuoImporter() {
    }

    /**
     * Reads a model written by {@code Model.serializeToFile} (what {@code edgeloop train} writes).
     *
     * @param file the file
     * @return the IR model
     * @throws IOException when the file is not a Tribuo model
     */
    public FloatModel read(Path file) throws IOException {
        return fromModel(load(file));
    }

    /**
     * Reads a model from the bytes of a file already read (the file is not read again).
     *
     * @param file  the file the bytes came from, for messages
     * @param bytes what {@code Model.serializeToFile} wrote
     * @return the IR model
     * @throws IOException when the bytes are not a Tribuo model
     */
    public FloatModel read(Path file, byte[] bytes) throws IOException {
        return fromModel(load(file, bytes));
    }

    /**
     * @param file  the file the bytes came from, for messages
     * @param bytes a serialized Tribuo model
     * @return the Tribuo model
     * @throws IOException when the bytes cannot be read as one
     */
    public static Model<?> load(Path file, byte[] bytes) throws IOException {
        try (java.io.InputStream in = new java.io.ByteArrayInputStream(bytes)) {
            return Model.deserializeFromStream(in);
        } catch (IOException | RuntimeException e) {
            throw new IOException("Cannot read Tribuo model " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param file a serialized Tribuo model
     * @return the Tribuo model
     * @throws IOException when it cannot be read
     */
    public static Model<?> load(Path file) throws IOException {
        try {
            return Model.deserializeFromFile(file);
        } catch (IOException | RuntimeException e) {
            throw new IOException("Cannot read Tribuo model " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param model a Tribuo model
     * @return the IR model
     * @throws IllegalArgumentException for model kinds the IR does not cover (the message names the class)
     */
    public FloatModel fromModel(Model<?> model) {
        return OneClass.refuse(convert(model));
    }

    private FloatModel convert(Model<?> model) {
        FeatureScaling scaling = null;
        Model<?> inner = model;
        if (model instanceof TransformedModel) {
            TransformedModel<?> tm = (TransformedModel<?>) model;
            inner = tm.getInnerModel();
            scaling = affine(tm.getTransformerMap(), model.getFeatureIDMap());
        }
        ImmutableFeatureMap fmap = model.getFeatureIDMap();
        List<String> features = new ArrayList<>();
        for (int i = 0; i < fmap.size(); i++) {
            features.add(fmap.get(i).getName());
        }
        if (inner instanceof AbstractLinearSGDModel) {
            return linear((AbstractLinearSGDModel<?>) inner, features, scaling);
        }
        if (scaling != null) {
            throw new IllegalArgumentException("Feature transformations in front of " + inner.getClass().getSimpleName()
                    + " are not supported; train trees on raw features");
        }
        if (inner instanceof TreeModel) {
            return new TreeEnsembleModel(features, classes(inner), List.of(tree((TreeModel<?>) inner)));
        }
        if (inner instanceof EnsembleModel) {
            checkCombiner(inner);
            List<DecisionTree> trees = new ArrayList<>();
            for (Model<?> m : ((EnsembleModel<?>) inner).getModels()) {
                if (!(m instanceof TreeModel)) {
                    throw new IllegalArgumentException("Ensemble member " + m.getClass().getName() + " is not a tree");
                }
                trees.add(tree((TreeModel<?>) m));
            }
            return new TreeEnsembleModel(features, classes(inner), trees);
        }
        throw new IllegalArgumentException("Unsupported Tribuo model " + inner.getClass().getName()
                + "; supported: linear SGD (classification, regression), CART trees and tree ensembles");
    }

    /**
     * The IR gives every tree one vote (classification) or averages the trees (regression): only ensembles that
     * combine their members that way, with equal member weights, are imported as they predict.
     */
    private static void checkCombiner(Model<?> ensemble) {
        WeightedEnsembleModelProto p;
        try {
            p = ensemble.serialize().getSerializedData().unpack(WeightedEnsembleModelProto.class);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new IllegalArgumentException("Ensemble " + ensemble.getClass().getName() + " is not a "
                    + "WeightedEnsembleModel; supported: uniform voting (classification) or averaging (regression)", e);
        }
        String combiner = p.getCombiner().getClassName();
        String expected = classes(ensemble).isEmpty() ? "org.tribuo.regression.ensemble.AveragingCombiner"
                : "org.tribuo.classification.ensemble.VotingCombiner";
        if (!combiner.equals(expected)) {
            throw new IllegalArgumentException("Ensemble combiner " + combiner + " is not supported; the device "
                    + "runtime reproduces " + expected + " only");
        }
        for (int i = 0; i < p.getWeightsCount(); i++) {
            if (p.getWeights(i) != p.getWeights(0) || !(p.getWeights(0) > 0)) {
                throw new IllegalArgumentException("Ensemble member weights differ (" + p.getWeightsList()
                        + "), as in AdaBoost; the device runtime gives every tree the same vote, so only "
                        + "uniform-weight ensembles such as random forests are supported");
            }
        }
    }

    private static List<String> classes(Model<?> m) {
        ImmutableOutputInfo<?> info = m.getOutputIDInfo();
        List<String> c = new ArrayList<>();
        for (int i = 0; i < info.size(); i++) {
            Output<?> o = info.getOutput(i);
            if (o instanceof Label) {
                c.add(((Label) o).getLabel());
            } else {
                return List.of();
            }
        }
        return c;
    }

    private static FeatureScaling affine(TransformerMap map, ImmutableFeatureMap fmap) {
        int n = fmap.size();
        double[] s = new double[n];
        double[] o = new double[n];
        for (int i = 0; i < n; i++) {
            String name = fmap.get(i).getName();
            List<Transformer> ts = map.get(name);
            if (ts == null || ts.isEmpty()) {
                s[i] = 1;
                continue;
            }
            // t(x) = a x + b. Measuring a as t(1) - t(0) cancels catastrophically when the feature sits far from 0
            // (a mean of 1.7e9 with std 10 gives t(0) = -1.7e8): the slope's rounding error, multiplied back by x,
            // reached tens of standard deviations. So: find the centre c where t is about 0 from that rough slope,
            // then measure the slope over a wide symmetric span around c, where x - mean is computed exactly.
            double t0 = TransformerMap.applyTransformerList(0, ts);
            double rough = TransformerMap.applyTransformerList(1, ts) - t0;
            double c = rough != 0 && Double.isFinite(-t0 / rough) ? -t0 / rough : 0;
            double h = Math.max(1024, Math.abs(c) * 0x1p-10);
            double lo = c - h;
            double hi = c + h;
            double tlo = TransformerMap.applyTransformerList(lo, ts);
            double thi = TransformerMap.applyTransformerList(hi, ts);
            double a = (thi - tlo) / (hi - lo);
            double b = (tlo + thi) / 2 - a * ((lo + hi) / 2);
            for (double x : new double[] {0, 1, c + 7 * h, c - 1000 * h}) {
                double t = TransformerMap.applyTransformerList(x, ts);
                double predicted = a * x + b;
                if (!Double.isFinite(a) || !Double.isFinite(b)
                        || Math.abs(predicted - t) > 1e-6 * Math.max(1, Math.abs(t))) {
                    throw new IllegalArgumentException("The transformation of feature '" + name + "' is not affine; "
                            + "only affine transformations such as mean/std standardisation can be imported (Tribuo's linear "
                            + "scaling clamps to its range, so it is not affine)");
                }
            }
            s[i] = a;
            o[i] = b;
        }
        return new FeatureScaling(s, o);
    }

    private static NetworkModel linear(AbstractLinearSGDModel<?> m, List<String> features, FeatureScaling scaling) {
        DenseMatrix w = m.getWeightsCopy();
        int outs = w.getDimension1Size();
        int cols = w.getDimension2Size();
        int n = features.size();
        if (cols != n + 1) {
            throw new IllegalArgumentException("Linear model has " + cols + " weight columns for " + n
                    + " features (expected features + bias)");
        }
        double[][] wt = new double[outs][n];
        double[] b = new double[outs];
        for (int o = 0; o < outs; o++) {
            for (int i = 0; i < n; i++) {
                wt[o][i] = w.get(o, i);
            }
            b[o] = w.get(o, n);
        }
        List<String> classes = classes(m);
        FeatureScaling fs = scaling == null ? FeatureScaling.identity(n) : scaling;
        Head head = classes.isEmpty() ? Head.IDENTITY : Head.SOFTMAX;
        return new NetworkModel(features, classes, fs, List.of(new DenseLayer(wt, b, Activation.NONE)), head);
    }

    private static DecisionTree tree(TreeModel<?> m) {
        List<Integer> feature = new ArrayList<>();
        List<Double> thr = new ArrayList<>();
        List<Integer> left = new ArrayList<>();
        List<Integer> right = new ArrayList<>();
        List<Double> value = new ArrayList<>();
        ImmutableOutputInfo<?> info = m.getOutputIDInfo();
        add(root(m), info, feature, thr, left, right, value);
        int n = feature.size();
        int[] f = new int[n];
        double[] t = new double[n];
        int[] l = new int[n];
        int[] r = new int[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            f[i] = feature.get(i);
            t[i] = thr.get(i);
            l[i] = left.get(i);
            r[i] = right.get(i);
            v[i] = value.get(i);
        }
        return new DecisionTree(f, t, l, r, v);
    }

    /**
     * The tree's root: {@link IndependentRegressionTreeModel} (what {@code CARTRegressionTrainer} and regression
     * random forests make) keeps one tree per output dimension in {@code getRoots()} and has no single root.
     */
    private static Node<?> root(TreeModel<?> m) {
        Node<?> root;
        if (m instanceof IndependentRegressionTreeModel) {
            Map<String, Node<Regressor>> roots = ((IndependentRegressionTreeModel) m).getRoots();
            if (roots.size() != 1) {
                throw new IllegalArgumentException("The regression tree predicts " + roots.size() + " output dimensions "
                        + roots.keySet() + "; only single-output regression trees are supported");
            }
            root = roots.values().iterator().next();
        } else {
            root = m.getRoot();
        }
        if (root == null) {
            throw new IllegalArgumentException("Tree model " + m.getClass().getName() + " has no root node");
        }
        return root;
    }

    /** Pre-order: children always follow their parent. */
    private static int add(Node<?> node, ImmutableOutputInfo<?> info, List<Integer> feature, List<Double> thr,
            List<Integer> left, List<Integer> right, List<Double> value) {
        int idx = feature.size();
        feature.add(-1);
        thr.add(0.0);
        left.add(-1);
        right.add(-1);
        value.add(0.0);
        if (node instanceof SplitNode) {
            SplitNode<?> s = (SplitNode<?>) node;
            feature.set(idx, s.getFeatureID());
            thr.set(idx, s.splitValue());
            int l = add(s.getLessThanOrEqual(), info, feature, thr, left, right, value);
            int r = add(s.getGreaterThan(), info, feature, thr, left, right, value);
            left.set(idx, l);
            right.set(idx, r);
        } else if (node instanceof LeafNode) {
            Output<?> out = ((LeafNode<?>) node).getOutput();
            if (out instanceof Label) {
                value.set(idx, (double) idOf(info, out));
            } else if (out instanceof Regressor) {
                double[] vs = ((Regressor) out).getValues();
                if (vs.length != 1) {
                    throw new IllegalArgumentException("Multi-output regression trees are not supported");
                }
                value.set(idx, vs[0]);
            } else {
                throw new IllegalArgumentException("Unsupported tree output " + out.getClass().getName());
            }
        } else {
            throw new IllegalArgumentException("Unsupported tree node " + node.getClass().getName());
        }
        return idx;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int idOf(ImmutableOutputInfo info, Output out) {
        int id = info.getID(out);
        if (id < 0) {
            throw new IllegalArgumentException("Leaf output " + out + " is not in the model's output domain");
        }
        return id;
    }
}
