package io.edgeloop.labeling.model;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Turns probabilities into hard labels exactly as WRENCH and Snorkel do ({@code probs_to_preds}, policy
 * "random"): the tied classes are those within {@value #TIE_TOLERANCE} of the row's maximum; among several, the
 * one at position {@code sha1(decimal row index) mod #tied} wins. Deterministic and independent of any seed.
 *
 * <p>Thread-safe: static methods only.
 */
public final class Predictions {
    /** Probabilities closer than this to the row maximum tie. */
    public static final double TIE_TOLERANCE = 1e-5;

    private Predictions() {
    }

    /**
     * @param probs one probability vector per row
     * @return one class index per row
     */
    public static int[] fromProbabilities(double[][] probs) {
        int[] out = new int[probs.length];
        for (int i = 0; i < probs.length; i++) {
            out[i] = argmax(probs[i], i);
        }
        return out;
    }

    /**
     * The WRENCH prediction for one row.
     *
     * @param p   the row's probabilities
     * @param row the 0-based row index (drives the tie-break)
     * @return the class index
     */
    public static int argmax(double[] p, int row) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : p) {
            if (x > max) {
                max = x;
            }
        }
        int tied = 0;
        int first = 0;
        for (int c = 0; c < p.length; c++) {
            if (Math.abs(p[c] - max) < TIE_TOLERANCE) {
                if (tied == 0) {
                    first = c;
                }
                tied++;
            }
        }
        if (tied <= 1) {
            return first;
        }
        int pick = tieBreak(row, tied);
        for (int c = 0; c < p.length; c++) {
            if (Math.abs(p[c] - max) < TIE_TOLERANCE && pick-- == 0) {
                return c;
            }
        }
        return first;
    }

    /**
     * WRENCH's rule restricted to some classes: the most probable of them, ties (within {@link #TIE_TOLERANCE})
     * broken by the same hash as {@link #argmax(double[], int)}.
     *
     * @param p     the row's probabilities
     * @param among the classes allowed to win, at least one
     * @param row   the 0-based row index (drives the tie-break)
     * @return the class index
     */
    static int argmaxAmong(double[] p, boolean[] among, int row) {
        boolean[] tied = new boolean[p.length];
        int n = tied(p, among, tied);
        int pick = n <= 1 ? 0 : tieBreak(row, n);
        for (int c = 0; c < p.length; c++) {
            if (tied[c] && pick-- == 0) {
                return c;
            }
        }
        throw new IllegalArgumentException("no class to choose from");
    }

    /**
     * Marks the classes within {@link #TIE_TOLERANCE} of the row's maximum.
     *
     * @param p     the row's probabilities
     * @param among the classes to consider, or null for all
     * @param out   receives the marks
     * @return the number of tied classes
     */
    static int tied(double[] p, boolean[] among, boolean[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < p.length; c++) {
            if (among == null || among[c]) {
                max = Math.max(max, p[c]);
            }
        }
        int n = 0;
        for (int c = 0; c < p.length; c++) {
            out[c] = (among == null || among[c]) && Math.abs(p[c] - max) < TIE_TOLERANCE;
            n += out[c] ? 1 : 0;
        }
        return n;
    }

    /**
     * @param row  the 0-based row index
     * @param tied the number of tied classes, at least 1
     * @return {@code sha1(String.valueOf(row)) mod tied}
     */
    public static int tieBreak(int row, int tied) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(String.valueOf(row).getBytes(StandardCharsets.UTF_8));
            return new BigInteger(1, d).mod(BigInteger.valueOf(tied)).intValue();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
    }
}
