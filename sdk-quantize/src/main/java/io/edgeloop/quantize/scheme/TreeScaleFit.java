package io.edgeloop.quantize.scheme;

import io.edgeloop.quantize.runtime.InputQuantization;
import java.util.Arrays;
import java.util.function.DoubleToLongFunction;

/**
 * Chooses one tree input feature's scale so calibration readings next to split thresholds decide as the float model
 * does ({@link TreeInputScales#FITTED}).
 *
 * <p>With exact thresholds an integer split sends a whole input cell the way the float model sends the cell's centre
 * {@code scale * (q - zeroPoint)}. A reading {@code v} in the cell that holds a threshold {@code T} therefore decides
 * unlike the float model when the centre lies on the other side of {@code T}: Tribuo's thresholds sit one ulp below
 * common readings ({@code 25.689999999999998} against {@code 25.69}) or exactly on them (a midpoint of two
 * two-decimal values that is a third). Which side the centre takes depends only on where {@code T} falls in the grid
 * of multiples of the scale (the zero point is an integer), so a slightly larger scale moves it. The fit scans
 * candidate scales {@code s0 * (1 + eps * k / K)}, {@code k = 0..K}, from the calibrated scale {@code s0} upwards,
 * and keeps the first that decides the most (split, calibration row) pairs near thresholds as the float model does,
 * judged with the runtime's own {@link InputQuantization#quantize} and {@link ModelQuantizer#integerThreshold}, and
 * counted only with a safety margin: the reading at least {@link #MARGIN} of a step from a rounding boundary and the
 * cell centre at least that far from the threshold, both computed with a fused multiply-add (one rounding of a small
 * difference), so no rounding of the division or of the dequantized value can flip a counted decision. {@code s0}
 * itself is candidate 0, so the fit never does worse on the calibration rows than the calibrated scale. A feature
 * without calibration readings within one step of a threshold keeps {@code s0} exactly: it is not scanned (phantom
 * readings only break ties between candidates, and without real pairs every candidate ties). Candidates that would
 * cover a smaller real range than {@code s0} does are skipped. The scan is bounded per feature ({@link #WORK}) and
 * per model ({@link #MODEL_WORK}, shared out by {@link #allot}); a feature whose share does not pay for one candidate
 * keeps {@code s0}. Deterministic: no randomness, a fixed scan.
 *
 * <p>Thread-safe: stateless.
 */
final class TreeScaleFit {
    /** Fraction of an input step that counted decisions keep from every rounding boundary. */
    static final double MARGIN = 1e-6;
    /** Most candidate scales per feature. */
    static final int MAX_CANDIDATES = 100_000;
    /** Bound on candidates x pairs per feature, so wide int8 cells with many nearby readings stay cheap. */
    static final long WORK = 20_000_000L;
    /**
     * Bound on candidates x (real and phantom) pairs over all features of one model: a 128-feature int32 forest with
     * 1,023 thresholds a feature took 180 s to fit without it (a few real pairs per feature, thousands of phantoms).
     */
    static final long MODEL_WORK = 200_000_000L;

    private TreeScaleFit() {
    }

    /**
     * How far above the calibrated scale the fit may go, as a fraction of it, per scheme (0: not applied). int32
     * (up to twice the scale): one bit of its 2^31 levels. int16 (up to 1.1 times, 0.14 bits): on the occupancy,
     * room-occupancy and LWSNDR trees it took the rows deciding unlike float from 2 (room CART) and 4 (LWSNDR forest)
     * to 0 and changed no other figure (also with 1.01 times). int8: not applied; fitted with 1.01 or 1.1 times it
     * decided some test files better and others worse (occupancy CART on datatest.txt 13 and 21 rows unlike float
     * against 14; LWSNDR CART 11 against 8 with 1.01), so it is not a gain there (ARCHITECTURE.md, "Trees").
     *
     * @param scheme the scheme
     * @return the widening {@code eps}
     */
    static double widening(Scheme scheme) {
        return scheme.valueBits() == 32 ? 1.0 : scheme.valueBits() == 16 ? 0.1 : 0.0;
    }

    /**
     * The fitted scale of one feature.
     *
     * @param scale     the scale
     * @param zeroPoint its zero point
     * @param pairs     (split, calibration row) pairs whose reading lies within one step of the widest candidate
     *                  scale from the split's threshold (the pairs the fit judged)
     * @param before    of those, the pairs the calibrated scale decides as the float model does
     * @param after     of those, the pairs the fitted scale decides as the float model does
     * @param scanned   whether candidates were scanned (false: no pairs, or the work share paid for no candidate)
     */
    record Fit(double scale, long zeroPoint, long pairs, long before, long after, boolean scanned) {
    }

    /**
     * The (split threshold, calibration row) pairs of one feature with the reading within {@code sMax} of the
     * threshold, counting every row (the fit judges distinct readings, so it judges at most this many): the weight by
     * which {@link #allot} shares out the model's work.
     *
     * @param thresholds the feature's distinct thresholds, ascending
     * @param column     the feature's calibration values, any order
     * @param sMax       the widest candidate scale
     * @return the count
     */
    static long rowPairs(double[] thresholds, double[] column, double sMax) {
        long n = 0;
        double w = sMax * (1 + 1e-9); // a little wider than the fit's window, so no rounding drops a pair it judges
        for (double v : column) {
            n += lowerBound(thresholds, thresholds.length, Math.nextUp(v + w))
                    - lowerBound(thresholds, thresholds.length, v - w);
        }
        return n;
    }

    /**
     * The work (candidates x pairs) each feature may spend. A feature without pairs gets 0; the others ask for
     * {@code demand}. When the asks exceed {@code budget} in total it is shared out in proportion to the pair counts
     * (weighted water-filling: a feature never gets more than it asks and what it leaves goes to the others), so the
     * model's total stays within {@code budget}; when they fit, every feature gets what it asks.
     *
     * @param pairs  per feature its pair count ({@link #rowPairs})
     * @param demand per feature the most it can use (at most {@link #WORK})
     * @param budget the model's bound
     * @return per feature its share
     */
    static long[] allot(long[] pairs, long[] demand, long budget) {
        int n = pairs.length;
        long[] share = new long[n];
        Integer[] order = new Integer[n];
        double weight = 0;
        for (int f = 0; f < n; f++) {
            order[f] = f;
            weight += pairs[f] > 0 ? pairs[f] : 0;
        }
        // Least asked per unit of weight first, so what such a feature leaves is shared by the rest (stable order).
        Arrays.sort(order, (a, b) -> Double.compare((double) demand[a] / Math.max(1, pairs[a]),
                (double) demand[b] / Math.max(1, pairs[b])));
        long left = budget;
        for (int f : order) {
            if (pairs[f] <= 0) {
                continue;
            }
            long fair = (long) Math.floor(left * (pairs[f] / weight));
            share[f] = Math.max(0, Math.min(demand[f], Math.min(left, fair)));
            left -= share[f];
            weight -= pairs[f];
        }
        return share;
    }

    /**
     * @param s0         the calibrated scale
     * @param zp0        its zero point
     * @param zeroPoint  the zero point the scheme gives a candidate scale (the calibrated range's centre kept)
     * @param min        smallest valid input
     * @param max        largest valid input
     * @param thresholds the feature's distinct split thresholds, ascending
     * @param splits     per threshold the number of splits using it
     * @param sorted     the feature's calibration values, ascending
     * @param eps        the widening ({@link #widening})
     * @param work       the most candidates x pairs this feature may spend ({@link #allot}, at most {@link #WORK})
     * @return the chosen scale with its zero point and the pair counts
     */
    static Fit fit(double s0, long zp0, DoubleToLongFunction zeroPoint, int min, int max, double[] thresholds,
            int[] splits, double[] sorted, double eps, long work) {
        if (!(eps > 0) || thresholds.length == 0 || sorted.length == 0) {
            return new Fit(s0, zp0, 0, 0, 0, false);
        }
        // Distinct calibration values with their row counts.
        double[] value = new double[sorted.length];
        long[] rows = new long[sorted.length];
        int nv = 0;
        for (double v : sorted) {
            if (nv > 0 && value[nv - 1] == v) {
                rows[nv - 1]++;
            } else {
                value[nv] = v;
                rows[nv++] = 1;
            }
        }
        double sMax = s0 * (1 + eps);
        // The pairs that can decide unlike float under some candidate: reading within one step of the threshold.
        int[] pairT = new int[16];
        double[] pairV = new double[16];
        long[] pairW = new long[16];
        int np = 0;
        long total = 0;
        for (int j = 0; j < thresholds.length; j++) {
            double t = thresholds[j];
            int from = lowerBound(value, nv, t - sMax);
            for (int k = from; k < nv && value[k] <= t + sMax; k++) {
                if (np == pairT.length) {
                    pairT = Arrays.copyOf(pairT, 2 * np);
                    pairV = Arrays.copyOf(pairV, 2 * np);
                    pairW = Arrays.copyOf(pairW, 2 * np);
                }
                pairT[np] = j;
                pairV[np] = value[k];
                pairW[np] = rows[k] * splits[j];
                total += pairW[np];
                np++;
            }
        }
        if (np == 0) {
            // Without real pairs every candidate ties on them: phantoms alone would move the scale for nothing.
            return new Fit(s0, zp0, 0, 0, 0, false);
        }
        // Readings the calibration rows may lack but field data holds: the threshold itself (a midpoint of two
        // two-decimal values that is a third) and the short decimal within two ulps of it (25.69 beside
        // 25.689999999999998). They only break ties between candidates equal on the calibration pairs.
        int[] phantomT = new int[2 * thresholds.length];
        double[] phantomV = new double[2 * thresholds.length];
        long[] phantomW = new long[2 * thresholds.length];
        int nph = 0;
        for (int j = 0; j < thresholds.length; j++) {
            phantomT[nph] = j;
            phantomV[nph] = thresholds[j];
            phantomW[nph++] = splits[j];
            double d = shortDecimal(thresholds[j]);
            if (d != thresholds[j]) {
                phantomT[nph] = j;
                phantomV[nph] = d;
                phantomW[nph++] = splits[j];
            }
        }
        long phantomTotal = 0;
        for (int p = 0; p < nph; p++) {
            phantomTotal += phantomW[p];
        }
        long[] base = score(s0, zp0, min, max, thresholds, pairT, pairV, pairW, np);
        long basePhantom = score(s0, zp0, min, max, thresholds, phantomT, phantomV, phantomW, nph)[0];
        long candidates = Math.min(MAX_CANDIDATES, Math.min(WORK, work) / (np + nph));
        if (candidates < 1) {
            return new Fit(s0, zp0, total, base[1], base[1], false);
        }
        double coverLo = s0 * ((double) min - zp0 - 0.5);
        double coverHi = s0 * ((double) max - zp0 + 0.5);
        double bestScale = s0;
        long bestZp = zp0;
        long[] best = base;
        long bestPhantom = basePhantom;
        double previous = s0;
        for (int k = 1; k <= candidates && (best[0] < total || bestPhantom < phantomTotal); k++) {
            double s = s0 * (1 + eps * k / candidates);
            if (s == previous) {
                continue;
            }
            previous = s;
            long zp = zeroPoint.applyAsLong(s);
            if (Math.abs(zp) > InputQuantization.ZERO_POINT_LIMIT || s * ((double) min - zp - 0.5) > coverLo
                    || s * ((double) max - zp + 0.5) < coverHi) {
                continue;
            }
            long[] sc = score(s, zp, min, max, thresholds, pairT, pairV, pairW, np);
            if (sc[0] < best[0] || sc[1] < base[1]) {
                continue;
            }
            long ph = score(s, zp, min, max, thresholds, phantomT, phantomV, phantomW, nph)[0];
            if (sc[0] > best[0] || ph > bestPhantom) {
                best = sc;
                bestPhantom = ph;
                bestScale = s;
                bestZp = zp;
            }
        }
        return new Fit(bestScale, bestZp, total, base[1], best[1], true);
    }

    /**
     * @return {weight decided as float with the margin, weight decided as float by the runtime}
     */
    private static long[] score(double s, long zp, int min, int max, double[] thresholds, int[] pairT, double[] pairV,
            long[] pairW, int np) {
        InputQuantization in = new InputQuantization(new double[] {s}, new long[] {zp}, min, max);
        long margin = 0;
        long runtime = 0;
        int lastT = -1;
        long tq = 0;
        for (int p = 0; p < np; p++) {
            double t = thresholds[pairT[p]];
            if (pairT[p] != lastT) {
                lastT = pairT[p];
                tq = ModelQuantizer.integerThreshold(in, 0, t);
            }
            double v = pairV[p];
            int q = in.quantize(0, v);
            if ((q > tq) != (v > t)) {
                continue;
            }
            runtime += pairW[p];
            double k = (double) q - (double) zp;
            // v - s*k and s*k - t with one rounding each: the reading's place in its cell, the centre's distance.
            double offset = Math.fma(-s, k, v);
            double centre = Math.fma(s, k, -t);
            // A centre exactly on the threshold (a power-of-two scale and a dyadic threshold) is exact, not fragile.
            if (Math.abs(offset) <= s * (0.5 - MARGIN) && (Math.abs(centre) >= s * MARGIN || centre == 0)) {
                margin += pairW[p];
            }
        }
        return new long[] {margin, runtime};
    }

    /** The double nearest the shortest decimal within two ulps of {@code t} ({@code t} itself if none is). */
    static double shortDecimal(double t) {
        java.math.BigDecimal b = new java.math.BigDecimal(t);
        for (int digits = 1; digits <= 17; digits++) {
            double d = b.round(new java.math.MathContext(digits, java.math.RoundingMode.HALF_EVEN)).doubleValue();
            if (Math.abs(d - t) <= 2 * Math.ulp(t)) {
                return d;
            }
        }
        return t;
    }

    /** First index in value[0..n) with value >= x. */
    private static int lowerBound(double[] value, int n, double x) {
        int a = 0;
        int b = n;
        while (a < b) {
            int m = (a + b) >>> 1;
            if (value[m] < x) {
                a = m + 1;
            } else {
                b = m;
            }
        }
        return a;
    }
}
