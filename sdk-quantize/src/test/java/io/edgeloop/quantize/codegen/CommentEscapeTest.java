package io.edgeloop.quantize.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.importer.OnnxImporter;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.ir.NetworkModel;
import io.edgeloop.quantize.parity.ParityHarness;
import io.edgeloop.quantize.parity.ParityResult;
import io.edgeloop.quantize.parity.ParityTarget;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feature and class names reach {@code model.h} only as comment text that cannot end the comment, open a nested
 * one, splice lines or carry non-ASCII bytes: names from an ONNX file or a CSV header can neither break the build
 * nor inject preprocessor lines (review rev-s4-codegen item 1).
 */
class CommentEscapeTest {
    /** Ends the comment through a backslash-newline splice, then redefines INT32_C (the reviewer's ONNX name). */
    private static final String SPLICE = "c1 *\\\n/\n#undef INT32_C\n#define INT32_C(v) ((v) + 1000)\n/*";
    /** The same through the trigraph ??/ (a backslash under -std=c99). */
    private static final String TRIGRAPH = "t*??/\n/\n#define EL_EVIL_TRIGRAPH 1\n/*";
    /** The same through a backslash before a lone CR. */
    private static final String CR = "r*\\\r/\r#define EL_EVIL_CR 1\r/*";
    private static final List<String> NAMES = List.of(SPLICE, TRIGRAPH, CR, "flow/*m3h", "end */ early",
            "temp \u00b0C", "trailing\\", "ok name (m/s)");

    @TempDir
    Path tmp;

    @Test
    @DisplayName("commentText keeps [A-Za-z0-9 _.,:;=+()-] and writes every other byte as \\xNN")
    void escaper() {
        assertEquals("ok name (m\\x2Fs)", CCodeGenerator.commentText("ok name (m/s)"));
        assertEquals("flow\\x2F\\x2Am3h", CCodeGenerator.commentText("flow/*m3h"));
        assertEquals("a\\x3F\\x3F\\x2F\\x0D\\x0A\\x5C", CCodeGenerator.commentText("a??/\r\n\\"));
        assertEquals("temp \\xC2\\xB0C", CCodeGenerator.commentText("temp \u00b0C"));
        for (String n : NAMES) {
            assertTrue(CCodeGenerator.commentText(n).matches("[A-Za-z0-9 _.,:;=+()\\\\-]*"), n);
        }
    }

    @Test
    @DisplayName("hostile feature and class names: model.h compiles with -Werror, defines no extra macro, parity 0")
    void hostileNamesCannotBreakOrInject() throws Exception {
        assumeTrue(ParityHarness.missingTools(ParityTarget.HOST).isEmpty(), "gcc not installed");
        double[][] rows = TestModels.wideRows(NAMES.size(), 300, 7);
        NetworkModel plain = TestModels.logistic(NAMES.size(), 3, rows, 11);
        NetworkModel hostile = new NetworkModel(NAMES, List.of("c0", SPLICE, TRIGRAPH), plain.scaling(),
                plain.layers(), plain.head());
        IntModel q = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(hostile, rows);
        IntModel clean = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(plain, rows);
        GeneratedSources src = new CCodeGenerator().generate(q, TargetProfile.CORTEX_M3);
        Set<String> macros = macros(src, "hostile");
        // The feature index macros are named after the features, sanitized to [A-Z0-9_]: one per feature, nothing
        // else; every other macro is the same whatever the names.
        Set<String> features = new TreeSet<>();
        macros.removeIf(m -> m.startsWith("#define EDGELOOP_MODEL_FEATURE_") && features.add(m));
        assertEquals(NAMES.size(), features.size(), features.toString());
        for (String f : features) {
            assertTrue(f.matches("#define EDGELOOP_MODEL_FEATURE_[A-Z0-9_]+ [0-9]+"), f);
        }
        Set<String> cleanMacros = macros(new CCodeGenerator().generate(clean, TargetProfile.CORTEX_M3), "clean");
        cleanMacros.removeIf(m -> m.startsWith("#define EDGELOOP_MODEL_FEATURE_"));
        assertEquals(cleanMacros, macros, "model.h must define the same macros whatever the names:\n" + src.header());
        assertFalse(src.header().contains("#define INT32_C"), src.header());
        ParityResult r = new ParityHarness(120).run(q, src, ParityTarget.HOST, 2000, 5);
        assertEquals(0, r.mismatches(), r.toMap().toString());
    }

    @Test
    @DisplayName("the reviewer's inject3.onnx (class name with backslash-newline) quantizes to an unchanged model")
    void reviewersOnnxModel() throws Exception {
        assumeTrue(ParityHarness.missingTools(ParityTarget.HOST).isEmpty(), "gcc not installed");
        Path onnx = tmp.resolve("inject3.onnx");
        try (InputStream in = getClass().getResourceAsStream("inject3.onnx")) {
            Files.copy(in, onnx);
        }
        FloatModel fm = new OnnxImporter().read(onnx);
        assertTrue(fm.classNames().get(1).contains("#define INT32_C"), fm.classNames().toString());
        Random r = new Random(3);
        double[][] rows = new double[200][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new double[] {r.nextDouble() * 6 - 3, r.nextDouble() * 2 - 1};
        }
        IntModel q = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(fm, rows);
        GeneratedSources src = new CCodeGenerator().generate(q, TargetProfile.CORTEX_M3);
        Set<String> macros = macros(src, "onnx");
        assertFalse(macros.stream().anyMatch(m -> m.startsWith("#define INT32_C(v) ((v) + 1000)")), macros.toString());
        ParityResult p = new ParityHarness(120).run(q, src, ParityTarget.HOST, 2000, 5);
        assertEquals(0, p.mismatches(), p.toMap().toString());
    }

    /** The macros model.h defines, as gcc -std=c99 (trigraphs on) sees them; compiles model.c with -Werror too. */
    private Set<String> macros(GeneratedSources src, String name) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.writeString(d.resolve("model.h"), src.header(), StandardCharsets.UTF_8);
        Files.writeString(d.resolve("model.c"), src.source(), StandardCharsets.UTF_8);
        Toolchain.run(d, List.of("gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-c", "model.c", "-o", "model.o"), 60);
        String all = Toolchain.run(d, List.of("gcc", "-std=c99", "-dM", "-E", "model.h"), 60);
        Set<String> out = new TreeSet<>();
        for (String l : all.split("\n")) {
            if (!l.startsWith("#define __") && !l.startsWith("#define _")) {
                out.add(l);
            }
        }
        return out;
    }
}
