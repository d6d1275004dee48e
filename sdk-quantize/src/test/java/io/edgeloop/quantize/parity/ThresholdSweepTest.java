package io.edgeloop.quantize.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.Datasets;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.codegen.GeneratedSources;
import io.edgeloop.quantize.importer.TribuoImporter;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.IntTreeEnsemble;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import io.edgeloop.api.target.TargetProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The tree threshold sweep reaches every split: moving any one threshold by one changes the output of at least one
 * sweep vector (the reviewer's tamper experiment, for every split node), and a sweep larger than one image's flash
 * budget runs in several device runs that still cover every split.
 */
class ThresholdSweepTest {
    private static IntTreeEnsemble forest8;
    private static IntTreeEnsemble forest16;

    @BeforeAll
    static void train() throws Exception {
        CsvData occ = Datasets.occupancyTrain();
        FloatModel fm = new TribuoImporter().fromModel(TribuoTraining.train(occ, "forest", 3));
        double[][] calib = occ.rowsInOrder(fm.featureNames());
        forest8 = (IntTreeEnsemble) new ModelQuantizer(Scheme.INT8, Calibration.AUTO).quantize(fm, calib);
        forest16 = (IntTreeEnsemble) new ModelQuantizer(Scheme.INT16, Calibration.AUTO).quantize(fm, calib);
    }

    /** A copy of {@code m} with the threshold of {@code node} moved by {@code delta}. */
    private static IntTreeEnsemble edited(IntTreeEnsemble m, int node, int delta) {
        int n = m.nodes();
        int[] roots = new int[m.trees()];
        for (int t = 0; t < roots.length; t++) {
            roots[t] = m.root(t);
        }
        int[] feature = new int[n];
        long[] threshold = new long[n];
        double[] floatThreshold = new double[n];
        int[] left = new int[n];
        int[] right = new int[n];
        int[] value = new int[n];
        for (int i = 0; i < n; i++) {
            feature[i] = m.feature(i);
            threshold[i] = m.threshold(i) + (i == node ? delta : 0);
            floatThreshold[i] = m.floatThreshold(i);
            left[i] = m.left(i);
            right[i] = m.right(i);
            value[i] = m.value(i);
        }
        int[] votes = null;
        if (m.hasVotes()) {
            int c = m.outputSize();
            votes = new int[m.voteRows() * c];
            for (int r = 0; r < m.voteRows(); r++) {
                for (int k = 0; k < c; k++) {
                    votes[r * c + k] = m.vote(r, k);
                }
            }
        }
        return new IntTreeEnsemble(m.scheme(), m.featureNames(), m.classNames(), m.input(), roots, feature, threshold,
                floatThreshold, left, right, value, m.leafScale(), votes, m.voteScale());
    }

    /** Per feature {lo, hi} of the inputs that reach {@code node} (found by a search from the roots). */
    private static long[][] box(IntTreeEnsemble m, int node) {
        for (int t = 0; t < m.trees(); t++) {
            long[][] b = new long[m.inputSize()][];
            for (int i = 0; i < b.length; i++) {
                b[i] = new long[] {m.input().min(), m.input().max()};
            }
            long[][] found = find(m, m.root(t), node, b);
            if (found != null) {
                return found;
            }
        }
        throw new AssertionError("node " + node + " is in no tree");
    }

    private static long[][] find(IntTreeEnsemble m, int at, int node, long[][] b) {
        if (at == node) {
            return b;
        }
        if (m.feature(at) < 0) {
            return null;
        }
        long[][] l = new long[b.length][];
        long[][] r = new long[b.length][];
        for (int i = 0; i < b.length; i++) {
            l[i] = b[i].clone();
            r[i] = b[i].clone();
        }
        l[m.feature(at)][1] = Math.min(l[m.feature(at)][1], m.threshold(at));
        r[m.feature(at)][0] = Math.max(r[m.feature(at)][0], m.threshold(at) + 1);
        long[][] x = find(m, m.left(at), node, l);
        return x != null ? x : find(m, m.right(at), node, r);
    }

    /** True when an interval of the box is empty: quantization merged two thresholds on the path. */
    private static boolean unreachable(long[][] b) {
        for (long[] iv : b) {
            if (iv[0] > iv[1]) {
                return true;
            }
        }
        return false;
    }

    private static int leaf(IntTreeEnsemble m, int n, int[] v) {
        while (m.feature(n) >= 0) {
            n = v[m.feature(n)] > m.threshold(n) ? m.right(n) : m.left(n);
        }
        return m.value(n);
    }

    /**
     * Whether some input that reaches {@code node} with its feature at {@code x} gets different leaves from the two
     * subtrees, found by sampling the box (a move across {@code x} is then visible in the output).
     */
    private static boolean observable(IntTreeEnsemble m, int node, long x, Random r) {
        long[][] b = box(m, node);
        int f = m.feature(node);
        if (x < b[f][0] || x > b[f][1] || unreachable(b)) {
            return false;
        }
        int[] v = new int[b.length];
        for (int s = 0; s < 20_000; s++) {
            for (int i = 0; i < v.length; i++) {
                long lo = b[i][0];
                long hi = b[i][1];
                v[i] = i == f ? (int) x : (int) (lo + (long) Math.floor(r.nextDouble() * (hi - lo + 1)));
            }
            if (leaf(m, m.left(node), v) != leaf(m, m.right(node), v)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The splits whose threshold moved by {@code delta} changes no sweep output although sampling finds inputs
     * whose output it changes; {@code invisible[0]} counts the moves that sampling finds invisible to every input.
     */
    private static List<String> undetected(IntTreeEnsemble m, int delta, int[] invisible) {
        int[] base = TestVectors.base(m);
        List<int[]> vectors = new ArrayList<>();
        for (int[] e : TestVectors.thresholdSweep(m)) {
            vectors.add(TestVectors.apply(base, e));
        }
        List<int[]> expected = new ArrayList<>();
        for (int[] v : vectors) {
            expected.add(m.predict(v));
        }
        Random r = new Random(11);
        List<String> missed = new ArrayList<>();
        for (int node = 0; node < m.nodes(); node++) {
            if (m.feature(node) < 0) {
                continue;
            }
            IntTreeEnsemble e = edited(m, node, delta);
            boolean seen = false;
            for (int i = 0; i < vectors.size() && !seen; i++) {
                seen = !Arrays.equals(expected.get(i), e.predict(vectors.get(i)));
            }
            // +1 moves T + 1 from the right subtree to the left one, -1 moves T from the left to the right.
            if (!seen && observable(m, node, delta > 0 ? m.threshold(node) + 1 : m.threshold(node), r)) {
                missed.add("node " + node + " (feature " + m.feature(node) + ", T " + m.threshold(node) + ")");
            } else if (!seen) {
                invisible[0]++;
            }
        }
        return missed;
    }

    private static int splits(IntTreeEnsemble m) {
        int s = 0;
        for (int i = 0; i < m.nodes(); i++) {
            s += m.feature(i) >= 0 ? 1 : 0;
        }
        return s;
    }

    @Test
    @DisplayName("every split of an int8 and an int16 occupancy forest, moved by +1 or -1, changes a sweep output "
            + "unless no input could show the move")
    void everySplitOffByOneIsCaught() {
        for (IntTreeEnsemble m : List.of(forest8, forest16)) {
            assertTrue(splits(m) > 100, "a forest with many splits: " + splits(m));
            for (int delta : new int[] {1, -1}) {
                int[] invisible = {0};
                List<String> missed = undetected(m, delta, invisible);
                System.out.printf("%s forest, %d splits, threshold %+d: %d caught by the sweep, %d invisible to every "
                        + "input (both subtrees give the same leaf there, or the path excludes the moved value or the split)%n",
                        m.scheme(), splits(m), delta, splits(m) - invisible[0] - missed.size(), invisible[0]);
                assertEquals(List.of(), missed, m.scheme() + " delta " + delta + ": " + missed.size() + " of "
                        + splits(m) + " splits not caught");
                assertTrue(invisible[0] < splits(m) / 2, "most moves are visible: " + invisible[0]);
            }
        }
    }

    @Test
    @DisplayName("every sweep vector set reaches each split whose path allows T-1, T or T+1, with that value on its feature")
    void sweepVectorsFollowTheirPath() {
        int[] base = TestVectors.base(forest8);
        List<int[]> sweep = TestVectors.thresholdSweep(forest8);
        for (int node = 0; node < forest8.nodes(); node++) {
            int f = forest8.feature(node);
            if (f < 0) {
                continue;
            }
            long[][] b = box(forest8, node);
            long t = forest8.threshold(node);
            if (t + 1 < b[f][0] || t - 1 > b[f][1] || unreachable(b)) {
                continue;
            }
            boolean reached = false;
            for (int j = 0; j < sweep.size() && !reached; j++) {
                int[] v = TestVectors.apply(base, sweep.get(j));
                reached = Math.abs(v[f] - t) <= 1 && visits(forest8, v, node);
            }
            assertTrue(reached, "no sweep vector reaches node " + node);
        }
    }

    private static boolean visits(IntTreeEnsemble m, int[] v, int target) {
        for (int t = 0; t < m.trees(); t++) {
            int n = m.root(t);
            while (true) {
                if (n == target) {
                    return true;
                }
                if (m.feature(n) < 0) {
                    break;
                }
                n = v[m.feature(n)] > m.threshold(n) ? m.right(n) : m.left(n);
            }
        }
        return false;
    }

    @Test
    @DisplayName("a sweep over the flash budget runs in batches on the host: all vectors covered, deep edits in model.c caught")
    void batchesCoverTheWholeSweep() throws Exception {
        Assumptions.assumeTrue(ParityHarness.missingTools(ParityTarget.HOST).isEmpty(), "gcc is needed");
        int total = TestVectors.thresholdSweep(forest8).size();
        ParityHarness small = new ParityHarness(300, 1024);
        List<int[][]> batches = ParityHarness.sweepBatches(TestVectors.thresholdSweep(forest8), 1, 1024);
        assertTrue(batches.size() >= 3, "the sweep needs several images: " + batches.size());
        assertEquals(total, batches.stream().mapToInt(b -> b.length).sum());
        ParityResult clean = small.run(forest8, ParityTarget.HOST, 50, 1);
        assertEquals(0, clean.mismatches(), clean.toString());
        assertEquals(total, clean.thresholdVectors(), clean.toString());
        assertEquals(batches.size(), clean.deviceRuns(), clean.toString());
        assertEquals(clean.javaHash(), clean.deviceHash());
        // The same in one image gives the same final hash: the batches chain it.
        ParityResult one = new ParityHarness(300, 1 << 20).run(forest8, ParityTarget.HOST, 50, 1);
        assertEquals(1, one.deviceRuns());
        assertEquals(one.javaHash(), clean.javaHash());

        // Edit thresholds in the C source (the reviewer's experiment): the last split, one in the middle, the first.
        GeneratedSources src = new CCodeGenerator().generate(forest8, TargetProfile.JVM);
        List<Integer> split = new ArrayList<>();
        for (int i = 0; i < forest8.nodes(); i++) {
            if (forest8.feature(i) >= 0) {
                split.add(i);
            }
        }
        for (int node : List.of(split.get(split.size() - 1), split.get(split.size() / 2), split.get(0))) {
            ParityResult r = small.run(forest8, tamper(src, node, forest8.threshold(node)), ParityTarget.HOST, 1, 1);
            assertTrue(r.mismatches() > 0, "node " + node + ": " + r);
            assertNotEquals(r.javaHash(), r.deviceHash(), r.toString());
        }
    }

    @Test
    @DisplayName("on simavr a sweep split into several AVR images matches, and a deep threshold edit in model.c fails")
    void batchesRunOnAvr() throws Exception {
        Assumptions.assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty(), "avr-gcc and simavr are needed");
        ParityHarness small = new ParityHarness(300, 2048);
        int total = TestVectors.thresholdSweep(forest16).size();
        ParityResult clean = small.run(forest16, ParityTarget.AVR8, 20, 1);
        assertEquals(0, clean.mismatches(), clean.toString());
        assertEquals(total, clean.thresholdVectors(), clean.toString());
        assertTrue(clean.deviceRuns() >= 3, clean.toString());
        GeneratedSources src = new CCodeGenerator().generate(forest16, TargetProfile.AVR8);
        int last = forest16.nodes() - 1;
        Random rnd = new Random(5);
        while (forest16.feature(last) < 0 || !observable(forest16, last, forest16.threshold(last) + 1, rnd)) {
            last--;
        }
        ParityResult r = small.run(forest16, tamper(src, last, forest16.threshold(last)), ParityTarget.AVR8, 1, 1);
        assertTrue(r.mismatches() > 0, "node " + last + ": " + r);
    }

    /** {@code src} with {@code T_T[node]} (which must equal {@code threshold}) plus one. */
    private static GeneratedSources tamper(GeneratedSources src, int node, long threshold) {
        Matcher m = Pattern.compile("(T_T\\[\\d+\\] EL_ROM = \\{)([^}]*)\\}").matcher(src.source());
        assertTrue(m.find(), "threshold table in model.c");
        String[] vals = m.group(2).trim().split("\\s*,\\s*");
        assertEquals(threshold, Long.parseLong(vals[node].trim()), "T_T is indexed by node");
        vals[node] = Long.toString(threshold + 1);
        String c = src.source().substring(0, m.start(2)) + "\n    " + String.join(", ", vals) + "\n"
                + src.source().substring(m.end(2));
        return new GeneratedSources(src.header(), c);
    }
}
