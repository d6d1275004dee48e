package io.edgeloop.quantize.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.codegen.GeneratedSources;
import io.edgeloop.quantize.codegen.Toolchain;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.InputQuantization;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model.h}'s {@code edgeloop_quantize_inputs} computes the Java runtime's {@link InputQuantization#quantize}
 * bit for bit, on the readings a firmware really meets: +-inf, 1e30, NaN (a failed DHT read), range ends and half
 * steps; and {@code edgeloop_predict_class} decides as {@code IntModel.predictClass} for every classifier kind
 * (firmware walk s22: a firmware following the header's rule hit undefined behaviour converting +-inf to int64,
 * and the class then depended on the platform; switching from logistic to a tree changed the decision code).
 * Fails before the fix: the header had neither function.
 */
class InputHelpersTest {
    private static final int SENTINEL = 77;

    @TempDir
    Path tmp;

    /** Every classifier kind, a regression model and an offset feature (int32, zero point far beyond 2^24). */
    private static Map<String, IntModel> models() {
        Map<String, IntModel> out = new LinkedHashMap<>();
        double[][] rows = TestModels.wideRows(4, 400, 21);
        Map<String, Object[]> all = TestModels.all(4);
        Scheme[] schemes = {Scheme.INT8, Scheme.INT16, Scheme.INT32};
        int s = 0;
        for (String kind : List.of("logistic-binary", "logistic", "cart", "forest", "linear-regression")) {
            Object[] fm = all.get(kind);
            Scheme scheme = schemes[s++ % schemes.length];
            out.put(kind + "-" + scheme.name(), new ModelQuantizer(scheme, Calibration.MIN_MAX)
                    .quantize((FloatModel) fm[0], (double[][]) fm[1]));
        }
        // a pressure in Pa: a large offset, so the int32 zero point is far outside the input range
        double[][] offset = new double[400][];
        Random r = new Random(5);
        for (int k = 0; k < offset.length; k++) {
            offset[k] = new double[] {101325 + r.nextGaussian() * 3, r.nextGaussian(), rows[k][2], rows[k][3]};
        }
        out.put("offset-logistic-int32", new ModelQuantizer(Scheme.INT32, Calibration.MIN_MAX)
                .quantize(TestModels.logistic(4, 2, offset, 3), offset));
        return out;
    }

    /** Raw readings for feature i: specials, range ends, half steps, the 2^40 saturation bound, random ones. */
    private static List<Double> values(InputQuantization iq, int i, long seed) {
        double s = iq.scale(i);
        long z = iq.zeroPoint(i);
        List<Double> v = new ArrayList<>(List.of(0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e30,
                -1e30, 1e300, -1e300, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
                0x1p40 * s, Math.nextDown(0x1p40) * s, -0x1p40 * s, Math.nextUp(-0x1p40) * s, 0x1p39 * s, -0x1p39 * s));
        for (long k : new long[] {iq.min() - z, iq.max() - z, 0, 1, -1, 2, -2}) {
            for (double d : new double[] {-1.5, -1, -0.5, -0.49999999999999994, 0, 0.49999999999999994, 0.5, 1, 1.5}) {
                v.add((k + d) * s);
            }
        }
        Random r = new Random(seed);
        double lo = s * (iq.min() - z - 10.0);
        double hi = s * (iq.max() - z + 10.0);
        for (int k = 0; k < 40; k++) {
            v.add(lo + (hi - lo) * r.nextDouble());
        }
        return v;
    }

    private static String literal(double x) {
        if (Double.isInfinite(x)) {
            return x > 0 ? "HUGE_VAL" : "-HUGE_VAL";
        }
        if (Double.isNaN(x)) {
            return "NAN";
        }
        return Double.toHexString(x);
    }

    /** The test program: rows of raw readings, then per row "R rc q... c". */
    private static String program(IntModel m, double[][] x) {
        int n = m.inputSize();
        StringBuilder b = new StringBuilder("#include <stdio.h>\n#include <math.h>\n#include \"model.h\"\n");
        b.append("static const double X[").append(x.length).append("][").append(n).append("] = {\n");
        for (double[] row : x) {
            b.append("    {");
            for (int i = 0; i < n; i++) {
                b.append(i == 0 ? "" : ", ").append(literal(row[i]));
            }
            b.append("},\n");
        }
        b.append("};\nint main(void)\n{\n    unsigned k;\n    int i;\n    int rc;\n    edgeloop_input_t q[")
                .append(n).append("];\n    for (k = 0; k < ").append(x.length).append("u; k++) {\n")
                .append("        for (i = 0; i < ").append(n).append("; i++) {\n            q[i] = ").append(SENTINEL)
                .append(";\n        }\n        rc = edgeloop_quantize_inputs(X[k], q);\n")
                .append("        printf(\"R %d\", rc);\n")
                .append("        for (i = 0; i < ").append(n).append("; i++) {\n")
                .append("            printf(\" %ld\", (long)q[i]);\n        }\n");
        if (!m.classNames().isEmpty()) {
            b.append("        if (rc == 0) {\n            printf(\" %d\", edgeloop_predict_class(q));\n        }\n");
        }
        b.append("        printf(\"\\n\");\n    }\n    printf(\"DONE\\n\");\n    return 0;\n}\n");
        return b.toString();
    }

    /** Rows of readings (feature i cycles through its values) and, per feature, one row with NaN there. */
    private static double[][] rows(IntModel m) {
        InputQuantization iq = m.input();
        int n = iq.size();
        List<List<Double>> per = new ArrayList<>();
        int len = 0;
        for (int i = 0; i < n; i++) {
            per.add(values(iq, i, 31L * i + 7));
            len = Math.max(len, per.get(i).size());
        }
        List<double[]> out = new ArrayList<>();
        for (int k = 0; k < len; k++) {
            double[] row = new double[n];
            for (int i = 0; i < n; i++) {
                // shifted per feature so specials meet ordinary readings of the others
                row[i] = per.get(i).get((k + 5 * i) % per.get(i).size());
            }
            out.add(row);
        }
        for (int j = 0; j < n; j++) {
            double[] row = new double[n];
            row[j] = Double.NaN;
            if (j + 1 < n) {
                row[j + 1] = Double.NaN;
            }
            out.add(row);
        }
        return out.toArray(new double[0][]);
    }

    /** Checks a run's output against the runtime; returns how many rows were checked. */
    private static int check(String name, IntModel m, double[][] x, String out) {
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (l.startsWith("R ")) {
                lines.add(l.trim());
            }
        }
        assertTrue(out.contains("DONE"), name + ": " + out);
        assertEquals(x.length, lines.size(), name + ": " + out);
        for (int k = 0; k < x.length; k++) {
            int nan = -1;
            for (int i = 0; i < x[k].length && nan < 0; i++) {
                nan = Double.isNaN(x[k][i]) ? i : -1;
            }
            StringBuilder want = new StringBuilder("R ");
            if (nan >= 0) {
                want.append(nan + 1);
                for (int i = 0; i < x[k].length; i++) {
                    want.append(' ').append(SENTINEL);
                }
            } else {
                int[] q = m.input().quantize(x[k]);
                want.append(0);
                for (int v : q) {
                    want.append(' ').append(v);
                }
                if (!m.classNames().isEmpty()) {
                    want.append(' ').append(m.predictClass(q));
                }
            }
            assertEquals(want.toString(), lines.get(k), name + " row " + k + " " + Arrays.toString(x[k]));
        }
        return x.length;
    }

    private Path write(String name, IntModel m, double[][] x) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        GeneratedSources src = new CCodeGenerator().generate(m, TargetProfile.CORTEX_M3);
        Files.writeString(d.resolve("model.h"), src.header(), StandardCharsets.UTF_8);
        Files.writeString(d.resolve("model.c"), src.source(), StandardCharsets.UTF_8);
        Files.writeString(d.resolve("t.c"), program(m, x), StandardCharsets.UTF_8);
        return d;
    }

    @Test
    @DisplayName("host gcc (UBSan, float-cast-overflow): quantize_inputs and predict_class equal the runtime bit for bit")
    void hostMatchesRuntime() throws Exception {
        assumeTrue(ParityHarness.missingTools(ParityTarget.HOST).isEmpty(), "gcc not installed");
        int checked = 0;
        for (Map.Entry<String, IntModel> e : models().entrySet()) {
            IntModel m = e.getValue();
            double[][] x = rows(m);
            Path d = write(e.getKey(), m, x);
            Toolchain.run(d, List.of("gcc", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic",
                    "-fsanitize=undefined,float-cast-overflow", "-fno-sanitize-recover=all", "-o", "t", "t.c",
                    "model.c"), 120);
            checked += check(e.getKey(), m, x, Toolchain.run(d, List.of(d.resolve("t").toString()), 60));
            // unoptimised builds must not warn either (an unused static inline is no code and no warning)
            // and not under the warnings firmware builds turn on: before, "x[i] != x[i]" failed -Wfloat-equal
            Toolchain.run(d, List.of("gcc", "-std=c99", "-O0", "-Wall", "-Wextra", "-Werror", "-pedantic",
                    "-Wfloat-equal", "-Wconversion", "-Wsign-conversion", "-Wdouble-promotion", "-c", "model.c", "-o",
                    "m0.o"), 120);
            // the limits keep the type INT32_C gives (int on this host), as before the helpers: a firmware's
            // printf("%d", ...) builds (they were long literals for a while: -Wformat failed on 64-bit hosts)
            java.nio.file.Files.writeString(d.resolve("fmt.c"), "#include <stdio.h>\n#include \"model.h\"\n"
                    + "int main(void) {\n    printf(\"%d %d\\n\", EDGELOOP_MODEL_INPUT_MIN, EDGELOOP_MODEL_INPUT_MAX);\n"
                    + "    return 0;\n}\n");
            Toolchain.run(d, List.of("gcc", "-std=c99", "-Wall", "-Wextra", "-Wformat", "-Werror", "-c", "fmt.c", "-o",
                    "fmt.o"), 120);
            if (Toolchain.onPath("g++")) {
                // C++98 with -Wpedantic: before, an int32 zero point beyond 32 bits was written with LL (a C++11
                // literal), which -Wpedantic refuses (offset-logistic-int32)
                Toolchain.run(d, List.of("g++", "-std=c++98", "-Wall", "-Wextra", "-Wpedantic", "-Wfloat-equal",
                        "-Werror", "-fsyntax-only", "-x", "c++", "model.h"), 120);
            }
            // a firmware's own globals with the short names the helpers' parameters and locals had (x, q, i, ...)
            // declared before the #include: before, -Wshadow -Werror refused the header, and g++
            // -Wold-style-cast refused its C casts
            java.nio.file.Files.writeString(d.resolve("shadow.c"), "#include <stdint.h>\n"
                    + "int i, c, best;\ndouble r, a, x, scale;\nint64_t t, v, zero_point;\nint8_t q;\n"
                    + "int32_t out;\n#include \"model.h\"\n");
            Toolchain.run(d, List.of("gcc", "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Wshadow", "-Werror",
                    "-Wno-unused-function", "-fsyntax-only", "shadow.c"), 120);
            if (Toolchain.onPath("g++")) {
                Toolchain.run(d, List.of("g++", "-std=c++98", "-Wall", "-Wextra", "-Wpedantic", "-Wshadow",
                        "-Wold-style-cast", "-Werror", "-fsyntax-only", "-x", "c++", "shadow.c"), 120);
            }
        }
        assertTrue(checked > 400, "rows checked: " + checked);
    }

    @Test
    @DisplayName("Cortex-M3 in qemu (soft-float binary64): quantize_inputs and predict_class equal the runtime")
    void cortexM3MatchesRuntime() throws Exception {
        assumeTrue(ParityHarness.missingTools(ParityTarget.CORTEX_M3).isEmpty(),
                "arm-none-eabi-gcc or qemu-system-arm not installed");
        for (Map.Entry<String, IntModel> e : models().entrySet()) {
            IntModel m = e.getValue();
            double[][] x = rows(m);
            Path d = write(e.getKey(), m, x);
            Files.writeString(d.resolve("startup.c"), ArmStartup.STARTUP, StandardCharsets.UTF_8);
            Files.writeString(d.resolve("link.ld"), ArmStartup.linkerScript(64), StandardCharsets.UTF_8);
            List<String> cmd = new ArrayList<>(List.of("arm-none-eabi-gcc"));
            cmd.addAll(Toolchain.CORTEX_M3.flags());
            cmd.addAll(List.of("-std=c99", "-Wall", "-Wextra", "-Werror", "-nostartfiles", "--specs=rdimon.specs",
                    "-T", "link.ld", "-o", "t.elf", "startup.c", "t.c", "model.c"));
            Toolchain.run(d, cmd, 120);
            String out = Toolchain.run(d, List.of("qemu-system-arm", "-M", "mps2-an385", "-nographic", "-monitor",
                    "none", "-serial", "none", "-semihosting-config", "enable=on,target=native", "-kernel", "t.elf"),
                    120);
            check(e.getKey() + " (cortex-m3)", m, x, out);
        }
    }
}
