package io.edgeloop.quantize.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.codegen.Toolchain;
import io.edgeloop.quantize.ir.Activation;
import io.edgeloop.quantize.ir.DenseLayer;
import io.edgeloop.quantize.ir.FeatureScaling;
import io.edgeloop.quantize.ir.Head;
import io.edgeloop.quantize.ir.NetworkModel;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.QuantizedArtifact;
import io.edgeloop.quantize.runtime.SizeReport;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AVR limits are reported, never hit blindly (review rev-s4-codegen items 5, 8, 11): one table over avr-gcc's
 * 32 KiB object limit gives {@code fits: false} and a one-line parity refusal instead of the raw compiler error;
 * tables that cannot all lie below 64 KiB (where {@code pgm_read_*} reaches) on the ATmega2560 fall-back are
 * refused before simulating instead of hanging; a device that never answers is stopped after a short, stated time;
 * Cortex-M test images are built with the flags their size is reported for.
 */
class AvrLimitsTest {
    @TempDir
    Path tmp;

    private static QuantizedArtifact artifact(IntModel m) {
        return new QuantizedArtifact(m, TargetProfile.AVR8, "min-max",
                Provenance.capture("quantized-model", AvrLimitsTest.class).build());
    }

    @Test
    @DisplayName("a 40,000-byte int8 weight table: report fits=false naming the table, parity refused in one line")
    void tableOverAvrObjectLimit() throws Exception {
        double[][] rows = TestModels.wideRows(200, 300, 1);
        IntModel m = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX)
                .quantize(TestModels.logistic(200, 200, rows, 2), rows);
        Map<String, Object> r = SizeReport.of(artifact(m), new CCodeGenerator().generate(m, TargetProfile.AVR8)).toMap();
        assertEquals(false, r.get("fits"), r.toString());
        assertTrue(String.valueOf(r.get("fitsNote")).contains("table L0_W of model.c is 40000 bytes, over avr-gcc's "
                + "32767-byte limit"), r.toString());
        assertTrue(String.valueOf(r.get("sizeSource")).startsWith("not measured (avr-gcc cannot build it)"),
                r.toString());
        assertEquals(null, r.get("flashBytes"), "a parameter count is not a flash size: " + r);
        assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty(), "avr-gcc/simavr not installed");
        IOException e = assertThrows(IOException.class, () -> new ParityHarness(120).run(m, ParityTarget.AVR8, 10, 1));
        assertTrue(e.getMessage().startsWith("Cannot run parity on avr8: table L0_W of model.c is 40000 bytes"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** Three 180x180 int8 layers: every table under 32 KiB, 97 KB together. */
    private static IntModel deepNet() {
        Random r = new Random(5);
        int n = 180;
        List<DenseLayer> layers = new ArrayList<>();
        for (int l = 0; l < 3; l++) {
            double[][] w = new double[n][n];
            double[] b = new double[n];
            for (int o = 0; o < n; o++) {
                for (int i = 0; i < n; i++) {
                    w[o][i] = r.nextGaussian() / Math.sqrt(n);
                }
                b[o] = r.nextGaussian() * 0.1;
            }
            layers.add(new DenseLayer(w, b, l < 2 ? Activation.RELU : Activation.NONE));
        }
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            classes.add("c" + c);
        }
        NetworkModel fm = new NetworkModel(TestModels.names(n), classes, FeatureScaling.identity(n), layers,
                Head.SOFTMAX);
        double[][] rows = new double[200][n];
        for (double[] row : rows) {
            for (int i = 0; i < n; i++) {
                row[i] = r.nextGaussian();
            }
        }
        return new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(fm, rows);
    }

    @Test
    @DisplayName("tables past 64 KiB on the ATmega2560 fall-back: refused before simulating, in seconds, one line")
    void progmemPast64KiBIsRefused() {
        assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty(), "avr-gcc/simavr not installed");
        IntModel m = deepNet();
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> new ParityHarness(120).run(m, ParityTarget.AVR8, 10, 1));
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertTrue(e.getMessage().startsWith("Cannot run avr8 parity: on the atmega2560 the PROGMEM tables"),
                e.getMessage());
        assertTrue(e.getMessage().contains("beyond the 64 KiB that pgm_read_* reaches"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(seconds < 100, "refused after compiling, not after a simulator timeout: " + seconds + " s");
    }

    @Test
    @DisplayName("a device that never answers is stopped after the stated first-answer time, not the full limit")
    void silentDeviceIsStoppedEarly() throws Exception {
        assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty(), "avr-gcc/simavr not installed");
        Files.writeString(tmp.resolve("hang.c"), "#include <stdint.h>\nint main(void)\n{\n    volatile uint8_t x = 0;\n"
                + "    for (;;) {\n        x++;\n    }\n}\n", StandardCharsets.UTF_8);
        Toolchain.run(tmp, List.of("avr-gcc", "-mmcu=atmega328p", "-Os", "-o", "hang.elf", "hang.c"), 60);
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> Toolchain.run(tmp, List.of("simavr", "-m", "atmega328p",
                "-f", "16000000", "hang.elf"), 600, ParityHarness.FIRST_ANSWER, 2));
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertTrue(e.getMessage().startsWith("simavr: the device gave no answer within 2 s"), e.getMessage());
        assertTrue(seconds < 30, "stopped after " + seconds + " s");
    }

    @Test
    @DisplayName("Cortex-M test images use the flags report.json's flashBytes are measured with (-Os)")
    void cortexImagesBuildAsSized() {
        for (ParityTarget t : List.of(ParityTarget.CORTEX_M0, ParityTarget.CORTEX_M3, ParityTarget.CORTEX_M4F)) {
            List<String> flags = ParityHarness.imageFlags(t);
            assertEquals(Toolchain.forTarget(t.id()).flags(), flags, t.id());
            assertTrue(flags.contains("-Os") && !flags.contains("-O2"), flags.toString());
        }
    }
}
