package io.edgeloop.quantize.ir;

import java.util.List;
import java.util.Objects;

/**
 * One or more decision trees. Classification: every tree votes for the class in its leaf (or adds its leaf's class
 * vote vector, {@link DecisionTree#votes(int)}) and the scores are the vote sums. Regression: the score is the mean
 * of the leaf values.
 *
 * <p>Thread-safe: immutable.
 */
public final class TreeEnsembleModel implements FloatModel {
    private final List<String> featureNames;
    private final List<String> classNames;
    private final List<DecisionTree> trees;

    /**
     * @param featureNames feature names in input order, non-empty and distinct
     * @param classNames   class names, non-empty and distinct (leaf values index them), empty for regression
     * @param trees        at least one tree
     */
    public TreeEnsembleModel(List<String> featureNames, List<String> classNames, List<DecisionTree> trees) {
        this.featureNames = List.copyOf(Objects.requireNonNull(featureNames, "featureNames"));
        this.classNames = List.copyOf(Objects.requireNonNull(classNames, "classNames"));
        DistinctNames.require(this.featureNames, "feature name");
        DistinctNames.require(this.classNames, "class name");
        this.trees = List.copyOf(Objects.requireNonNull(trees, "trees"));
        if (this.trees.isEmpty()) {
            throw new IllegalArgumentException("A tree ensemble needs at least one tree");
        }
        for (DecisionTree t : this.trees) {
            for (int n = 0; n < t.size(); n++) {
                if (t.feature(n) >= this.featureNames.size()) {
                    throw new IllegalArgumentException("A tree splits on feature " + t.feature(n) + " of "
                            + this.featureNames.size());
                }
                if (t.feature(n) < 0 && t.hasVotes()) {
                    if (this.classNames.isEmpty() || t.votes(n).length != this.classNames.size()) {
                        throw new IllegalArgumentException("A leaf holds " + t.votes(n).length + " class votes for "
                                + this.classNames.size() + " classes");
                    }
                } else if (t.feature(n) < 0 && !this.classNames.isEmpty()) {
                    double v = t.value(n);
                    if (v != Math.rint(v) || v < 0 || v >= this.classNames.size()) {
                        throw new IllegalArgumentException("A classification leaf holds " + v + ", not a class index");
                    }
                }
            }
        }
    }

    @Override
    public List<String> featureNames() {
        return featureNames;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    /** @return the trees */
    public List<DecisionTree> trees() {
        return trees;
    }

    @Override
    public int outputSize() {
        return classNames.isEmpty() ? 1 : classNames.size();
    }

    @Override
    public double[] scores(double[] x) {
        double[] s = new double[outputSize()];
        for (DecisionTree t : trees) {
            int leaf = t.leaf(x);
            double v = t.value(leaf);
            if (t.hasVotes()) {
                double[] w = t.votes(leaf);
                for (int c = 0; c < w.length; c++) {
                    s[c] += w[c];
                }
            } else if (classNames.isEmpty()) {
                s[0] += v;
            } else {
                s[(int) v] += 1;
            }
        }
        if (classNames.isEmpty()) {
            s[0] /= trees.size();
        }
        return s;
    }

    @Override
    public String kind() {
        return "tree-ensemble";
    }
}
