package io.edgeloop.quantize.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.codegen.GeneratedSources;
import io.edgeloop.quantize.codegen.Toolchain;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.QuantizedArtifact;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.scheme.WeightScales;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The stack {@code edgeloop_predict} really uses on the Cortex-M0 (16 KiB RAM), measured in qemu by painting the
 * free RAM below the stack pointer, calling it and finding the deepest word it overwrote, against
 * {@code report.json}'s {@code stackBytes} (counted in {@code ramBytes}, so in {@code fits}). The compiler's
 * {@code -fstack-usage} covers {@code model.c}'s own frames only: on ARMv6-M a 64-bit multiply is a call to
 * libgcc's {@code __aeabi_lmul}, which pushes 28 bytes more.
 */
class PredictStackTest {
    private static final Pattern STACK = Pattern.compile("EDGELOOP-STACK (\\d+)");

    private static IntModel model(String kind, int features, int hidden, String scheme) {
        double[][] rows = TestModels.wideRows(features, 500, 11);
        FloatModel m = kind.equals("mlp") ? TestModels.mlp(features, rows, 3, hidden)
                : TestModels.logistic(features, 3, rows, 1);
        return new ModelQuantizer(Scheme.of(scheme, (String) null), Calibration.of("auto"), WeightScales.AUTO)
                .quantizeDetailed(m, rows).model();
    }

    /** A driver that paints the free RAM, calls edgeloop_predict on several inputs and prints the deepest use. */
    private static String driver(IntModel m) {
        return "#include <stdint.h>\n#include <stdio.h>\n#include \"model.h\"\n"
                + "extern uint32_t _ebss;\n"
                + "static edgeloop_input_t in[" + m.inputSize() + "];\nstatic int32_t out[" + m.outputSize() + "];\n"
                + "int main(void)\n{\n    uint32_t sp;\n    uint32_t *lo;\n    uint32_t *hi;\n    uint32_t *p;\n"
                + "    unsigned i;\n    unsigned round;\n    unsigned long worst = 0;\n    uint32_t v = 1u;\n"
                + "    __asm volatile (\"mov %0, sp\" : \"=r\" (sp));\n"
                // above .bss, leave room for what newlib's semihosting set-up may have allocated
                + "    lo = (uint32_t *)((((uintptr_t)&_ebss) + 2048u) & ~(uintptr_t)3u);\n"
                + "    hi = (uint32_t *)(uintptr_t)sp;\n"
                + "    for (round = 0; round < 8; round++) {\n"
                // no division here: on the M0 it is a libgcc call with a stack of its own
                + "        for (i = 0; i < " + m.inputSize() + "u; i++) {\n"
                + "            v = v * 1103515245u + 12345u;\n"
                + "            in[i] = (edgeloop_input_t)((int)((v >> 24) & 0xFFu) - 128);\n        }\n"
                // painted last, so that only edgeloop_predict runs between painting and scanning
                + "        for (p = lo; p < hi; p++) {\n            *p = 0xDEADBEEFu;\n        }\n"
                + "        edgeloop_predict(in, out);\n"
                + "        for (p = lo; p < hi && *p == 0xDEADBEEFu; p++) {\n        }\n"
                + "        if (sp - (uint32_t)(uintptr_t)p > worst) {\n"
                + "            worst = sp - (uint32_t)(uintptr_t)p;\n        }\n    }\n"
                + "    printf(\"EDGELOOP-STACK %lu\\n\", worst);\n    return 0;\n}\n";
    }

    private static long measuredInQemu(IntModel m, GeneratedSources src, Path dir) throws IOException {
        Files.writeString(dir.resolve("model.h"), src.header(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("model.c"), src.source(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("driver.c"), driver(m), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("startup.c"), ArmStartup.STARTUP, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("link.ld"), ArmStartup.linkerScript(16), StandardCharsets.UTF_8);
        // the flags of the size report and of the parity image
        List<String> cmd = new java.util.ArrayList<>(List.of("arm-none-eabi-gcc"));
        cmd.addAll(Toolchain.CORTEX_M0.flags());
        cmd.addAll(List.of("-std=c99", "-nostartfiles", "--specs=nano.specs", "--specs=rdimon.specs", "-T", "link.ld",
                "-o", "stack.elf", "startup.c", "driver.c", "model.c"));
        Toolchain.run(dir, cmd, 300);
        String out = Toolchain.run(dir, List.of("qemu-system-arm", "-M", "microbit", "-nographic", "-monitor", "none",
                "-serial", "none", "-semihosting-config", "enable=on,target=native", "-kernel", "stack.elf"), 120);
        Matcher s = STACK.matcher(out);
        assertTrue(s.find(), out);
        return Long.parseLong(s.group(1));
    }

    @ParameterizedTest(name = "{0} over {1} features (hidden {2}), {3}")
    @CsvSource({"mlp, 128, 512, int8, true, true", "mlp, 64, 128, int32, true, false",
        "logistic, 128, 0, int8, false, false", "logistic, 128, 0, int32, true, true"})
    @DisplayName("report.json's stackBytes (in ramBytes) covers the stack edgeloop_predict uses in qemu, with"
            + " libgcc's helpers")
    void reportCoversTheMeasuredStack(String kind, int features, int hidden, String scheme, boolean callsLmul,
            boolean framesAloneUnderCount, @TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(ParityHarness.missingTools(ParityTarget.CORTEX_M0).isEmpty(),
                "arm-none-eabi-gcc and qemu-system-arm are needed");
        IntModel m = model(kind, features, hidden, scheme);
        GeneratedSources src = new CCodeGenerator().generate(m, TargetProfile.CORTEX_M0);
        QuantizedArtifact a = new QuantizedArtifact(m, TargetProfile.CORTEX_M0, "auto",
                Provenance.capture("quantized-model", PredictStackTest.class).build());
        JsonNode r = new ObjectMapper().readTree(a.files().get("report.json"));
        long measured = measuredInQemu(m, src, dir);
        assertTrue(r.has("stackBytes"), r.toString());
        long stack = r.get("stackBytes").asLong();
        assertTrue(measured <= stack, "qemu measured " + measured + " bytes of stack under edgeloop_predict, the report"
                + " says " + stack + " (" + r.get("stackSource").asText() + ")");
        // the report is a bound, not a guess: within what model.c's own frame sum adds over the real call chain
        assertTrue(stack - measured <= 64, "stackBytes " + stack + " is far above the measured " + measured);
        assertTrue(r.get("ramBytes").asLong() >= stack, r.toString());
        assertEquals(callsLmul, r.get("stackSource").asText().contains("__aeabi_lmul"),
                r.get("stackSource").asText());
        long frames = Toolchain.CORTEX_M0.measureDetailed(writeSources(src, dir.resolve("size"))).orElseThrow()
                .frameBytes();
        assertEquals(stack, frames + (callsLmul ? 28 : 0), r.toString());
        // where the helper runs below the deepest frame, model.c's own frames (all the report counted before)
        // under-count what qemu measured
        assertEquals(framesAloneUnderCount, frames < measured, "model.c's frames " + frames + ", measured "
                + measured);
    }

    private static Path writeSources(GeneratedSources src, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("model.h"), src.header(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("model.c"), src.source(), StandardCharsets.UTF_8);
        return dir;
    }
}
