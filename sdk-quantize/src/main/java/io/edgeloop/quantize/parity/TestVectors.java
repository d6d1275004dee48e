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
     * The random range of feature inputs: the whole valid range for 8/16-bit inputs, [-2^30, 2^30) for Q-format
     * 32-bit inputs (whose calibrated values lie within +-2^29 of 0, where the zero point puts their centre).
     *
     * @param iq the input quantization
     * @return {@code {lo, hi}}
     */
    public static long[] randomRange(InputQuantization iq) {
        long lo = Math.max(iq.min(), -(1L << 30));
        long hi = Math.min(iq.max(), (1L << 30) - 1);
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

    /** Leaves enumerated per subtree when looking for a witness, and leaf pairs tried, per split and value. */
    private static final int LEAF_CAP = 4096;
    private static final long PAIR_CAP = 200_000;

    /**
     * The threshold sweep of a tree ensemble: for every split node with integer threshold {@code T} on feature
     * {@code f}, vectors that reach that node and carry {@code T - 1}, {@code T} and {@code T + 1} on {@code f}
     * (those of the three that the path to the node allows). The inputs that reach a node form a box: per feature
     * an interval {@code [lo, hi]} in the quantized domain, narrowed to {@code <= T'} by each ancestor's left turn
     * and to {@code > T'} by each right turn. Within that box, with {@code f} at the value, the sweep looks for a
     * witness: a point where the node's left and right subtrees reach leaves of different value, so moving the
     * threshold across the value changes the tree's output there; every feature takes its {@link #base} value when
     * that lies inside the witness's box and otherwise the box's low end. When the two subtrees agree everywhere in
     * the box (or the search gives up after {@value #PAIR_CAP} leaf pairs), the vector is the box's own point
     * chosen the same way. So every split is exercised at its own threshold on its own path, and moving a threshold
     * by one is caught whenever the move changes the tree's output for some input that reaches the split.
     *
     * <p>A vector is returned as its differences from {@link #base}: {@code {f0, v0, f1, v1, ...}} in increasing
     * feature order, without repeats across the whole sweep. Empty for networks.
     *
     * @param model the model
     * @return the sweep vectors as overrides of the base vector
     */
    public static List<int[]> thresholdSweep(IntModel model) {
        List<int[]> out = new ArrayList<>();
        if (!(model instanceof IntTreeEnsemble)) {
            return out;
        }
        IntTreeEnsemble t = (IntTreeEnsemble) model;
        InputQuantization iq = model.input();
        int n = iq.size();
        int[] base = base(model);
        int[] parent = new int[t.nodes()];
        java.util.Arrays.fill(parent, -1);
        for (int node = 0; node < t.nodes(); node++) {
            if (t.feature(node) >= 0) {
                parent[t.left(node)] = node;
                parent[t.right(node)] = node;
            }
        }
        Set<List<Integer>> seen = new LinkedHashSet<>();
        for (int node = 0; node < t.nodes(); node++) {
            int f = t.feature(node);
            if (f < 0) {
                continue;
            }
            long[][] box = new long[n][];
            for (int i = 0; i < n; i++) {
                box[i] = new long[] {iq.min(), iq.max()};
            }
            for (int child = node, p = parent[node]; p >= 0; child = p, p = parent[p]) {
                narrow(box, t, p, t.left(p) == child);
            }
            if (empty(box)) {
                continue;
            }
            for (long d = -1; d <= 1; d++) {
                long x = t.threshold(node) + d;
                if (x < box[f][0] || x > box[f][1]) {
                    continue;
                }
                long[][] at = copy(box);
                at[f][0] = x;
                at[f][1] = x;
                long[][] w = witness(t, node, at);
                List<Integer> key = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    long[] iv = w == null ? at[i] : w[i];
                    int v = base[i] >= iv[0] && base[i] <= iv[1] ? base[i] : (int) iv[0];
                    if (v != base[i]) {
                        key.add(i);
                        key.add(v);
                    }
                }
                if (seen.add(key)) {
                    out.add(key.stream().mapToInt(Integer::intValue).toArray());
                }
            }
        }
        return out;
    }

    /** A box inside {@code at} where the left and right subtrees of {@code node} reach different leaves, or null. */
    private static long[][] witness(IntTreeEnsemble t, int node, long[][] at) {
        List<long[][]> lb = new ArrayList<>();
        List<Integer> ll = new ArrayList<>();
        List<long[][]> rb = new ArrayList<>();
        List<Integer> rl = new ArrayList<>();
        leaves(t, t.left(node), at, lb, ll);
        leaves(t, t.right(node), at, rb, rl);
        long tried = 0;
        for (int i = 0; i < lb.size(); i++) {
            for (int j = 0; j < rb.size(); j++) {
                if (++tried > PAIR_CAP) {
                    return null;
                }
                if (sameLeaf(t, ll.get(i), rl.get(j))) {
                    continue;
                }
                long[][] x = copy(lb.get(i));
                long[][] y = rb.get(j);
                for (int k = 0; k < x.length; k++) {
                    x[k][0] = Math.max(x[k][0], y[k][0]);
                    x[k][1] = Math.min(x[k][1], y[k][1]);
                }
                if (!empty(x)) {
                    return x;
                }
            }
        }
        return null;
    }

    private static boolean sameLeaf(IntTreeEnsemble t, int a, int b) {
        if (t.value(a) == t.value(b)) {
            return true;
        }
        if (!t.hasVotes()) {
            return false;
        }
        for (int c = 0; c < t.outputSize(); c++) {
            if (t.vote(t.value(a), c) != t.vote(t.value(b), c)) {
                return false;
            }
        }
        return true;
    }

    private static void leaves(IntTreeEnsemble t, int node, long[][] box, List<long[][]> boxes, List<Integer> ids) {
        if (boxes.size() >= LEAF_CAP || empty(box)) {
            return;
        }
        if (t.feature(node) < 0) {
            boxes.add(box);
            ids.add(node);
            return;
        }
        long[][] l = copy(box);
        narrow(l, t, node, true);
        leaves(t, t.left(node), l, boxes, ids);
        long[][] r = copy(box);
        narrow(r, t, node, false);
        leaves(t, t.right(node), r, boxes, ids);
    }

    private static void narrow(long[][] box, IntTreeEnsemble t, int split, boolean left) {
        long[] iv = box[t.feature(split)];
        if (left) {
            iv[1] = Math.min(iv[1], t.threshold(split));
        } else {
            iv[0] = Math.max(iv[0], t.threshold(split) + 1);
        }
    }

    private static boolean empty(long[][] box) {
        for (long[] iv : box) {
            if (iv[0] > iv[1]) {
                return true;
            }
        }
        return false;
    }

    private static long[][] copy(long[][] box) {
        long[][] c = new long[box.length][];
        for (int i = 0; i < box.length; i++) {
            c[i] = box[i].clone();
        }
        return c;
    }

    /**
     * Expands one sweep entry of {@link #thresholdSweep} into a full input vector.
     *
     * @param base      the base vector ({@link #base})
     * @param overrides {@code {f0, v0, f1, v1, ...}}
     * @return a new vector: {@code base} with the overrides applied
     */
    public static int[] apply(int[] base, int[] overrides) {
        int[] v = base.clone();
        for (int i = 0; i < overrides.length; i += 2) {
            v[overrides[i]] = overrides[i + 1];
        }
        return v;
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
