package io.edgeloop.quantize.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.codegen.GeneratedSources;
import io.edgeloop.quantize.ir.DecisionTree;
import io.edgeloop.quantize.ir.TreeEnsembleModel;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Models with many outputs print sample lines far longer than simavr's 256-character UART buffer: the harness
 * prints them in short self-describing chunks and reassembles anything simavr cut, so a clean build reports 0
 * mismatches and an edited {@code model.c} is still caught sample by sample.
 */
class LongOutputParityTest {
    private static final long SEED = 20261130L;

    /** Formats device text as simavr 1.6 prints UART output: 256-character pieces, newline as '.', colours. */
    private static String simavrStyle(String device) {
        StringBuilder b = new StringBuilder();
        StringBuilder piece = new StringBuilder();
        for (char c : device.toCharArray()) {
            piece.append(c == '\n' ? '.' : c);
            if (c == '\n' || piece.length() == ParityHarness.SIMAVR_LINE) {
                b.append("\u001B[32m").append(piece).append("\n\u001B[0m");
                piece.setLength(0);
            }
        }
        return b.append("Loaded 4970 .text at address 0x0\n").toString();
    }

    @Test
    @DisplayName("simavr output cut at 256 characters is reassembled into the device's own lines")
    void reassemblesSimavrPieces() {
        StringBuilder device = new StringBuilder();
        StringBuilder longLine = new StringBuilder("S 7 0");
        for (int i = 0; i < 60; i++) {
            longLine.append(' ').append(-2_000_000_000 + i);
        }
        device.append(longLine).append('\n').append("S 9 0 1 2 3 #\n").append("H 10 42\n").append("EDGELOOP-DONE\n");
        assertTrue(longLine.length() > 2 * ParityHarness.SIMAVR_LINE, "the line spans three simavr pieces");
        String raw = simavrStyle(device.toString());
        assertTrue(raw.split("\n").length > device.toString().split("\n").length, "simavr cut the long line");
        String clean = ParityHarness.deviceOutput(raw, ParityTarget.AVR8);
        List<String> lines = List.of(clean.split("\n"));
        assertEquals(longLine + ".", lines.get(0));
        assertEquals("S 9 0 1 2 3 #.", lines.get(1));
        assertEquals("EDGELOOP-DONE.", lines.get(3));
        // Other targets print plain lines: nothing is joined there.
        assertEquals(device.toString(), ParityHarness.deviceOutput(device.toString(), ParityTarget.HOST));
    }

    @Test
    @DisplayName("a sample is accepted only when every chunk arrived whole; a cut or missing chunk drops the vector")
    void acceptsOnlyWholeSamples() {
        String out = "S 0 0 1 2 3 4 5 6 7 8 #\nS 0 8 9 10 #\n"   // complete: 10 outputs in two chunks
                + "S 3 0 1 2 3 4 5 6 7 8 #\nS 3 8 9 1\n"         // second chunk cut before its '#'
                + "S 6 0 1 2 3 4 5 6 7 8 #\n"                    // second chunk missing
                + "S 9 0 1 2 3 4 5 6 7 8 #\nS 9 8 9 #\n"         // second chunk one value short
                + "S 12 0 1 2 3 4 5 6 7 8 #.\nS 12 8 -9 -10 #.\n"; // simavr's trailing dots are fine
        Map<Long, int[]> s = ParityHarness.samples(out, 10);
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, s.get(0L));
        assertFalse(s.containsKey(3L));
        assertFalse(s.containsKey(6L));
        assertFalse(s.containsKey(9L));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, -9, -10}, s.get(12L));
    }

    /** A 30-class int32 logistic regression: every sample line holds 30 values of up to 11 characters. */
    private static IntModel logistic30() {
        double[][] rows = TestModels.wideRows(3, 2000, 3);
        return new ModelQuantizer(Scheme.INT32, Calibration.MIN_MAX).quantize(TestModels.logistic(3, 30, rows, 4), rows);
    }

    /** A forest of four depth-5 trees voting among 300 classes. */
    private static IntModel manyClassForest() {
        double[][] rows = TestModels.wideRows(4, 1000, 5);
        Random r = new Random(6);
        List<DecisionTree> trees = new ArrayList<>();
        int depth = 5;
        int size = (1 << (depth + 1)) - 1;
        for (int t = 0; t < 4; t++) {
            int[] f = new int[size];
            double[] thr = new double[size];
            int[] left = new int[size];
            int[] right = new int[size];
            double[] val = new double[size];
            for (int node = 0; node < size; node++) {
                if (node < (1 << depth) - 1) {
                    f[node] = r.nextInt(4);
                    thr[node] = rows[r.nextInt(rows.length)][f[node]];
                    left[node] = 2 * node + 1;
                    right[node] = 2 * node + 2;
                } else {
                    f[node] = -1;
                    val[node] = r.nextInt(300);
                }
            }
            trees.add(new DecisionTree(f, thr, left, right, val));
        }
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < 300; c++) {
            classes.add("k" + c);
        }
        TreeEnsembleModel forest = new TreeEnsembleModel(TestModels.names(4), classes, trees);
        return new ModelQuantizer(Scheme.INT16, Calibration.MIN_MAX).quantize(forest, rows);
    }

    @Test
    @DisplayName("on simavr a 30-class int32 logistic regression matches with 0 mismatches, and an edited model.c fails "
            + "on the sampled vectors themselves")
    void thirtyClassLogisticOnSimavr() throws Exception {
        Assumptions.assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty(), "avr-gcc and simavr are needed");
        IntModel m = logistic30();
        assertEquals(30, m.outputSize());
        ParityHarness h = new ParityHarness(300);
        ParityResult clean = h.run(m, ParityTarget.AVR8, 2000, SEED);
        System.out.println("30-class int32 logistic on simavr: " + clean.toMap());
        assertEquals(0, clean.mismatches(), clean.toString());
        assertEquals(clean.javaHash(), clean.deviceHash(), clean.toString());
        assertTrue(clean.samplesCompared() >= 32, clean.toString());
        assertEquals("atmega328p", clean.simulatedMcu());

        GeneratedSources src = new CCodeGenerator().generate(m, TargetProfile.AVR8);
        Matcher w = Pattern.compile("(L0_W\\[\\d+\\] EL_ROM = \\{)([^}]*)\\}").matcher(src.source());
        assertTrue(w.find(), "weight table in model.c");
        String[] vals = w.group(2).trim().split("\\s*,\\s*");
        // Class 0's weight on feature 0, moved by a large step: class 0's score differs on almost every vector.
        long w0 = Long.parseLong(vals[0].trim().replaceAll("^INT32_C\\((.*)\\)$", "$1"));
        vals[0] = "INT32_C(" + (w0 / 2 + 12345) + ")";
        String edited = src.source().substring(0, w.start(2)) + "\n    " + String.join(", ", vals) + "\n"
                + src.source().substring(w.end(2));
        ParityResult bad = h.run(m, new GeneratedSources(src.header(), edited), ParityTarget.AVR8, 2000, SEED);
        System.out.println("edited 30-class model.c on simavr: " + bad.toMap());
        assertNotEquals(bad.javaHash(), bad.deviceHash(), bad.toString());
        // Far more than the "hashes differ" floor of 1: the long samples were read and compared value by value.
        assertTrue(bad.mismatches() >= bad.samplesCompared() / 2, bad.toString());
    }

    @Test
    @DisplayName("on simavr a 300-class int16 forest (300 outputs per sample) matches with 0 mismatches")
    void manyClassForestOnSimavr() throws Exception {
        Assumptions.assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty(), "avr-gcc and simavr are needed");
        IntModel m = manyClassForest();
        assertEquals(300, m.outputSize());
        ParityResult r = new ParityHarness(300).run(m, ParityTarget.AVR8, 1000, SEED);
        System.out.println("300-class int16 forest on simavr: " + r.toMap());
        assertEquals(0, r.mismatches(), r.toString());
        assertEquals(r.javaHash(), r.deviceHash(), r.toString());
        assertTrue(r.samplesCompared() >= 32, r.toString());
    }
}
