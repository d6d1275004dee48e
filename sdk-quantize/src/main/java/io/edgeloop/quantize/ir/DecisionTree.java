package io.edgeloop.quantize.ir;

import java.util.Objects;

/**
 * One binary decision tree in flat arrays. Node {@code n} is a split when {@code feature(n) >= 0}: go to
 * {@link #right(int)} when {@code x[feature] > threshold}, else to {@link #left(int)} (Tribuo's convention;
 * ONNX modes are normalised to it on import). A leaf holds a value: a class index for classification trees, a
 * prediction for regression trees. A classification tree may instead give each leaf a vector of class votes
 * ({@link #votes(int)}, as ONNX {@code TreeEnsembleClassifier} leaves that hold class distributions); its leaves
 * then add those weights to the class scores. Node 0 is the root.
 *
 * <p>Thread-safe: immutable.
 */
public final class DecisionTree {
    private final int[] feature;
    private final double[] threshold;
    private final int[] left;
    private final int[] right;
    private final double[] value;
    private final double[][] votes;

    /**
     * @param feature   split feature per node, -1 for leaves
     * @param threshold split threshold per node (ignored for leaves)
     * @param left      node taken when {@code x <= threshold}
     * @param right     node taken when {@code x > threshold}
     * @param value     leaf value per node (ignored for splits)
     */
    public DecisionTree(int[] feature, double[] threshold, int[] left, int[] right, double[] value) {
        this(feature, threshold, left, right, value, null);
    }

    /**
     * A classification tree whose leaves carry class vote vectors.
     *
     * @param feature   split feature per node, -1 for leaves
     * @param threshold split threshold per node (ignored for leaves)
     * @param left      node taken when {@code x <= threshold}
     * @param right     node taken when {@code x > threshold}
     * @param value     leaf value per node (ignored when {@code votes} is given; use 0)
     * @param votes     per node, for leaves: the finite weight added to each class score (all leaves the same
     *                  length); {@code null} entries for splits; or {@code null} for one-class leaves
     */
    public DecisionTree(int[] feature, double[] threshold, int[] left, int[] right, double[] value, double[][] votes) {
        int n = Objects.requireNonNull(feature, "feature").length;
        if (n == 0 || threshold.length != n || left.length != n || right.length != n || value.length != n) {
            throw new IllegalArgumentException("Tree arrays must be non-empty and of equal length");
        }
        for (int i = 0; i < n; i++) {
            if (feature[i] >= 0) {
                if (left[i] <= i || right[i] <= i || left[i] >= n || right[i] >= n) {
                    throw new IllegalArgumentException("Tree node " + i + " has children " + left[i] + "/" + right[i]
                            + "; children must follow their parent and lie in [0, " + n + ")");
                }
                if (!Double.isFinite(threshold[i])) {
                    throw new IllegalArgumentException("Tree node " + i + " has threshold " + threshold[i]);
                }
            } else if (!Double.isFinite(value[i])) {
                throw new IllegalArgumentException("Tree leaf " + i + " has value " + value[i]);
            }
        }
        if (votes != null) {
            if (votes.length != n) {
                throw new IllegalArgumentException("Tree votes cover " + votes.length + " nodes of " + n);
            }
            int k = -1;
            this.votes = new double[n][];
            for (int i = 0; i < n; i++) {
                if (feature[i] >= 0) {
                    continue;
                }
                if (votes[i] == null || votes[i].length == 0 || (k >= 0 && votes[i].length != k)) {
                    throw new IllegalArgumentException("Tree leaf " + i + " needs a vote vector as long as the others");
                }
                k = votes[i].length;
                for (double v : votes[i]) {
                    if (!Double.isFinite(v)) {
                        throw new IllegalArgumentException("Tree leaf " + i + " has vote " + v);
                    }
                }
                this.votes[i] = votes[i].clone();
            }
        } else {
            this.votes = null;
        }
        this.feature = feature.clone();
        this.threshold = threshold.clone();
        this.left = left.clone();
        this.right = right.clone();
        this.value = value.clone();
    }

    /** @return the number of nodes */
    public int size() {
        return feature.length;
    }

    /**
     * @param n node
     * @return its split feature, or -1 for a leaf
     */
    public int feature(int n) {
        return feature[n];
    }

    /**
     * @param n node
     * @return its threshold
     */
    public double threshold(int n) {
        return threshold[n];
    }

    /**
     * @param n node
     * @return the child for {@code x <= threshold}
     */
    public int left(int n) {
        return left[n];
    }

    /**
     * @param n node
     * @return the child for {@code x > threshold}
     */
    public int right(int n) {
        return right[n];
    }

    /**
     * @param n node
     * @return the leaf value
     */
    public double value(int n) {
        return value[n];
    }

    /** @return whether leaves carry class vote vectors ({@link #votes(int)}) */
    public boolean hasVotes() {
        return votes != null;
    }

    /**
     * @param n a leaf
     * @return its class votes (a copy)
     * @throws IllegalStateException when the tree has one-class leaves
     */
    public double[] votes(int n) {
        if (votes == null) {
            throw new IllegalStateException("The tree's leaves vote for one class each");
        }
        if (votes[n] == null) {
            throw new IllegalArgumentException("Node " + n + " is not a leaf");
        }
        return votes[n].clone();
    }

    /**
     * @param x raw features
     * @return the leaf reached
     */
    public int leaf(double[] x) {
        int n = 0;
        while (feature[n] >= 0) {
            n = x[feature[n]] > threshold[n] ? right[n] : left[n];
        }
        return n;
    }
}
