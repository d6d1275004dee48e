package io.edgeloop.quantize.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.ir.DecisionTree;
import io.edgeloop.quantize.ir.TreeEnsembleModel;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.QuantizedArtifact;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The caller's input and output arrays count in {@code report.json}'s {@code fits} (reviewer's repro
 * 06-ram-fits.sh: a 594-class tree reported ramBytes 2 and fits true while its int32_t output[594] alone is 2,376 B
 * of the ATmega328P's 2,048), and avr8 parity falls back to the ATmega2560 on a RAM overflow, or says clearly that
 * the image fits neither part.
 */
class CallerBufferRamTest {
    /** A balanced tree over f0 with one leaf per class, 8 features. */
    private static IntModel manyClasses(int classes) {
        int n = 2 * classes - 1;
        int[] f = new int[n];
        double[] t = new double[n];
        int[] l = new int[n];
        int[] r = new int[n];
        double[] v = new double[n];
        build(0, classes, new int[1], f, t, l, r, v);
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("c" + c);
        }
        TreeEnsembleModel fm = new TreeEnsembleModel(TestModels.names(8), names,
                List.of(new DecisionTree(f, t, l, r, v)));
        Random rnd = new Random(4);
        double[][] rows = new double[classes * 2][8];
        for (int i = 0; i < rows.length; i++) {
            rows[i][0] = i % classes;
            for (int j = 1; j < 8; j++) {
                rows[i][j] = rnd.nextGaussian();
            }
        }
        return new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(fm, rows);
    }

    /** Writes the subtree for classes [a, b) in pre-order from node {@code next[0]} on; returns its root. */
    private static int build(int a, int b, int[] next, int[] f, double[] t, int[] l, int[] r, double[] v) {
        int n = next[0]++;
        f[n] = -1;
        v[n] = a;
        if (b - a > 1) {
            int mid = (a + b) / 2;
            f[n] = 0;
            t[n] = mid - 0.5;
            l[n] = build(a, mid, next, f, t, l, r, v);
            r[n] = build(mid, b, next, f, t, l, r, v);
        }
        return n;
    }

    @Test
    @DisplayName("report.json counts the caller's input and output arrays in fits: a 594-class tree does not fit the ATmega328P")
    void reportCountsTheCallersBuffers() throws IOException {
        IntModel m = manyClasses(594);
        QuantizedArtifact a = new QuantizedArtifact(m, TargetProfile.AVR8, "min-max",
                Provenance.capture("quantized-model", CallerBufferRamTest.class).build());
        JsonNode r = new ObjectMapper().readTree(a.files().get("report.json"));
        assertEquals(8, r.get("inputBufferBytes").asLong(), r.toString());
        assertEquals(594 * 4, r.get("outputBufferBytes").asLong(), r.toString());
        assertEquals(r.get("ramBytes").asLong() + 8 + 594 * 4, r.get("ramBytesWithBuffers").asLong(), r.toString());
        assertEquals(2048, r.get("targetRamBytes").asLong());
        assertEquals(false, r.get("fits").asBoolean(), r.toString());
        assertTrue(r.get("fitsCounts").asText().contains("inputBufferBytes + outputBufferBytes"), r.toString());
        // 300 classes: 1,200 + 8 bytes of buffers fit beside the model.
        JsonNode small = new ObjectMapper().readTree(new QuantizedArtifact(manyClasses(300), TargetProfile.AVR8,
                "min-max", Provenance.capture("quantized-model", CallerBufferRamTest.class).build()).files()
                .get("report.json"));
        assertEquals(true, small.get("fits").asBoolean(), small.toString());
    }

    @Test
    @DisplayName("avr8 parity of a model whose buffers overflow the ATmega328P's RAM runs on the ATmega2560, and a "
            + "model too large for both fails with a one-line reason")
    void avrParityFallsBackOnRamOverflow() throws IOException {
        Assumptions.assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty(), "avr-gcc and simavr are needed");
        ParityResult r = new ParityHarness(300).run(manyClasses(594), ParityTarget.AVR8, 200, 3);
        assertEquals("atmega2560", r.simulatedMcu(), r.toString());
        assertEquals(0, r.mismatches(), r.toString());
        assertEquals(r.javaHash(), r.deviceHash(), r.toString());
        // Its output array does not fit the ATmega328P's RAM even beside the minimal timing driver: no cycle count is
        // the 328P's, and the ATmega2560's is reported under its own name (it used to be cyclesPerInference).
        assertTrue(r.cyclesPerInference().isEmpty(), r.toString());
        assertTrue(r.simulatedMcuCyclesPerInference().isPresent(), r.toString());
        java.util.Map<String, Object> json = r.toMap();
        assertEquals(null, json.get("cyclesPerInference"), json.toString());
        assertEquals(null, json.get("cyclesMcu"), json.toString());
        assertEquals(r.simulatedMcuCyclesPerInference().getAsLong(), json.get("simulatedMcuCyclesPerInference"));
        assertTrue(r.cyclesSource().startsWith("not measured on the ATmega328P") && r.cyclesSource().contains(
                "atmega2560 parity run counted"), r.cyclesSource());
        // int32_t output[2100] is 8,400 B: more than the ATmega2560's 8 KiB of RAM.
        IOException e = assertThrows(IOException.class,
                () -> new ParityHarness(300).run(manyClasses(2100), ParityTarget.AVR8, 10, 3));
        assertTrue(e.getMessage().startsWith("The avr8 parity image (model.c, the test driver and the caller's input "
                + "and output arrays) does not fit the atmega328p nor the atmega2560"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
