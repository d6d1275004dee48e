package io.edgeloop.quantize.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * The two-class rewrite: a classifier whose last layer has two linear outputs {@code s0}, {@code s1} predicts
 * class 1 exactly when {@code s1 - s0 > 0} (softmax over two scores is the sigmoid of their difference; argmax
 * picks class 0 on ties, and so does {@code > 0}), so the last layer becomes one output with weights
 * {@code w1 - w0} and bias {@code b1 - b0} under a {@link Head#LOGISTIC} head. It halves the last layer for the
 * integer model and for the float32 baseline alike.
 *
 * <p>Thread-safe: stateless.
 */
public final class SingleLogit {
    private SingleLogit() {
    }

    /**
     * @param m a network
     * @return whether {@link #apply} rewrites it
     */
    public static boolean applies(NetworkModel m) {
        DenseLayer last = m.layers().get(m.layers().size() - 1);
        return m.classNames().size() == 2 && last.outputs() == 2 && last.activation() == Activation.NONE
                && m.head().isClassification();
    }

    /**
     * @param m a network
     * @return the one-logit network when {@link #applies} holds, else {@code m}
     */
    public static NetworkModel apply(NetworkModel m) {
        if (!applies(m)) {
            return m;
        }
        List<DenseLayer> layers = new ArrayList<>(m.layers());
        DenseLayer last = layers.get(layers.size() - 1);
        double[][] w = new double[1][last.inputs()];
        for (int i = 0; i < last.inputs(); i++) {
            w[0][i] = last.weight(1, i) - last.weight(0, i);
        }
        double[] b = {last.bias(1) - last.bias(0)};
        layers.set(layers.size() - 1, new DenseLayer(w, b, Activation.NONE));
        return new NetworkModel(m.featureNames(), m.classNames(), m.scaling(), layers, Head.LOGISTIC);
    }
}
