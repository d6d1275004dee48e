package io.edgeloop.quantize.parity;

import io.edgeloop.quantize.runtime.InputQuantization;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.IntTreeEnsemble;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Test vectors shared by the Java side and the device driver: a fixed list of edge vectors (range ends, the
 * integer that stands for real zero, tree thresholds and their neighbours) followed by pseudo-random vectors from
 * xorshift32, which the generated C driver reproduces exactly, so thousands of vectors need no storage on the
 * device (one draw feeds four int8 or two int16 inputs, to keep 8-bit targets fast). Outputs are folded into an
 * FNV-1a hash over their little-endian int32 bytes.
 *
 * <p>Thread-safe: stateless.
 */
public final class TestVectors {
    /** FNV-1a 32-bit offset basis. */
    public static final int FNV_OFFSET = 0x811c9dc5;
    /** FNV-1a 32-bit prime. */
    public static final int FNV_PRIME = 0x01000193;

    private TestVectors() {
    }

    /**
     * One xorshift32 step ({@code x ^= x << 13; x ^= x >>> 17; x ^= x << 5}).
     *
     * @param x the state, non-zero
     * @return the next state
     */
    public static int xorshift32(int x) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        return x;
    }

    /**
     * @param seed a seed
     * @return a non-zero xorshift32 state for it
     */
    public static int initialState(long seed) {
        int s = (int) (seed ^ (seed >>> 32));
        return s == 0 ? 0x9E3779B9 : s;
    }

    /**
     * The random range of feature inputs: the whole valid range for 8/16-bit inputs, [-2^24, 2^24] for Q-format
     * 32-bit inputs (whose calibrated values lie within +-2^23).
     *
     * @param iq the input quantization
     * @return {@code {lo, hi}}
     */
    public static long[] randomRange(InputQuantization iq) {
        long lo = Math.max(iq.min(), -(1L << 24));
        long hi = Math.min(iq.max(), (1L << 24) - 1);
        return new long[] {lo, hi};
    }

    /**
     * How many features one xorshift32 draw feeds: 4 for a 256-value span (one byte each), 2 for 65536, else 1.
     *
     * @param span {@code hi - lo + 1}
     * @return features per draw
     */
    public static int featuresPerDraw(long span) {
        return span == 256 ? 4 : span == 65536 ? 2 : 1;
    }

    /**
     * Edge vectors: all minimum, all maximum, every feature at its zero point (clamped), and for trees each
     * threshold, threshold + 1 and threshold - 1 on its feature with the others at the zero point.
     *
     * @param model the model
     * @param limit the largest number of edge vectors to return
     * @return the edge vectors
     */
    public static List<int[]> edges(IntModel model, int limit) {
        InputQuantization iq = model.input();
        int n = iq.size();
        Set<List<Integer>> seen = new LinkedHashSet<>();
        List<int[]> out = new ArrayList<>();
        int[] base = base(model);
        add(out, seen, filled(n, iq.min()), limit);
        add(out, seen, filled(n, iq.max()), limit);
        add(out, seen, base.clone(), limit);
        for (int i = 0; i < n && out.size() < limit; i++) {
            int[] v = base.clone();
            v[i] = iq.min();
            add(out, seen, v, limit);
            v = base.clone();
            v[i] = iq.max();
            add(out, seen, v, limit);
        }
        if (model instanceof IntTreeEnsemble) {
            IntTreeEnsemble t = (IntTreeEnsemble) model;
            for (int node = 0; node < t.nodes() && out.size() < limit; node++) {
                if (t.feature(node) < 0) {
                    continue;
                }
                for (long d = -1; d <= 1; d++) {
                    int[] v = base.clone();
                    v[t.feature(node)] = clamp(iq, t.threshold(node) + d);
                    add(out, seen, v, limit);
                }
            }
        }
        return out;
    }

    /**
     * @param model the model
     * @return every feature at its zero point, clamped to the input range (the sweep's background vector)
     */
    public static int[] base(IntModel model) {
        InputQuantization iq = model.input();
        int[] base = new int[iq.size()];
        for (int i = 0; i < base.length; i++) {
            base[i] = clamp(iq, iq.zeroPoint(i));
        }
        return base;
    }

    /**
     * The threshold sweep of a tree ensemble: for every split with integer threshold {@code T} on feature
     * {@code f}, the values {@code T - 1}, {@code T} and {@code T + 1} (clamped to the input range) as
     * {@code {f, value}} pairs without repeats; each pair is run as {@link #base} with feature {@code f} set to the
     * value. Empty for networks.
     *
     * @param model the model
     * @return the pairs
     */
    public static List<int[]> thresholdSweep(IntModel model) {
        List<int[]> out = new ArrayList<>();
        if (!(model instanceof IntTreeEnsemble)) {
            return out;
        }
        IntTreeEnsemble t = (IntTreeEnsemble) model;
        InputQuantization iq = model.input();
        Set<List<Integer>> seen = new LinkedHashSet<>();
        for (int node = 0; node < t.nodes(); node++) {
            if (t.feature(node) < 0) {
                continue;
            }
            for (long d = -1; d <= 1; d++) {
                int[] pair = {t.feature(node), clamp(iq, t.threshold(node) + d)};
                if (seen.add(List.of(pair[0], pair[1]))) {
                    out.add(pair);
                }
            }
        }
        return out;
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static void add(List<int[]> out, Set<List<Integer>> seen, int[] v, int limit) {
        if (out.size() >= limit) {
            return;
        }
        List<Integer> key = new ArrayList<>();
        for (int x : v) {
            key.add(x);
        }
        if (seen.add(key)) {
            out.add(v);
        }
    }

    private static int clamp(InputQuantization iq, long v) {
        return (int) Math.max(iq.min(), Math.min(iq.max(), v));
    }

    /**
     * Fills {@code v} with the next pseudo-random vector, exactly as the C driver does.
     *
     * @param state the xorshift32 state (updated in place, element 0)
     * @param lo    per-vector lower bound
     * @param hi    upper bound
     * @param v     receives the vector
     */
    public static void random(int[] state, long lo, long hi, int[] v) {
        long span = hi - lo + 1;
        int per = featuresPerDraw(span);
        int bits = 32 / per;
        for (int i = 0; i < v.length; i++) {
            if (i % per == 0) {
                state[0] = xorshift32(state[0]);
            }
            long r = Integer.toUnsignedLong(state[0]);
            if (per > 1) {
                v[i] = (int) (lo + ((r >>> (bits * (i % per))) & (span - 1)));
            } else {
                v[i] = (int) (lo + (span >= (1L << 32) ? r : r % span));
            }
        }
    }

    /**
     * Folds outputs into an FNV-1a hash, byte by byte, little-endian.
     *
     * @param hash    the running hash
     * @param outputs the outputs
     * @return the new hash
     */
    public static int hash(int hash, int[] outputs) {
        int h = hash;
        for (int o : outputs) {
            for (int b = 0; b < 4; b++) {
                h ^= (o >>> (8 * b)) & 0xff;
                h *= FNV_PRIME;
            }
        }
        return h;
    }

    /**
     * All vectors: the edges followed by random ones, {@code count} in total.
     *
     * @param model the model
     * @param count how many
     * @param seed  the seed
     * @return the vectors
     */
    public static int[][] all(IntModel model, int count, long seed) {
        return all(model, count, seed, 64);
    }

    /**
     * All vectors with a limit on the number of edge vectors.
     *
     * @param model     the model
     * @param count     how many
     * @param seed      the seed
     * @param edgeLimit the largest number of edge vectors
     * @return the vectors
     */
    public static int[][] all(IntModel model, int count, long seed, int edgeLimit) {
        List<int[]> e = edges(model, Math.min(count, edgeLimit));
        int[][] out = new int[count][];
        int k = 0;
        for (; k < e.size(); k++) {
            out[k] = e.get(k);
        }
        int[] st = {initialState(seed)};
        long[] range = randomRange(model.input());
        for (; k < count; k++) {
            out[k] = new int[model.inputSize()];
            random(st, range[0], range[1], out[k]);
        }
        return out;
    }
}
