package io.edgeloop.quantize.scheme;

/**
 * AdaRound-style choice of rounding directions for a linear layer (Nagel et al. 2020, "Up or Down? Adaptive
 * Rounding for Post-Training Quantization"): instead of rounding every weight to the nearest integer, each weight
 * (and each output's integer bias) is rounded down or up, whichever makes the layer agree best with the float
 * model on the calibration rows. The objective is lexicographic: first the number of calibration rows whose
 * predicted class equals the float model's (classifiers only), then the smallest sum of squared differences
 * between the layer's real outputs ({@code s_w[o] * acc[o]}) and the float model's (AdaRound's layer-wise
 * reconstruction loss). Search: exhaustive over all up/down combinations when there are at most
 * {@value #EXHAUSTIVE_LIMIT} free choices, else greedy coordinate descent in a fixed order (a flip is kept only when
 * it strictly improves the objective; at most {@value #MAX_PASSES} passes), so the result is deterministic.
 *
 * <p>Only the rounding direction changes: every weight stays {@code floor} or {@code ceil} of its real value
 * (so within one step of it, inside {@code [-wMax, wMax]}), and the bias stays the rounded real bias with the
 * same folding of zero points and bias correction ({@code bias = b - sum_i (wq_i - w_i) * centre_i}, rounded down
 * or up). The integer arithmetic and the model format are unchanged.
 *
 * <p>Thread-safe: stateless (one instance per call, not shared).
 */
final class AdaptiveRounding {
    /** Up to this many binary choices are searched exhaustively (2^12 candidates). */
    static final int EXHAUSTIVE_LIMIT = 12;
    /** Greedy passes over all choices at most. */
    static final int MAX_PASSES = 8;

    private final int ni;
    private final int no;
    private final int[][] q;
    private final double[] wReal;
    private final double[] bReal;
    private final double[] centre;
    private final double[] sw;
    private final int[] targetClass;
    private final double[][] targetOut;
    private final long wMax;
    /** Per weight: 0 = down (floor), 1 = up (ceil); per output bias likewise. */
    private final int[] dirW;
    private final int[] dirB;
    private final boolean[] freeW;
    private final long[][] acc;

    /**
     * @param ni          inputs
     * @param no          outputs
     * @param q           the calibration rows as integer inputs
     * @param wReal       the unrounded integer-domain weights, {@code [o * ni + i]}
     * @param bReal       the unrounded integer bias of each output for the nearest-rounded weights
     * @param wNearest    the nearest-rounded weights the bias was computed with
     * @param centre      per input, the value the bias folds a weight's rounding error with
     * @param sw          per output, the real value of one accumulator unit
     * @param targetClass the float model's class per row, or null for regression
     * @param targetOut   the float model's layer outputs, {@code [o][row]}
     * @param wMax        the largest weight magnitude
     */
    private AdaptiveRounding(int ni, int no, int[][] q, double[] wReal, double[] bReal, int[] wNearest, double[] centre,
            double[] sw, int[] targetClass, double[][] targetOut, long wMax) {
        this.ni = ni;
        this.no = no;
        this.q = q;
        this.wReal = wReal;
        this.centre = centre;
        this.sw = sw;
        this.targetClass = targetClass;
        this.targetOut = targetOut;
        this.wMax = wMax;
        // The bias for the weights' floors: the nearest-rounded bias moved by the rounding changes.
        this.bReal = bReal.clone();
        for (int o = 0; o < no; o++) {
            for (int i = 0; i < ni; i++) {
                this.bReal[o] -= (floorW(o * ni + i) - wNearest[o * ni + i]) * centre[i];
            }
        }
        dirW = new int[ni * no];
        dirB = new int[no];
        freeW = new boolean[ni * no];
        for (int k = 0; k < ni * no; k++) {
            freeW[k] = ceilW(k) != floorW(k);
            dirW[k] = wNearest[k] == floorW(k) ? 0 : 1;
        }
        for (int o = 0; o < no; o++) {
            dirB[o] = FixedPoint.roundHalfAwayFromZero(bias(o)) == (long) Math.floor(bias(o)) ? 0 : 1;
        }
        acc = new long[no][q.length];
    }

    private long floorW(int k) {
        return Math.max(-wMax, Math.min(wMax, (long) Math.floor(wReal[k])));
    }

    private long ceilW(int k) {
        return Math.max(-wMax, Math.min(wMax, (long) Math.ceil(wReal[k])));
    }

    private long weight(int k) {
        return dirW[k] == 0 ? floorW(k) : ceilW(k);
    }

    /** The real bias of output {@code o} for the current weight directions. */
    private double bias(int o) {
        double b = bReal[o];
        for (int i = 0; i < ni; i++) {
            b -= (weight(o * ni + i) - floorW(o * ni + i)) * centre[i];
        }
        return b;
    }

    private long intBias(int o) {
        double b = bias(o);
        return dirB[o] == 0 ? (long) Math.floor(b) : (long) Math.ceil(b);
    }

    private void accumulate(int o) {
        long b = intBias(o);
        for (int r = 0; r < q.length; r++) {
            long a = b;
            for (int i = 0; i < ni; i++) {
                a += weight(o * ni + i) * q[r][i];
            }
            acc[o][r] = a;
        }
    }

    /** Moves output {@code o}'s accumulators by a weight change {@code dw} on input {@code i} and a bias change. */
    private void shift(int o, int i, long dw, long db) {
        for (int r = 0; r < q.length; r++) {
            acc[o][r] += db + (i < 0 ? 0 : dw * q[r][i]);
        }
    }

    /** Objective: agreement count (classifiers) then the negated squared error; larger is better. */
    private double[] score() {
        long agree = 0;
        double sse = 0;
        double[] y = new double[no];
        for (int r = 0; r < q.length; r++) {
            for (int o = 0; o < no; o++) {
                y[o] = sw[o] * acc[o][r];
                double d = y[o] - targetOut[o][r];
                sse += d * d;
            }
            if (targetClass != null) {
                int c;
                if (no == 1) {
                    c = y[0] > 0 ? 1 : 0;
                } else {
                    c = 0;
                    for (int o = 1; o < no; o++) {
                        if (y[o] > y[c]) {
                            c = o;
                        }
                    }
                }
                agree += c == targetClass[r] ? 1 : 0;
            }
        }
        return new double[] {agree, -sse};
    }

    private static boolean better(double[] a, double[] b) {
        return a[0] > b[0] || (a[0] == b[0] && a[1] > b[1]);
    }

    /**
     * Chooses the rounding directions and writes the chosen weights and biases.
     *
     * @param ni          inputs
     * @param no          outputs
     * @param q           the calibration rows as integer inputs
     * @param wReal       the unrounded integer-domain weights, {@code [o * ni + i]}
     * @param bReal       the unrounded integer bias of each output, computed with the weights in {@code wq}
     * @param wq          in: the nearest-rounded weights; out: the chosen weights
     * @param bq          out: the chosen integer biases
     * @param centre      per input, the value a weight's rounding error is folded into the bias with
     * @param sw          per output, the real value of one accumulator unit
     * @param targetClass the float model's class per calibration row, or null for regression
     * @param targetOut   the float model's layer outputs per output and row
     * @param wMax        the largest weight magnitude
     */
    static void refine(int ni, int no, int[][] q, double[] wReal, double[] bReal, int[] wq, long[] bq, double[] centre,
            double[] sw, int[] targetClass, double[][] targetOut, long wMax) {
        AdaptiveRounding a = new AdaptiveRounding(ni, no, q, wReal, bReal, wq, centre, sw, targetClass, targetOut, wMax);
        a.search();
        for (int k = 0; k < ni * no; k++) {
            wq[k] = (int) a.weight(k);
        }
        for (int o = 0; o < no; o++) {
            bq[o] = a.intBias(o);
        }
    }

    private void search() {
        int free = no;
        for (boolean f : freeW) {
            free += f ? 1 : 0;
        }
        for (int o = 0; o < no; o++) {
            accumulate(o);
        }
        double[] best = score();
        if (free <= EXHAUSTIVE_LIMIT) {
            int[] idx = new int[free];
            int n = 0;
            for (int k = 0; k < ni * no; k++) {
                if (freeW[k]) {
                    idx[n++] = k;
                }
            }
            int[] bestW = dirW.clone();
            int[] bestB = dirB.clone();
            for (int mask = 0; mask < 1 << free; mask++) {
                for (int j = 0; j < free; j++) {
                    int bit = (mask >> j) & 1;
                    if (j < n) {
                        dirW[idx[j]] = bit;
                    } else {
                        dirB[j - n] = bit;
                    }
                }
                for (int o = 0; o < no; o++) {
                    accumulate(o);
                }
                double[] s = score();
                if (better(s, best)) {
                    best = s;
                    bestW = dirW.clone();
                    bestB = dirB.clone();
                }
            }
            System.arraycopy(bestW, 0, dirW, 0, dirW.length);
            System.arraycopy(bestB, 0, dirB, 0, dirB.length);
            return;
        }
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            boolean changed = false;
            for (int k = 0; k < ni * no + no; k++) {
                boolean isWeight = k < ni * no;
                if (isWeight && !freeW[k]) {
                    continue;
                }
                int o = isWeight ? k / ni : k - ni * no;
                int i = isWeight ? k % ni : -1;
                long oldW = isWeight ? weight(k) : 0;
                long oldB = intBias(o);
                if (isWeight) {
                    dirW[k] ^= 1;
                } else {
                    dirB[o] ^= 1;
                }
                long dw = isWeight ? weight(k) - oldW : 0;
                long db = intBias(o) - oldB;
                shift(o, i, dw, db);
                double[] s = score();
                if (better(s, best)) {
                    best = s;
                    changed = true;
                } else {
                    if (isWeight) {
                        dirW[k] ^= 1;
                    } else {
                        dirB[o] ^= 1;
                    }
                    shift(o, i, -dw, -db);
                }
            }
            if (!changed) {
                break;
            }
        }
    }
}
