package io.edgeloop.quantize.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.parity.ParityHarness;
import io.edgeloop.quantize.parity.ParityResult;
import io.edgeloop.quantize.parity.ParityTarget;
import io.edgeloop.quantize.runtime.GoldenVectors;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two models in one firmware: every external name, macro and the include guard start with the generator's prefix
 * (firmware walk s22: two model.c files both defined {@code edgeloop_predict}, both headers used the guard
 * {@code EDGELOOP_MODEL_H}, so the second header was skipped and its {@code EDGELOOP_MODEL_INPUTS} silently was
 * the first model's). Fails before the fix: there was no prefix.
 */
class CPrefixTest {
    @TempDir
    Path tmp;

    /** A 3-feature binary logistic model (int8) and a 5-feature forest (int16): different input counts and types. */
    private static IntModel[] twoModels() {
        double[][] a = TestModels.wideRows(3, 300, 1);
        double[][] b = TestModels.wideRows(5, 300, 2);
        return new IntModel[] {
            new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(TestModels.logistic(3, 2, a, 3), a),
            new ModelQuantizer(Scheme.INT16, Calibration.MIN_MAX).quantize(TestModels.forest(5, b, 4, 4, false, 4), b),
        };
    }

    @Test
    @DisplayName("a prefix must be a lower-case C identifier, no keyword, at most 23 characters; one-line errors")
    void refusesBadPrefixes() {
        for (String bad : List.of("", "Occ", "1occ", "_occ", "occ-a", "occ a", "\u00e9t\u00e9", "int", "class",
                "abcdefghijklmnopqrstuvwx", "occ_", "occ__a")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CCodeGenerator(bad),
                    bad);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().startsWith("C prefix '"), e.getMessage());
        }
        for (String good : List.of("occ", "room_2", "a", "abcdefghijklmnopqrstuvw", "edgeloop")) {
            assertEquals(good, new CCodeGenerator(good).prefix());
        }
    }

    @Test
    @DisplayName("the default prefix generates exactly what an explicit 'edgeloop' does: edgeloop_predict, "
            + "EDGELOOP_MODEL_H")
    void defaultIsEdgeloop() {
        IntModel m = twoModels()[0];
        GeneratedSources d = new CCodeGenerator().generate(m, TargetProfile.AVR8);
        assertEquals(d, new CCodeGenerator(CCodeGenerator.DEFAULT_PREFIX).generate(m, TargetProfile.AVR8));
        assertTrue(d.header().contains("#ifndef EDGELOOP_MODEL_H\n"), d.header());
        assertTrue(d.header().contains("void edgeloop_predict(const edgeloop_input_t *input, int32_t *output);"));
        GeneratedSources o = new CCodeGenerator("occ").generate(m, TargetProfile.AVR8);
        assertTrue(o.header().contains("#ifndef OCC_MODEL_H\n#define OCC_MODEL_H\n"), o.header());
        assertTrue(o.header().contains("void occ_predict(const occ_input_t *input, int32_t *output);"), o.header());
        assertTrue(o.source().contains("\nvoid occ_predict(const occ_input_t *input, int32_t *output)\n"));
        for (String s : List.of(o.header(), o.source())) {
            assertFalse(s.replaceAll("(?s)/\\*.*?\\*/", "").toLowerCase().contains("edgeloop"),
                    "no default name outside comments:\n" + s);
        }
    }

    @Test
    @DisplayName("report.json's fitsCounts names the prefixed function and input type of the sources it measured")
    void reportNamesThePrefixedFunctions() throws Exception {
        IntModel m = twoModels()[0];
        io.edgeloop.quantize.runtime.QuantizedArtifact a = new io.edgeloop.quantize.runtime.QuantizedArtifact(m,
                TargetProfile.AVR8, "min-max",
                io.edgeloop.api.provenance.Provenance.capture("quantized-model", CPrefixTest.class).build());
        String occ = new String(a.files(java.util.Map.of(), "occ").get("report.json"), StandardCharsets.UTF_8);
        String dflt = new String(a.files(java.util.Map.of()).get("report.json"), StandardCharsets.UTF_8);
        // before: the prefixed report said "the stack edgeloop_predict needs", a function the sources do not have
        assertTrue(occ.contains("the stack occ_predict needs") && occ.contains("occ_input_t input[inputSize]"), occ);
        assertFalse(occ.contains("edgeloop_"), occ);
        assertTrue(dflt.contains("the stack edgeloop_predict needs"), dflt);
    }

    /** An ATmega328P's stdout on its UART, as simavr prints it; ended by sleeping with interrupts off. */
    private static final String[] AVR_IO = {"#include <avr/io.h>\n#include <avr/sleep.h>\n"
            + "static int put(char ch, FILE *s)\n{\n    (void)s;\n    loop_until_bit_is_set(UCSR0A, UDRE0);\n"
            + "    UDR0 = (uint8_t)ch;\n    return 0;\n}\n"
            + "static FILE uart = FDEV_SETUP_STREAM(put, NULL, _FDEV_SETUP_WRITE);\n",
        "    stdout = &uart;\n    UCSR0B = _BV(TXEN0);\n",
        "    printf(\"EDGELOOP-DONE\\n\");\n    sleep_enable();\n    sleep_cpu();\n"};

    /**
     * Writes the two models as occ/ and room/, and a main that runs both on golden inputs and prints outputs.
     *
     * @param io platform code: includes and definitions, the start of main, the end of main (empty on the host)
     */
    private int[][][] writeFirmware(Path d, IntModel[] m, String[] io) throws Exception {
        String[] prefix = {"occ", "room"};
        StringBuilder main = new StringBuilder("#include <stdio.h>\n#include \"occ/model.h\"\n#include \"room/model.h\"\n")
                .append(io[0]);
        int[][][] in = new int[2][][];
        for (int k = 0; k < 2; k++) {
            GeneratedSources src = new CCodeGenerator(prefix[k]).generate(m[k], TargetProfile.AVR8);
            Path sub = Files.createDirectories(d.resolve(prefix[k]));
            Files.writeString(sub.resolve("model.h"), src.header(), StandardCharsets.UTF_8);
            Files.writeString(sub.resolve("model.c"), src.source(), StandardCharsets.UTF_8);
            in[k] = GoldenVectors.inputs(m[k], 16, 7 + k);
            String up = prefix[k].toUpperCase();
            main.append("static const ").append(prefix[k]).append("_input_t IN_").append(up).append("[")
                    .append(in[k].length).append("][").append(up).append("_MODEL_INPUTS] = {\n");
            for (int[] v : in[k]) {
                main.append("    {").append(String.join(", ", Arrays.stream(v).mapToObj(Integer::toString).toList()))
                        .append("},\n");
            }
            main.append("};\n");
        }
        main.append("int main(void)\n{\n    int32_t o1[OCC_MODEL_OUTPUTS];\n    int32_t o2[ROOM_MODEL_OUTPUTS];\n"
                + "    unsigned k;\n    int j;\n").append(io[1]).append(
                  "    printf(\"N %d %d\\n\", OCC_MODEL_INPUTS, ROOM_MODEL_INPUTS);\n"
                + "    for (k = 0; k < 16u; k++) {\n"
                + "        occ_predict(IN_OCC[k], o1);\n        room_predict(IN_ROOM[k], o2);\n"
                + "        printf(\"O %d\", occ_predict_class(IN_OCC[k]));\n"
                + "        for (j = 0; j < OCC_MODEL_OUTPUTS; j++) {\n            printf(\" %ld\", (long)o1[j]);\n"
                + "        }\n        printf(\" | %d\", room_predict_class(IN_ROOM[k]));\n"
                + "        for (j = 0; j < ROOM_MODEL_OUTPUTS; j++) {\n            printf(\" %ld\", (long)o2[j]);\n"
                + "        }\n        printf(\"\\n\");\n    }\n").append(io[2]).append("    return 0;\n}\n");
        Files.writeString(d.resolve("main.c"), main, StandardCharsets.UTF_8);
        return in;
    }

    @Test
    @DisplayName("two models with prefixes occ and room link into one host program and each matches its Java runtime")
    void twoModelsLinkIntoOneHostProgram() throws Exception {
        assumeTrue(ParityHarness.missingTools(ParityTarget.HOST).isEmpty(), "gcc not installed");
        IntModel[] m = twoModels();
        int[][][] in = writeFirmware(tmp, m, new String[] {"", "", ""});
        List<String> warn = List.of("-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic");
        for (String p : List.of("occ", "room")) {
            List<String> cc = new ArrayList<>(List.of("gcc"));
            cc.addAll(warn);
            cc.addAll(List.of("-c", p + "/model.c", "-o", p + ".o"));
            Toolchain.run(tmp, cc, 60);
        }
        List<String> link = new ArrayList<>(List.of("gcc"));
        link.addAll(warn);
        link.addAll(List.of("-o", "two", "main.c", "occ.o", "room.o"));
        Toolchain.run(tmp, link, 60);
        checkOutputs(m, in, Toolchain.run(tmp, List.of(tmp.resolve("two").toString()), 60).trim().split("\n"));
    }

    /** The program's lines: the two input counts, then per vector each model's class and outputs. */
    private static void checkOutputs(IntModel[] m, int[][][] in, String[] out) {
        assertEquals("N 3 5", out[0]);
        assertEquals(17, out.length, String.join("\n", out));
        for (int k = 0; k < 16; k++) {
            StringBuilder want = new StringBuilder("O ").append(m[0].predictClass(in[0][k]));
            for (int v : m[0].predict(in[0][k])) {
                want.append(' ').append(v);
            }
            want.append(" | ").append(m[1].predictClass(in[1][k]));
            for (int v : m[1].predict(in[1][k])) {
                want.append(' ').append(v);
            }
            assertEquals(want.toString(), out[k + 1], "vector " + k);
        }
    }

    @Test
    @DisplayName("the same two models link into one avr-gcc image (ATmega328P) and each matches its Java runtime in "
            + "simavr")
    void twoModelsLinkIntoOneAvrImage() throws Exception {
        assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty() && Toolchain.onPath("avr-nm"),
                "avr-gcc/simavr/avr-nm not installed");
        IntModel[] m = twoModels();
        int[][][] in = writeFirmware(tmp, m, AVR_IO);
        List<String> flags = List.of("avr-gcc", "-mmcu=atmega328p", "-Os", "-std=c99", "-Wall", "-Wextra", "-Werror");
        for (String p : List.of("occ", "room")) {
            List<String> cc = new ArrayList<>(flags);
            cc.addAll(List.of("-c", p + "/model.c", "-o", p + ".o"));
            Toolchain.run(tmp, cc, 60);
        }
        List<String> link = new ArrayList<>(flags);
        link.addAll(List.of("-o", "two.elf", "main.c", "occ.o", "room.o"));
        Toolchain.run(tmp, link, 120);
        String nm = Toolchain.run(tmp, List.of("avr-nm", "two.elf"), 60);
        assertTrue(nm.contains(" T occ_predict\n") && nm.contains(" T room_predict\n"), nm);
        String out = Toolchain.run(tmp, List.of("simavr", "-m", "atmega328p", "-f", "16000000", "two.elf"), 60)
                .replaceAll("\u001B\\[[0-9;]*m", "").replace("\r", "");
        assertTrue(out.contains("EDGELOOP-DONE"), out);
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            // simavr shows each UART line with the newline as a trailing '.'
            int at = Math.max(l.indexOf("N "), l.indexOf("O "));
            if (at >= 0) {
                lines.add(l.substring(at).trim().replaceAll("\\.$", ""));
            }
        }
        checkOutputs(m, in, lines.toArray(new String[0]));
    }

    @Test
    @DisplayName("quantize parity runs on a prefixed directory's own files (the driver aliases the two names)")
    void parityOnPrefixedSources() throws Exception {
        assumeTrue(ParityHarness.missingTools(ParityTarget.HOST).isEmpty(), "gcc not installed");
        IntModel m = twoModels()[1];
        ParityResult r = new ParityHarness(120).run(m, new CCodeGenerator("room").generate(m, TargetProfile.JVM),
                ParityTarget.HOST, 500, 3);
        assertEquals(0, r.mismatches(), r.toMap().toString());
    }
}
