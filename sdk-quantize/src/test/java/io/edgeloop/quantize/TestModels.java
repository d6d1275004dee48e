package io.edgeloop.quantize;

import io.edgeloop.quantize.ir.Activation;
import io.edgeloop.quantize.ir.DecisionTree;
import io.edgeloop.quantize.ir.DenseLayer;
import io.edgeloop.quantize.ir.FeatureScaling;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.ir.Head;
import io.edgeloop.quantize.ir.NetworkModel;
import io.edgeloop.quantize.ir.TreeEnsembleModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Synthetic float models of every kind, seeded, for parity and format tests. */
public final class TestModels {
    private TestModels() {
    }

    /** @return feature names f0..f(n-1) */
    public static List<String> names(int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add("f" + i);
        }
        return l;
    }

    /**
     * Rows whose features span five orders of magnitude: feature i has scale 10^(5 i / (n - 1) - 2).
     *
     * @param n    features
     * @param rows rows
     * @param seed seed
     * @return the rows
     */
    public static double[][] wideRows(int n, int rows, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[rows][n];
        for (int k = 0; k < rows; k++) {
            for (int i = 0; i < n; i++) {
                double scale = Math.pow(10, 5.0 * i / Math.max(1, n - 1) - 2);
                x[k][i] = scale * (r.nextGaussian() + (i % 3 == 0 ? 3 : 0));
            }
        }
        return x;
    }

    private static double[][] matrix(Random r, int out, int in, double s) {
        double[][] w = new double[out][in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                w[o][i] = r.nextGaussian() * s;
            }
        }
        return w;
    }

    private static double[] vector(Random r, int n, double s) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian() * s;
        }
        return v;
    }

    private static FeatureScaling standardize(double[][] rows) {
        int n = rows[0].length;
        double[] mean = new double[n];
        double[] std = new double[n];
        for (double[] x : rows) {
            for (int i = 0; i < n; i++) {
                mean[i] += x[i] / rows.length;
            }
        }
        for (double[] x : rows) {
            for (int i = 0; i < n; i++) {
                std[i] += (x[i] - mean[i]) * (x[i] - mean[i]) / rows.length;
            }
        }
        for (int i = 0; i < n; i++) {
            std[i] = Math.sqrt(std[i]);
        }
        return FeatureScaling.standardize(mean, std);
    }

    /**
     * @param n    features
     * @param k    classes
     * @param rows calibration rows (for the standardisation)
     * @param seed seed
     * @return a standardised logistic regression
     */
    public static NetworkModel logistic(int n, int k, double[][] rows, long seed) {
        Random r = new Random(seed);
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            classes.add("c" + c);
        }
        return new NetworkModel(names(n), classes, standardize(rows),
                List.of(new DenseLayer(matrix(r, k, n, 1), vector(r, k, 0.5), Activation.NONE)), Head.SOFTMAX);
    }

    /**
     * @param n    features
     * @param rows rows
     * @param seed seed
     * @return a linear regression with two outputs
     */
    public static NetworkModel linearRegression(int n, double[][] rows, long seed) {
        Random r = new Random(seed);
        return new NetworkModel(names(n), List.of(), standardize(rows),
                List.of(new DenseLayer(matrix(r, 2, n, 2), vector(r, 2, 3), Activation.NONE)), Head.IDENTITY);
    }

    /**
     * @param n    features
     * @param rows rows
     * @param seed seed
     * @param hidden the first hidden width (the second is half of it)
     * @return an MLP n-hidden(ReLU)-hidden/2(ReLU6)-3
     */
    public static NetworkModel mlp(int n, double[][] rows, long seed, int hidden) {
        Random r = new Random(seed);
        int h2 = hidden / 2;
        return new NetworkModel(names(n), List.of("a", "b", "c"), standardize(rows),
                List.of(new DenseLayer(matrix(r, hidden, n, 1.0 / Math.sqrt(n)), vector(r, hidden, 0.3), Activation.RELU),
                        new DenseLayer(matrix(r, h2, hidden, 0.6), vector(r, h2, 0.3), Activation.RELU6),
                        new DenseLayer(matrix(r, 3, h2, 0.8), vector(r, 3, 0.1), Activation.NONE)),
                Head.SOFTMAX);
    }

    /**
     * @param n          features
     * @param rows       rows (thresholds are drawn from them)
     * @param trees      tree count
     * @param depth      depth
     * @param regression whether leaves are real values
     * @param seed       seed
     * @return a random forest over the rows
     */
    public static TreeEnsembleModel forest(int n, double[][] rows, int trees, int depth, boolean regression, long seed) {
        Random r = new Random(seed);
        List<DecisionTree> ts = new ArrayList<>();
        for (int t = 0; t < trees; t++) {
            int size = (1 << (depth + 1)) - 1;
            int[] f = new int[size];
            double[] thr = new double[size];
            int[] left = new int[size];
            int[] right = new int[size];
            double[] val = new double[size];
            for (int node = 0; node < size; node++) {
                if (node < (1 << depth) - 1) {
                    f[node] = r.nextInt(n);
                    thr[node] = rows[r.nextInt(rows.length)][f[node]];
                    left[node] = 2 * node + 1;
                    right[node] = 2 * node + 2;
                } else {
                    f[node] = -1;
                    val[node] = regression ? r.nextGaussian() * 10 : r.nextInt(3);
                }
            }
            ts.add(new DecisionTree(f, thr, left, right, val));
        }
        return new TreeEnsembleModel(names(n), regression ? List.of() : List.of("x", "y", "z"), ts);
    }

    /**
     * @return every model kind over {@code n} features with its calibration rows, by name
     * @param n features
     */
    public static java.util.Map<String, Object[]> all(int n) {
        double[][] rows = wideRows(n, 2000, 11);
        java.util.Map<String, Object[]> m = new java.util.LinkedHashMap<>();
        FloatModel[] models = {logistic(n, 3, rows, 1), logistic(n, 2, rows, 7), linearRegression(n, rows, 2),
            mlp(n, rows, 3, n > 8 ? 16 : 4), forest(n, rows, 1, 6, false, 4), forest(n, rows, 8, 5, false, 5),
            forest(n, rows, 4, 5, true, 6)};
        String[] names = {"logistic", "logistic-binary", "linear-regression", "mlp", "cart", "forest",
            "regression-forest"};
        for (int i = 0; i < models.length; i++) {
            m.put(names[i], new Object[] {models[i], rows});
        }
        return m;
    }
}
