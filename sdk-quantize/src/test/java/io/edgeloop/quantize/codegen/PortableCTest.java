package io.edgeloop.quantize.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.parity.ParityHarness;
import io.edgeloop.quantize.parity.ParityTarget;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.FixedPoint;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated C relies on no implementation-defined behaviour: no right shift of a negative value (C99 6.5.7p5)
 * in {@code el_rdbp64}, no conversion of an out-of-range unsigned value to a signed type (6.3.1.3p3) in the AVR
 * PROGMEM readers; and the portable forms compute exactly what the Java runtime does (review rev-s4-codegen
 * item 9).
 */
class PortableCTest {
    @TempDir
    Path tmp;

    private static String source() {
        double[][] rows = TestModels.wideRows(6, 300, 1);
        IntModel m = new ModelQuantizer(Scheme.INT16, Calibration.MIN_MAX).quantize(TestModels.mlp(6, rows, 2, 5), rows);
        return new CCodeGenerator().generate(m, TargetProfile.AVR8).source();
    }

    @Test
    @DisplayName("el_rdbp64 shifts only non-negative values; AVR readers never cast an unsigned read to a signed type")
    void noImplementationDefinedForms() {
        String c = source();
        assertTrue(c.contains("el_rdbp64"), c);
        // The only right shifts of a signed value are on x >= 0, on -1 - x (x < 0) and on the non-negative mask.
        List<String> shifts = new ArrayList<>();
        for (String l : c.split("\n")) {
            if (l.contains(">>")) {
                shifts.add(l.trim());
            }
        }
        assertEquals(List.of("floor_q = x >= 0 ? x >> n : -INT64_C(1) - ((-INT64_C(1) - x) >> n);",
                "thr = (mask >> 1) + (x < 0 ? INT64_C(1) : INT64_C(0));"), shifts, c);
        assertFalse(c.contains("(int8_t)pgm_read_byte") || c.contains("(int16_t)pgm_read_word")
                || c.contains("(int32_t)pgm_read_dword"), c);
    }

    @Test
    @DisplayName("el_rdbp64 and the AVR readers' signed mapping equal the Java rules on edge values (gcc, UBSan)")
    void portableFormsAreExact() throws Exception {
        assumeTrue(ParityHarness.missingTools(ParityTarget.HOST).isEmpty(), "gcc not installed");
        String c = source();
        int from = c.indexOf("static int64_t el_rdbp64");
        String rdbp = c.substring(from, c.indexOf("\n}\n", from) + 3);
        List<Long> xs = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE, Long.MAX_VALUE - 1,
                0L, 1L, -1L, 2L, -2L, 3L, -3L));
        for (int k = 1; k < 63; k++) {
            for (long d = -2; d <= 2; d++) {
                xs.add((1L << k) + d);
                xs.add(-(1L << k) + d);
                xs.add((3L << (k - 1)) + d);
                xs.add(-(3L << (k - 1)) + d);
            }
        }
        StringBuilder p = new StringBuilder("#include <stdint.h>\n#include <stdio.h>\n#include <inttypes.h>\n")
                .append(rdbp).append("static const int64_t X[] = {\n");
        for (long x : xs) {
            p.append(x == Long.MIN_VALUE ? "    -INT64_C(9223372036854775807) - 1,\n" : "    INT64_C(" + x + "),\n");
        }
        p.append("};\nint main(void)\n{\n    unsigned i;\n    uint8_t n;\n"
                + "    for (i = 0; i < sizeof X / sizeof X[0]; i++) {\n        for (n = 0; n <= 62; n++) {\n"
                + "            printf(\"%\" PRId64 \"\\n\", el_rdbp64(X[i], n));\n        }\n    }\n"
                + "    return 0;\n}\n");
        Files.writeString(tmp.resolve("t.c"), p, StandardCharsets.UTF_8);
        Toolchain.run(tmp, List.of("gcc", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic",
                "-fsanitize=undefined", "-fno-sanitize-recover=all", "-o", "t", "t.c"), 60);
        String[] out = Toolchain.run(tmp, List.of(tmp.resolve("t").toString()), 60).trim().split("\n");
        int k = 0;
        for (long x : xs) {
            for (int n = 0; n <= 62; n++) {
                assertEquals(FixedPoint.roundingDivideByPot64(x, n), Long.parseLong(out[k++]), "x=" + x + " n=" + n);
            }
        }
        assertEquals(k, out.length);
    }

    @Test
    @DisplayName("the AVR signed readers map every unsigned pattern to the two's complement value (avr-gcc, simavr)")
    void avrReadersOnDevice() throws Exception {
        assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty(), "avr-gcc/simavr not installed");
        String c = source();
        String readers = c.substring(c.indexOf("static inline int8_t el_i8"), c.indexOf("#define EL_I8"));
        String prog = "#include <stdint.h>\n#include <stdio.h>\n#include <avr/io.h>\n#include <avr/sleep.h>\n"
                + "#include <avr/pgmspace.h>\n" + readers
                + "static const int8_t A[] PROGMEM = {-128, -127, -1, 0, 1, 127};\n"
                + "static const int16_t B[] PROGMEM = {-32767 - 1, -32767, -1, 0, 1, 32767};\n"
                + "static const int32_t C[] PROGMEM = {-INT32_C(2147483647) - 1, -INT32_C(2147483647), -1, 0, 1,"
                + " INT32_C(2147483647)};\n"
                + "static int put(char ch, FILE *s)\n{\n    (void)s;\n    loop_until_bit_is_set(UCSR0A, UDRE0);\n"
                + "    UDR0 = (uint8_t)ch;\n    return 0;\n}\n"
                + "static FILE out = FDEV_SETUP_STREAM(put, NULL, _FDEV_SETUP_WRITE);\n"
                + "int main(void)\n{\n    uint8_t i;\n    stdout = &out;\n    UCSR0B = _BV(TXEN0);\n"
                + "    for (i = 0; i < 6u; i++) {\n"
                + "        printf(\"R %d %d %ld\\n\", (int)el_i8(&A[i]), (int)el_i16(&B[i]), (long)el_i32(&C[i]));\n"
                + "    }\n    printf(\"EDGELOOP-DONE\\n\");\n    sleep_enable();\n    sleep_cpu();\n    return 0;\n}\n";
        Files.writeString(tmp.resolve("r.c"), prog, StandardCharsets.UTF_8);
        Toolchain.run(tmp, List.of("avr-gcc", "-mmcu=atmega328p", "-Os", "-std=c99", "-Wall", "-Wextra", "-Werror",
                "-o", "r.elf", "r.c"), 60);
        String out = Toolchain.run(tmp, List.of("simavr", "-m", "atmega328p", "-f", "16000000", "r.elf"), 60)
                .replaceAll("\u001B\\[[0-9;]*m", "");
        String[] want = {"R -128 -32768 -2147483648", "R -127 -32767 -2147483647", "R -1 -1 -1", "R 0 0 0", "R 1 1 1",
            "R 127 32767 2147483647"};
        for (String w : want) {
            assertTrue(out.contains(w), w + " in\n" + out);
        }
    }
}
