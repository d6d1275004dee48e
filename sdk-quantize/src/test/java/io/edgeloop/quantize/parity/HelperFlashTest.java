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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * report.json's {@code flashBytes} against a real firmware: a {@code main} that calls {@code edgeloop_predict},
 * linked with the generated {@code model.c}, minus an empty {@code main} and minus the calling code itself. The
 * difference is {@code model.o} plus the compiler's run-time helpers it pulls in (libgcc's 64-bit multiply and
 * shifts), which {@code flashBytes} used to leave out (28-54 % more flash on AVR, ~24 % on the Cortex-M0).
 */
class HelperFlashTest {
    private static final String CALLER = "#include <stdint.h>\n#include \"model.h\"\nvolatile int32_t sink;\n"
            + "int main(void)\n{\n#ifdef CALL\n    static edgeloop_input_t in[EDGELOOP_MODEL_INPUTS];\n"
            + "    static int32_t out[EDGELOOP_MODEL_OUTPUTS];\n    int i;\n"
            + "    for (i = 0; i < EDGELOOP_MODEL_INPUTS; i++) {\n        in[i] = (edgeloop_input_t)sink;\n    }\n"
            + "    edgeloop_predict(in, out);\n    sink = out[0];\n#endif\n    return 0;\n}\n";

    @ParameterizedTest(name = "{0}: {1} over {2} features, {3}")
    @CsvSource({"avr8, logistic, 6, int8", "avr8, logistic, 6, int16", "avr8, mlp, 8, int32",
        "cortex-m0, logistic, 6, int32"})
    @DisplayName("flashBytes counts model.o and the run-time helpers a firmware calling edgeloop_predict links in")
    void flashCountsTheLinkedHelpers(String target, String kind, int features, String scheme, @TempDir Path dir)
            throws IOException {
        TargetProfile profile = TargetProfile.of(target);
        Toolchain tc = Toolchain.forTarget(target);
        Assumptions.assumeTrue(tc.available(), tc.compiler() + " is needed");
        double[][] rows = TestModels.wideRows(features, 500, 5);
        FloatModel fm = kind.equals("mlp") ? TestModels.mlp(features, rows, 3, 8) : TestModels.logistic(features, 3, rows, 2);
        IntModel m = new ModelQuantizer(Scheme.of(scheme, (String) null), Calibration.of("auto"), WeightScales.AUTO)
                .quantizeDetailed(fm, rows).model();
        GeneratedSources src = new CCodeGenerator().generate(m, profile);
        JsonNode r = new ObjectMapper().readTree(new QuantizedArtifact(m, profile, "auto",
                Provenance.capture("quantized-model", HelperFlashTest.class).build()).files().get("report.json"));

        Files.writeString(dir.resolve("model.h"), src.header(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("model.c"), src.source(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("main.c"), CALLER, StandardCharsets.UTF_8);
        List<String> cc = new ArrayList<>(List.of(tc.compiler()));
        cc.addAll(tc.flags());
        cc.add("-std=c99");
        if (tc != Toolchain.AVR) {
            cc.add("--specs=nosys.specs");
        }
        List<String> with = new ArrayList<>(cc);
        with.addAll(List.of("-DCALL", "main.c", "model.c", "-o", "with.elf"));
        List<String> without = new ArrayList<>(cc);
        without.addAll(List.of("main.c", "-o", "without.elf"));
        Toolchain.run(dir, with, 120);
        Toolchain.run(dir, without, 120);
        String size = tc.compiler().replace("gcc", "size");
        String nm = tc.compiler().replace("gcc", "nm");
        long grown = image(dir, size, "with.elf") - image(dir, size, "without.elf");
        long caller = symbolSize(dir, nm, "with.elf", "main") - symbolSize(dir, nm, "without.elf", "main");
        long firmware = grown - caller;

        long flash = r.get("flashBytes").asLong();
        assertTrue(r.has("helperFlashBytes"), r.toString());
        long helpers = r.get("helperFlashBytes").asLong();
        assertEquals(flash, r.get("modelFlashBytes").asLong() + helpers, r.toString());
        assertTrue(helpers > 0, "a " + scheme + " " + kind + " on " + target + " calls libgcc: " + r.get("sizeSource"));
        // ARM pads sections to 4 or 8 bytes; AVR packs them
        long slack = tc == Toolchain.AVR ? 0 : 8;
        assertTrue(Math.abs(firmware - flash) <= slack, "a firmware calling edgeloop_predict grows by " + firmware
                + " bytes besides its calling code; report.json says flashBytes " + flash + " (" + r.get("sizeSource")
                + ")");
        assertTrue(r.get("sizeSource").asText().contains("run-time helpers linked in " + helpers), r.toString());
        assertTrue(r.get("fitsCounts").asText().contains("helperFlashBytes"), r.toString());
    }

    private static long image(Path dir, String size, String elf) throws IOException {
        String[] lines = Toolchain.run(dir, List.of(size, elf), 60).trim().split("\n");
        String[] f = lines[lines.length - 1].trim().split("\\s+");
        return Long.parseLong(f[0]) + Long.parseLong(f[1]);
    }

    private static long symbolSize(Path dir, String nm, String elf, String symbol) throws IOException {
        for (String l : Toolchain.run(dir, List.of(nm, "-S", elf), 60).split("\n")) {
            String[] p = l.trim().split("\\s+");
            if (p.length == 4 && p[3].equals(symbol)) {
                return Long.parseLong(p[1], 16);
            }
        }
        throw new AssertionError(symbol + " not in " + elf);
    }
}
