package io.edgeloop.quantize.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.IntModel;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated header as C++ firmware uses it (Arduino sketches and mbed are C++), and what it tells a firmware
 * engineer about regression outputs (review s11: C++ could not link {@code edgeloop_predict}; a regression header
 * said nothing of the outputs' scale).
 */
class CppLinkageTest {
    private static final String SKETCH = "#include \"model.h\"\nvolatile int32_t sink;\nint main()\n{\n"
            + "    static edgeloop_input_t in[EDGELOOP_MODEL_INPUTS];\n    static int32_t out[EDGELOOP_MODEL_OUTPUTS];\n"
            + "    edgeloop_predict(in, out);\n    sink = out[0];\n    return 0;\n}\n";

    @Test
    @DisplayName("a C++ sketch links against model.c compiled as C99, with avr-g++ as an Arduino build does")
    void cppLinksAgainstTheCModel(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Toolchain.onPath("avr-g++") && Toolchain.AVR.available(), "avr-g++ is needed");
        double[][] rows = TestModels.wideRows(6, 300, 3);
        FloatModel fm = TestModels.logistic(6, 3, rows, 2);
        IntModel m = new ModelQuantizer(Scheme.of("int8", (String) null), Calibration.of("auto"), WeightScales.AUTO)
                .quantizeDetailed(fm, rows).model();
        GeneratedSources src = new CCodeGenerator().generate(m, TargetProfile.of("avr8"));
        Files.writeString(dir.resolve("model.h"), src.header(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("model.c"), src.source(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("sketch.cpp"), SKETCH, StandardCharsets.UTF_8);
        Toolchain.run(dir, List.of("avr-gcc", "-mmcu=atmega328p", "-Os", "-std=c99", "-c", "model.c", "-o", "model.o"),
                120);
        // fails on a header without extern "C": undefined reference to `edgeloop_predict(signed char const*, long*)'
        Toolchain.run(dir, List.of("avr-g++", "-mmcu=atmega328p", "-Os", "sketch.cpp", "model.o", "-o", "sketch.elf"),
                120);
        assertTrue(Files.size(dir.resolve("sketch.elf")) > 0);
    }

    /** A sketch using every name the header gives, helpers included (the class helper on classifiers). */
    private static String helperSketch(IntModel m) {
        return "#include \"model.h\"\nvolatile int32_t sink;\nvolatile double reading;\nint main()\n{\n"
                + "    static edgeloop_input_t in[EDGELOOP_MODEL_INPUTS];\n    static int32_t out[EDGELOOP_MODEL_OUTPUTS];\n"
                + "    double x[EDGELOOP_MODEL_INPUTS];\n    int i;\n"
                + "    for (i = 0; i < EDGELOOP_MODEL_INPUTS; i++) {\n        x[i] = reading;\n    }\n"
                + "    if (edgeloop_quantize_inputs(x, in) != 0) {\n        return 1;\n    }\n"
                + "    sink = in[EDGELOOP_MODEL_FEATURE_F0] - EDGELOOP_MODEL_INPUT_MIN;\n"
                + "    edgeloop_predict(in, out);\n    sink = out[0];\n"
                + (m.classNames().isEmpty() ? "" : "    sink = edgeloop_predict_class(in);\n")
                + "    return 0;\n}\n";
    }

    /** Compiles model.c as C++ with {@code cc}, then links sketch.cpp against it into {@code image}. */
    private static void buildAsCpp(Path d, List<String> cc, String image) throws IOException {
        List<String> model = new java.util.ArrayList<>(cc);
        model.addAll(List.of("-x", "c++", "-c", "model.c", "-o", image + ".o"));
        Toolchain.run(d, model, 120);
        List<String> sketch = new java.util.ArrayList<>(cc);
        sketch.addAll(List.of("sketch.cpp", image + ".o", "-o", image));
        Toolchain.run(d, sketch, 120);
    }

    @Test
    @DisplayName("model.h and model.c compile as C++ under avr-g++'s default gnu++98, helpers included, with -Wall "
            + "-Wextra -Werror; every model kind")
    void compilesUnderAvrGppGnu98(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Toolchain.onPath("avr-g++") && Toolchain.AVR.available(), "avr-g++ is not installed");
        // fails before the fix: INT32_C undefined in model.h and model.c (avr-libc defines it in C++ only with
        // __STDC_CONSTANT_MACROS); "this decimal constant is unsigned only in ISO C90" in the PROGMEM reader
        compileEveryKindAsCpp(dir, List.of("avr-g++", "-mmcu=atmega328p", "-Os", "-std=gnu++98", "-Wall", "-Wextra",
                "-Werror"));
    }

    @Test
    @DisplayName("model.h and model.c compile as C++ under g++ -std=c++98, helpers included, with -Wall -Wextra -Werror")
    void compilesUnderHostGppCpp98(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Toolchain.onPath("g++"), "g++ is not installed");
        compileEveryKindAsCpp(dir, List.of("g++", "-std=c++98", "-O2", "-Wall", "-Wextra", "-Werror"));
    }

    /** Every model kind, int8 and int32, built for avr8: model.c as C++ and a sketch using every helper. */
    private static void compileEveryKindAsCpp(Path dir, List<String> cc) throws IOException {
        int k = 0;
        for (java.util.Map.Entry<String, Object[]> e : TestModels.all(4).entrySet()) {
            for (Scheme scheme : List.of(Scheme.INT8, Scheme.INT32)) {
                IntModel m = new ModelQuantizer(scheme, Calibration.MIN_MAX).quantize((FloatModel) e.getValue()[0],
                        (double[][]) e.getValue()[1]);
                GeneratedSources src = new CCodeGenerator().generate(m, TargetProfile.AVR8);
                Path d = Files.createDirectories(dir.resolve("m" + k++));
                Files.writeString(d.resolve("model.h"), src.header(), StandardCharsets.UTF_8);
                Files.writeString(d.resolve("model.c"), src.source(), StandardCharsets.UTF_8);
                Files.writeString(d.resolve("sketch.cpp"), helperSketch(m), StandardCharsets.UTF_8);
                buildAsCpp(d, cc, "sketch");
            }
        }
        assertEquals(TestModels.all(4).size() * 2, k);
    }

    @Test
    @DisplayName("a regression header states how an output becomes a real value, and the rule matches the runtime")
    void regressionHeaderGivesTheScale() {
        double[][] rows = TestModels.wideRows(4, 300, 5);
        for (FloatModel fm : List.<FloatModel>of(TestModels.linearRegression(4, rows, 1),
                TestModels.forest(4, rows, 3, 3, true, 1))) {
            IntModel m = new ModelQuantizer(Scheme.of("int16", (String) null), Calibration.of("auto"),
                    WeightScales.AUTO).quantizeDetailed(fm, rows).model();
            String h = new CCodeGenerator().generate(m, TargetProfile.of("cortex-m3")).header();
            Matcher x = Pattern.compile("the real value is (\\S+) \\* \\(q(?: ([-+]) (\\d+))?\\)").matcher(h);
            assertTrue(x.find(), h);
            double s = Double.parseDouble(x.group(1));
            long z = x.group(2) == null ? 0 : (x.group(2).equals("-") ? 1 : -1) * Long.parseLong(x.group(3));
            for (int o = 0; o < m.outputSize(); o++) {
                for (int q : new int[] {-1000, 0, 1, 12345}) {
                    double want = m.dequantizeOutput(o, q);
                    assertEquals(want, s * (q - z), Math.abs(want) * 1e-8 + 1e-12, h);
                }
            }
        }
    }
}
