package io.edgeloop.quantize.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.codegen.Toolchain;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Without the target's compiler, {@code report.json} never presents a parameter count as a flash size: it used to
 * write {@code flashBytes} = parameter bytes and decide {@code fits} on it (with only a note in {@code sizeSource}),
 * so a script reading {@code flashBytes} took 9 parameter bytes for the occupancy model's 176 bytes of flash.
 */
class UnmeasuredSizeReportTest {
    private static Map<String, Object> report(IntModel m, TargetProfile target, boolean compile) {
        QuantizedArtifact a = new QuantizedArtifact(m, target, "min-max",
                Provenance.capture("quantized-model", UnmeasuredSizeReportTest.class).build());
        return SizeReport.of(a, new CCodeGenerator().generate(m, target), compile).toMap();
    }

    private static IntModel logistic() {
        double[][] rows = TestModels.wideRows(6, 300, 2);
        return new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(TestModels.logistic(6, 3, rows, 2), rows);
    }

    @Test
    @DisplayName("a small model without the compiler: flash, RAM and stack are null, the estimates are apart and "
            + "fits is unknown, with a note saying what to install")
    void smallModelFitsIsUnknown() {
        IntModel m = logistic();
        Map<String, Object> r = report(m, TargetProfile.AVR8, false);
        for (String k : new String[] {"flashBytes", "ramBytes", "stackBytes", "ramBytesWithBuffers", "fits"}) {
            assertTrue(r.containsKey(k), k + " stays a key for scripts: " + r);
            assertNull(r.get(k), k + " is not a measurement: " + r);
        }
        assertEquals(m.parameterBytes(), ((Number) r.get("estimatedFlashBytes")).longValue(), r.toString());
        assertTrue(((Number) r.get("estimatedRamBytes")).longValue() >= Toolchain.ESTIMATED_FRAME_OVERHEAD, r.toString());
        assertTrue(String.valueOf(r.get("fitsNote")).startsWith("unknown: avr-gcc is not installed"), r.toString());
        assertTrue(String.valueOf(r.get("sizeSource")).startsWith("not measured (avr-gcc is not installed)")
                && String.valueOf(r.get("sizeSource")).contains("lower bound"), r.toString());
    }

    @Test
    @DisplayName("a model whose parameters alone exceed the part's flash does not fit, measured or not")
    void parametersOverTheFlashDoNotFit() {
        double[][] rows = TestModels.wideRows(150, 300, 3);
        // 150-200-100-3: every table under avr-gcc's 32,767-byte object limit, ~50 KB of parameters together
        IntModel m = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(TestModels.mlp(150, rows, 3, 200),
                rows);
        assertTrue(m.parameterBytes() > TargetProfile.AVR8.flashBytes(), "the premise: " + m.parameterBytes());
        Map<String, Object> r = report(m, TargetProfile.AVR8, false);
        assertEquals(Boolean.FALSE, r.get("fits"), r.toString());
        assertNull(r.get("flashBytes"), r.toString());
        assertTrue(String.valueOf(r.get("fitsNote")).contains("its parameters alone (" + m.parameterBytes()),
                r.toString());
    }

    @Test
    @DisplayName("with the compiler, flashBytes, ramBytes and fits are measured and no estimate is written")
    void measuredReportHasNoEstimates() {
        Assumptions.assumeTrue(Toolchain.AVR.available(), "avr-gcc is needed");
        Map<String, Object> r = report(logistic(), TargetProfile.AVR8, true);
        assertInstanceOf(Number.class, r.get("flashBytes"), r.toString());
        assertInstanceOf(Number.class, r.get("ramBytesWithBuffers"), r.toString());
        assertEquals(Boolean.TRUE, r.get("fits"), r.toString());
        assertFalse(r.containsKey("estimatedFlashBytes") || r.containsKey("fitsNote"), r.toString());
    }
}
