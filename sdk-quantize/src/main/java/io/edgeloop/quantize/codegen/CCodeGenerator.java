package io.edgeloop.quantize.codegen;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.runtime.InputQuantization;
import io.edgeloop.quantize.runtime.IntLayer;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.IntNetwork;
import io.edgeloop.quantize.runtime.IntTreeEnsemble;
import io.edgeloop.quantize.runtime.Requantization;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Generates C99 {@code model.h}/{@code model.c} for an {@link IntModel}: {@code <stdint.h>} types with explicit
 * casts on every product (avr-gcc's {@code int} is 16 bits), 64-bit shifts written as {@code INT64_C(1) << n},
 * no floating point, no dynamic allocation, constant tables in flash on AVR ({@code PROGMEM} with
 * {@code pgm_read_*}). One function, {@code edgeloop_predict}, computes the same bits as the Java runtime;
 * {@code model.h} adds two {@code static inline} helpers that cost nothing unless called:
 * {@code edgeloop_quantize_inputs} (raw readings to inputs, the runtime's {@link InputQuantization#quantize} rule
 * including its saturation and NaN refusal) and, for classifiers, {@code edgeloop_predict_class}. Both files also
 * compile as C++98 (avr-g++'s default), so an Arduino sketch can include the header and build {@code model.c}.
 *
 * <p>Every external name starts with a prefix ({@code edgeloop} by default; macros and the include guard with its
 * upper-case form), so models generated with different prefixes link into one firmware.
 *
 * <p>Thread-safe: immutable.
 */
public final class CCodeGenerator {
    /** The prefix of {@link #CCodeGenerator()}: the names every earlier release generated. */
    public static final String DEFAULT_PREFIX = "edgeloop";
    /**
     * The longest prefix: C99 guarantees 31 significant characters in an external name (5.2.4.1), and
     * {@code NAME_predict} adds 8.
     */
    public static final int MAX_PREFIX_LENGTH = 23;
    private static final java.util.regex.Pattern PREFIX = java.util.regex.Pattern.compile("[a-z][a-z0-9_]*");
    /** C99/C11/C23 and C++ keywords a prefix may not be (it is an identifier of its own in the user's mind). */
    private static final java.util.Set<String> KEYWORDS = java.util.Set.of("auto", "break", "case", "char", "const",
            "continue", "default", "do", "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline",
            "int", "long", "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
            "typedef", "union", "unsigned", "void", "volatile", "while", "alignas", "alignof", "bool", "constexpr",
            "false", "nullptr", "static_assert", "thread_local", "true", "typeof", "typeof_unqual", "asm", "catch",
            "class", "delete", "explicit", "friend", "mutable", "namespace", "new", "operator", "private",
            "protected", "public", "template", "this", "throw", "try", "typename", "using", "virtual");

    private final String prefix;
    private final String macro;

    /** Creates a generator of the default names ({@code edgeloop_predict}, {@code EDGELOOP_MODEL_H}, ...). */
    public CCodeGenerator() {
        this(DEFAULT_PREFIX);
    }

    /**
     * Creates a generator whose names start with {@code prefix}: {@code prefix_predict}, {@code prefix_input_t},
     * {@code PREFIX_MODEL_INPUTS}, include guard {@code PREFIX_MODEL_H}.
     *
     * @param prefix lower-case letters, digits and underscores, starting with a letter, not a C or C++ keyword, at
     *               most {@value #MAX_PREFIX_LENGTH} characters
     * @throws IllegalArgumentException when the prefix is not such a name
     */
    public CCodeGenerator(String prefix) {
        this.prefix = checkPrefix(prefix);
        this.macro = prefix.toUpperCase(Locale.ROOT);
    }

    /**
     * @param prefix a C symbol prefix
     * @return it, when valid
     * @throws IllegalArgumentException saying what is wrong and what is allowed
     */
    public static String checkPrefix(String prefix) {
        java.util.Objects.requireNonNull(prefix, "prefix");
        String shown = commentText(prefix);
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("C prefix '" + shown + "' is not a lower-case C identifier: use "
                    + "a-z, 0-9 and _, starting with a letter (a leading _ makes reserved names such as _X_MODEL_H)");
        }
        if (prefix.contains("__") || prefix.endsWith("_")) {
            // foo_ gives FOO__MODEL_H and foo__x names with "__", which C++ reserves to the implementation
            throw new IllegalArgumentException("C prefix '" + prefix + "' " + (prefix.endsWith("_") ? "ends with _"
                    : "holds __") + ": the generated names would hold __ (reserved in C++); use single _ inside it");
        }
        if (KEYWORDS.contains(prefix)) {
            throw new IllegalArgumentException("C prefix '" + prefix + "' is a C or C++ keyword; choose another name");
        }
        if (prefix.length() > MAX_PREFIX_LENGTH) {
            throw new IllegalArgumentException("C prefix '" + prefix + "' has " + prefix.length() + " characters; at "
                    + "most " + MAX_PREFIX_LENGTH + " (C99 guarantees 31 significant characters in " + prefix
                    + "_predict's kind of name)");
        }
        return prefix;
    }

    /** @return the prefix of the generated names */
    public String prefix() {
        return prefix;
    }

    /**
     * @param model  the integer model
     * @param target the target (recorded in comments; the code itself is portable)
     * @return the sources
     */
    public GeneratedSources generate(IntModel model, TargetProfile target) {
        return new GeneratedSources(header(model, target), model instanceof IntNetwork
                ? network((IntNetwork) model) : trees((IntTreeEnsemble) model));
    }

    private static String inputType(IntModel m) {
        InputQuantization iq = m.input();
        return iq.max() <= Byte.MAX_VALUE ? "int8_t" : iq.max() <= Short.MAX_VALUE ? "int16_t" : "int32_t";
    }

    /** One-logit binary networks: class 1 when the score is above the last layer's zero point. */
    private static boolean scoreHead(IntModel m) {
        return m instanceof IntNetwork && m.outputSize() == 1 && m.classNames().size() == 2;
    }

    /**
     * A header constant, {@code #define}d as {@code INT32_C(v)} (its type before the helpers: {@code int} on
     * 64-bit hosts, {@code long} on AVR, so {@code printf("%d", ...)} and C++ overloads keep working) where
     * {@code INT32_C} is defined, and as a plain literal ({@code (-128)}, {@code (-2147483647L - 1)}) otherwise:
     * C++98, where avr-libc defines {@code INT32_C} only under {@code __STDC_CONSTANT_MACROS}. Either is usable in
     * {@code #if}.
     */
    private static void defineInt32(StringBuilder b, String name, long v) {
        String withMacro = v == Integer.MIN_VALUE ? "(-INT32_C(2147483647) - 1)" : "INT32_C(" + v + ")";
        String plain = v == Integer.MIN_VALUE ? "(-2147483647L - 1)"
                : v >= -32767 && v <= 32767 ? "(" + v + ")" : v == -32768 ? "(-32767 - 1)" : "(" + v + "L)";
        b.append("#ifdef INT32_C\n#define ").append(name).append(' ').append(withMacro).append("\n#else\n#define ")
                .append(name).append(' ').append(plain).append("\n#endif\n");
    }

    private String header(IntModel m, TargetProfile target) {
        String p = prefix;
        String u = macro;
        StringBuilder b = new StringBuilder();
        b.append("/* Generated by Edgeloop sdk-quantize: ").append(commentText(m.kind())).append(", scheme ")
                .append(commentText(m.scheme())).append(", target ").append(commentText(target.id()))
                .append(". Do not edit. */\n");
        b.append("#ifndef ").append(u).append("_MODEL_H\n#define ").append(u)
                .append("_MODEL_H\n\n#include <stdint.h>\n\n");
        b.append("#define ").append(u).append("_MODEL_INPUTS ").append(m.inputSize()).append("\n");
        b.append("#define ").append(u).append("_MODEL_OUTPUTS ").append(m.outputSize()).append("\n");
        defineInt32(b, u + "_MODEL_INPUT_MIN", m.input().min());
        defineInt32(b, u + "_MODEL_INPUT_MAX", m.input().max());
        if (scoreHead(m)) {
            List<IntLayer> ls = ((IntNetwork) m).layers();
            defineInt32(b, u + "_MODEL_SCORE_ZERO", ls.get(ls.size() - 1).zeroPoint());
        }
        b.append("\n");
        featureMacros(b, m);
        inputComment(b, m);
        b.append("typedef ").append(inputType(m)).append(" ").append(p).append("_input_t;\n\n");
        b.append("/**\n * Runs the model on ").append(u)
                .append("_MODEL_INPUTS quantized inputs (features in this order:\n");
        List<String> f = m.featureNames();
        for (int i = 0; i < f.size(); i++) {
            b.append(" *   ").append(i).append(": ").append(commentText(f.get(i))).append("\n");
        }
        if (m.classNames().isEmpty()) {
            b.append(" * ) and writes ").append(u).append("_MODEL_OUTPUTS int32 outputs (quantized regression values");
            regressionScale(b, m);
            b.append(").\n");
        } else if (scoreHead(m)) {
            int zero = ((IntNetwork) m).layers().get(((IntNetwork) m).layers().size() - 1).zeroPoint();
            b.append(" * ) and writes one int32 score, the logit of class 1 against class 0: the predicted class is 1\n"
                    + " * when the score is greater than ").append(u).append("_MODEL_SCORE_ZERO (").append(zero)
                    .append("), else 0. Classes:\n");
        } else {
            b.append(" * ) and writes ").append(u).append("_MODEL_OUTPUTS int32 class scores; the predicted class is "
                    + "the index\n * of the largest score (lowest index on ties). Classes:\n");
        }
        for (int i = 0; i < m.classNames().size(); i++) {
            b.append(" *   ").append(i).append(": ").append(commentText(m.classNames().get(i))).append("\n");
        }
        b.append(" * Integer-only, no allocation, reentrant; bit-exact with Edgeloop's Java runtime.\n */\n");
        // C linkage for C++ firmware (Arduino sketches, mbed): without it avr-g++ looks for a mangled name
        b.append("#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
        b.append("void ").append(p).append("_predict(const ").append(p)
                .append("_input_t *input, int32_t *output);\n\n");
        b.append("#ifdef __cplusplus\n}\n#endif\n\n");
        quantizeHelper(b, m);
        classHelper(b, m);
        b.append("#endif\n");
        return b.toString();
    }

    /**
     * {@code PREFIX_MODEL_FEATURE_<NAME> <index>}: the model takes its features in its own order (Tribuo's is
     * alphabetical), not the CSV's; a firmware indexing by these names cannot feed them shuffled. Names are
     * upper-cased, every run of characters outside {@code [A-Z0-9]} becomes one {@code _}, and {@code _} at either
     * end is dropped (no {@code __} anywhere: C++ reserves such names); a name left empty is its index. Names that
     * then collide get {@code _<index>} appended, again until unique.
     */
    private void featureMacros(StringBuilder b, IntModel m) {
        List<String> f = m.featureNames();
        b.append("/* Input index of each feature (the model's order, which need not be the CSV's). */\n");
        for (String line : featureMacroNames(f)) {
            b.append(line);
        }
        b.append("\n");
    }

    /**
     * @param features the model's feature names
     * @return one {@code #define} line per feature, in order
     */
    private List<String> featureMacroNames(List<String> features) {
        List<String> sanitized = new java.util.ArrayList<>();
        java.util.Map<String, Integer> count = new java.util.HashMap<>();
        for (int i = 0; i < features.size(); i++) {
            StringBuilder s = new StringBuilder();
            for (char c : features.get(i).toCharArray()) {
                char up = c >= 'a' && c <= 'z' ? (char) (c - 'a' + 'A') : c;
                boolean keep = up >= 'A' && up <= 'Z' || up >= '0' && up <= '9';
                if (keep) {
                    s.append(up);
                } else if (s.length() > 0 && s.charAt(s.length() - 1) != '_') {
                    s.append('_');
                }
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) == '_') {
                s.setLength(s.length() - 1);
            }
            String name = s.length() == 0 ? Integer.toString(i) : s.toString();
            sanitized.add(name);
            count.merge(name, 1, Integer::sum);
        }
        java.util.Set<String> used = new java.util.HashSet<>();
        List<String> lines = new java.util.ArrayList<>();
        for (int i = 0; i < sanitized.size(); i++) {
            String name = sanitized.get(i);
            if (count.get(name) > 1) {
                name = name + "_" + i;
            }
            // a disambiguated name may equal another feature's own name (features "a b" and "a_b_1")
            while (used.contains(name) || count.containsKey(name) && !name.equals(sanitized.get(i))) {
                name = name + "_" + i;
            }
            used.add(name);
            lines.add("#define " + macro + "_MODEL_FEATURE_" + name + " " + i + "\n");
        }
        return lines;
    }

    /**
     * {@code PREFIX_MODEL_INPUT_SCALES}/{@code _ZERO_POINTS} (initializers) and {@code prefix_quantize_inputs}: the
     * runtime's input rule in C, saturation and NaN included, so a firmware neither copies constants from comments
     * nor hits undefined behaviour converting an out-of-range double ({@code +-inf}, a sensor's {@code 1e30}) to an
     * integer.
     */
    private void quantizeHelper(StringBuilder b, IntModel m) {
        InputQuantization iq = m.input();
        String p = prefix;
        String u = macro;
        b.append("/* A cast the helpers below use: static_cast in C++ (-Wold-style-cast builds), a C cast in C. */\n"
                + "#ifdef __cplusplus\n#define ").append(u).append("_CAST_(type, value) (static_cast<type>(value))\n"
                + "#else\n#define ").append(u).append("_CAST_(type, value) ((type)(value))\n#endif\n\n");
        b.append("/* Initializers of the input scales and zero points of the rule above, by feature index. */\n");
        b.append("#define ").append(u).append("_MODEL_INPUT_SCALES {");
        for (int i = 0; i < iq.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(doubleLit(iq.scale(i)));
        }
        b.append("}\n#define ").append(u).append("_MODEL_INPUT_ZERO_POINTS {");
        for (int i = 0; i < iq.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(int64Lit(iq.zeroPoint(i)));
        }
        b.append("}\n\n");
        b.append("/**\n * Quantizes ").append(u).append("_MODEL_INPUTS raw readings x (model order) into q by the "
                + "rule above, exactly as\n * the Java runtime (InputQuantization.quantize): returns 0; or, when x[i] "
                + "is NaN (a failed sensor\n * read), i + 1 for the first such i, leaving q untouched: NaN is no value "
                + "the model can take, so\n * do not call ").append(p).append("_predict then (the runtime refuses it "
                + "too). "
                + "+-inf and huge readings saturate.\n"
                + " * Exact where double is IEEE 754 binary64 (hosts; Cortex-M, in software or on a double FPU); NOT\n"
                + " * exact where double is 32 bits (avr-gcc's default; see above). No libm; do not build with\n"
                + " * -ffinite-math-only (-ffast-math), which drops the NaN test. Static inline: no code unless "
                + "called;\n * once called, its two tables (").append(u).append("_MODEL_INPUTS * (sizeof(double) + 8) "
                + "bytes) are in RAM on AVR, not PROGMEM.\n"
                + " */\n");
        // Every name declared in the header's inline functions, parameters and locals included, starts with the
        // prefix: a firmware's own global named i, x or scale, declared before the #include, would otherwise be
        // shadowed, which -Wshadow -Werror builds refuse. Casts go through PREFIX_CAST_ (static_cast in C++, for
        // -Wold-style-cast builds).
        String x = p + "_x", q = p + "_q", sc = p + "_scale", zp = p + "_zero_point", i = p + "_i", r = p + "_r",
                a = p + "_a", t = p + "_t", v = p + "_v", cast = u + "_CAST_";
        b.append("static inline int ").append(p).append("_quantize_inputs(const double *").append(x).append(", ")
                .append(p).append("_input_t *").append(q).append(")\n{\n");
        b.append("    static const double ").append(sc).append("[").append(u).append("_MODEL_INPUTS] = ").append(u)
                .append("_MODEL_INPUT_SCALES;\n");
        b.append("    static const int64_t ").append(zp).append("[").append(u).append("_MODEL_INPUTS] = ").append(u)
                .append("_MODEL_INPUT_ZERO_POINTS;\n");
        b.append("    int ").append(i).append(";\n    double ").append(r).append(";\n    double ").append(a)
                .append(";\n    int64_t ").append(t).append(";\n    int64_t ").append(v).append(";\n");
        b.append("    for (").append(i).append(" = 0; ").append(i).append(" < ").append(u).append("_MODEL_INPUTS; ")
                .append(i).append("++) {\n"
                // NaN is the one value not <= itself; written without == or != for -Wfloat-equal builds
                + "        if (!(").append(x).append("[").append(i).append("] <= ").append(x).append("[").append(i)
                .append("])) {\n            return ").append(i).append(" + 1;\n        }\n    }\n");
        b.append("    for (").append(i).append(" = 0; ").append(i).append(" < ").append(u).append("_MODEL_INPUTS; ")
                .append(i).append("++) {\n"
                + "        ").append(r).append(" = ").append(x).append("[").append(i).append("] / ").append(sc)
                .append("[").append(i).append("];\n"
                // |r| >= 2^40 saturates, as the runtime does: no conversion of an out-of-range double (UB)
                + "        if (").append(r).append(" >= 1099511627776.0) {\n            ").append(v).append(" = ")
                .append(u).append("_MODEL_INPUT_MAX;\n"
                + "        } else if (").append(r).append(" <= -1099511627776.0) {\n            ").append(v)
                .append(" = ").append(u).append("_MODEL_INPUT_MIN;\n"
                + "        } else {\n"
                // |r| < 2^40: truncation is floor(|r|), exact; |r| - t is exact too, so a tie is seen as a tie
                + "            ").append(a).append(" = ").append(r).append(" < 0 ? -").append(r).append(" : ")
                .append(r).append(";\n"
                + "            ").append(t).append(" = ").append(cast).append("(int64_t, ").append(a).append(");\n"
                + "            if (").append(a).append(" - ").append(cast).append("(double, ").append(t)
                .append(") >= 0.5) {\n                ").append(t).append("++;\n            }\n"
                + "            ").append(v).append(" = (").append(r).append(" < 0 ? -").append(t).append(" : ")
                .append(t).append(") + ").append(zp).append("[").append(i).append("];\n"
                + "            if (").append(v).append(" < ").append(u).append("_MODEL_INPUT_MIN) {\n                ")
                .append(v).append(" = ").append(u).append("_MODEL_INPUT_MIN;\n            }\n"
                + "            if (").append(v).append(" > ").append(u).append("_MODEL_INPUT_MAX) {\n                ")
                .append(v).append(" = ").append(u).append("_MODEL_INPUT_MAX;\n            }\n"
                + "        }\n"
                + "        ").append(q).append("[").append(i).append("] = ").append(cast).append("(").append(p)
                .append("_input_t, ").append(v).append(");\n    }\n    return 0;\n}\n\n");
    }

    /**
     * {@code prefix_predict_class}: the class the runtime's {@code predictClass} decides, the same call for every
     * classifier kind (a one-logit network compares with the score's zero point, others take the largest score).
     * Regression models have no classes, so none is generated.
     */
    private void classHelper(StringBuilder b, IntModel m) {
        if (m.classNames().isEmpty()) {
            b.append("/* A regression model: no ").append(prefix).append("_predict_class. */\n\n");
            return;
        }
        String p = prefix;
        String u = macro;
        b.append("/**\n * Runs the model on x and returns the predicted class index (the list above), as the Java "
                + "runtime\n * decides it. Needs ").append(u).append("_MODEL_OUTPUTS int32 of stack beyond ").append(p)
                .append("_predict's. Static inline: no code unless called.\n */\n");
        String x = p + "_x", out = p + "_out", c = p + "_c", best = p + "_best"; // prefixed: see quantizeHelper
        b.append("static inline int ").append(p).append("_predict_class(const ").append(p).append("_input_t *")
                .append(x).append(")\n{\n");
        b.append("    int32_t ").append(out).append("[").append(u).append("_MODEL_OUTPUTS];\n");
        if (scoreHead(m)) {
            b.append("    ").append(p).append("_predict(").append(x).append(", ").append(out).append(");\n");
            b.append("    return ").append(out).append("[0] > ").append(u).append("_MODEL_SCORE_ZERO ? 1 : 0;\n}\n\n");
        } else {
            b.append("    int ").append(c).append(";\n    int ").append(best).append(" = 0;\n");
            b.append("    ").append(p).append("_predict(").append(x).append(", ").append(out).append(");\n");
            b.append("    for (").append(c).append(" = 1; ").append(c).append(" < ").append(u)
                    .append("_MODEL_OUTPUTS; ").append(c).append("++) {\n"
                    + "        if (").append(out).append("[").append(c).append("] > ").append(out).append("[")
                    .append(best).append("]) {\n            ").append(best).append(" = ").append(c)
                    .append(";\n        }\n    }\n"
                    + "    return ").append(best).append(";\n}\n\n");
        }
    }

    /** A double literal that reads back as the same binary64 value. */
    private static String doubleLit(double v) {
        return String.format(Locale.ROOT, "%.17g", v);
    }

    /**
     * An int64 initializer without {@code INT64_C} or {@code LL} (neither is C++98; {@code -Wpedantic} refuses
     * {@code LL} there): a {@code long} literal where the value fits 32 bits, else
     * {@code ((int64_t)hi * 1000000000L + (lo))}, whose parts fit 32 bits (zero points are at most 2^39).
     */
    private String int64Lit(long v) {
        if (v >= Integer.MIN_VALUE + 1 && v <= Integer.MAX_VALUE) {
            return v + "L";
        }
        return "(" + macro + "_CAST_(int64_t, " + (v / 1_000_000_000L) + "L) * 1000000000L + ("
                + (v % 1_000_000_000L) + "L))";
    }

    /**
     * The header with a comment after its first line stating the sizes {@code report.json} gives and where the
     * tables live. A comment only: the sources measured are the sources shipped.
     *
     * @param header the generated {@code model.h}
     * @param target the target the sizes were measured for
     * @param report the size report's members ({@code flashBytes}, {@code modelFlashBytes},
     *               {@code helperFlashBytes}, {@code ramBytes}, {@code stackBytes}, {@code inputBufferBytes},
     *               {@code outputBufferBytes}; {@code flashBytes} null when nothing was measured, then
     *               {@code estimatedFlashBytes} and {@code sizeSource})
     * @return the header with the comment
     */
    public String withSizes(String header, TargetProfile target, java.util.Map<String, ?> report) {
        StringBuilder b = new StringBuilder("/*\n * Sizes (as report.json): ");
        Object flash = report.get("flashBytes");
        if (flash instanceof Number) {
            long ram = ((Number) report.get("ramBytes")).longValue();
            long stack = ((Number) report.get("stackBytes")).longValue();
            b.append("flash ").append(flash).append(" B (model.o ").append(report.get("modelFlashBytes"))
                    .append(" B + run-time helpers it links in ").append(report.get("helperFlashBytes"))
                    .append(" B);\n * RAM ").append(ram).append(" B (data and bss ").append(ram - stack)
                    .append(" B + stack ").append(stack).append(" B, a bound for ").append(prefix)
                    .append("_predict and the helpers it calls),\n * plus the caller's input and output arrays (")
                    .append(report.get("inputBufferBytes")).append(" + ").append(report.get("outputBufferBytes"))
                    .append(" B).");
        } else {
            // sizeSource: "not measured (avr-gcc is not installed): ..."
            b.append(commentText(String.valueOf(report.get("sizeSource"))).replaceAll(":.*", ""))
                    .append(";\n * the parameters alone take ")
                    .append(report.get("estimatedFlashBytes")).append(" B of flash.");
        }
        b.append(" The static inline helpers below are not counted: no code unless called.\n");
        if (target.core() == io.edgeloop.api.target.CpuCore.AVR) {
            b.append(" * Tables: in flash (PROGMEM), read with near pgm_read_*: on parts with more than 64 KiB of "
                    + "flash\n * they must be linked below 64 KiB.\n */\n");
        } else {
            b.append(" * Tables: const, in flash (.rodata); nothing is copied to RAM.\n */\n");
        }
        int firstLine = header.indexOf('\n') + 1;
        return header.substring(0, firstLine) + b + header.substring(firstLine);
    }

    /**
     * For a regression model, how an output becomes a real value: {@code real = S * (q - Z)} with the model's
     * constants, shared by every output (documentation: the device may keep working in integers).
     */
    private static void regressionScale(StringBuilder b, IntModel m) {
        double at0 = m.dequantizeOutput(0, 0);
        double slope = m.dequantizeOutput(0, 1) - at0;
        boolean shared = true;
        for (int o = 1; o < m.outputSize(); o++) {
            shared &= m.dequantizeOutput(o, 0) == at0 && m.dequantizeOutput(o, 1) - m.dequantizeOutput(o, 0) == slope;
        }
        if (!shared || slope == 0 || !Double.isFinite(slope) || !Double.isFinite(at0)) {
            b.append("; model.json gives their scale");
            return;
        }
        // q - Z with Z = -at0 / slope; print Z only when it is not 0
        long zero = Math.round(-at0 / slope);
        b.append(";\n * the real value is ").append(String.format(Locale.ROOT, "%.9g", slope)).append(" * (q");
        if (zero != 0) {
            b.append(zero > 0 ? " - " : " + ").append(Math.abs(zero));
        }
        b.append(")");
    }

    /**
     * A name (feature, class, target) as it may appear inside a generated C comment: every byte of its UTF-8 form
     * outside {@code [A-Za-z0-9 _.,:;=+()-]} is written as {@code \xNN}. Names come from model files trained
     * elsewhere (ONNX metadata) and CSV headers, so nothing in them may end the comment ({@code * /}), open a
     * nested one ({@code / *}, an error under {@code -Werror=comment}), splice lines (backslash-newline, the
     * trigraph {@code ??/}, a lone CR) or depend on the compiler's source character set (non-ASCII bytes).
     *
     * @param name a name
     * @return the escaped text, made of the allowed characters and {@code \xNN} escapes only
     */
    static String commentText(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            boolean keep = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || " _.,:;=+()-".indexOf(c) >= 0;
            if (keep) {
                b.append((char) c);
            } else {
                b.append(String.format(Locale.ROOT, "\\x%02X", c));
            }
        }
        return b.toString();
    }

    /**
     * The input quantization rule and, per feature, its constants (the model code takes already-quantized inputs;
     * {@code prefix_quantize_inputs} implements the rule).
     */
    private void inputComment(StringBuilder b, IntModel m) {
        InputQuantization iq = m.input();
        String u = macro;
        b.append("/*\n * One quantized input. The model takes inputs already quantized. The Java runtime's rule, per\n"
                + " * feature i, exactly (").append(prefix).append("_quantize_inputs below implements it):\n"
                + " *   x is NaN: no input at all; the runtime refuses it (do not run the model on it)\n"
                + " *   r = x / scale[i]                      (IEEE 754 binary64 division, correctly rounded)\n"
                + " *   r >= 2^40: q = ").append(u).append("_MODEL_INPUT_MAX; r <= -2^40: q = ").append(u)
                .append("_MODEL_INPUT_MIN (saturation: +-inf,\n"
                + " *             1e30; converting such an r to an integer is undefined behaviour in C)\n"
                + " *   else q = round_half_away(r) + zero_point[i] (ties such as 2.5 and -2.5 go to 3 and -3; int64 "
                + "sum)\n *        q = clamp(q, ").append(u).append("_MODEL_INPUT_MIN, ").append(u)
                .append("_MODEL_INPUT_MAX)\n"
                + " * with scale and zero_point from \"input\" in model.json (").append(u)
                .append("_MODEL_INPUT_SCALES and _ZERO_POINTS below,\n"
                + " * and the table; 17 significant digits read back as the same double). Only this form, in 64-bit\n"
                + " * double with int64 zero points (they reach 2^39 for offset features), gives the runtime's q for\n"
                + " * every x.\n"
                + " * In float32 (an FPU such as the Cortex-M4F's, or avr-gcc's 32-bit double) r is rounded to 24\n"
                + " * bits: q can differ by one step for a reading near a step boundary (a tie such as r = 24029.5\n"
                + " * may land on either side), and by many steps once |r| or |zero_point| exceeds 2^24 (int32\n"
                + " * schemes, offset features): those need 64-bit double, or quantize on a host.\n"
                + " * The low-end form q = round_half_away((x - lo[i]) / scale[i]) + ").append(u)
                .append("_MODEL_INPUT_MIN, clamped,\n"
                + " * with lo[i] = scale[i] * (").append(u)
                .append("_MODEL_INPUT_MIN - zero_point[i]) (the feature's lowest value),\n"
                + " * keeps r small and so suits float32 better, but it is NOT the same rule: its own roundings can\n"
                + " * move q by one step at ties even in double. When one step matters, compare the device's q with\n"
                + " * the Java runtime (InputQuantization.quantize) on recorded readings.\n"
                + " *   feature: scale, zero_point, lo\n");
        List<String> f = m.featureNames();
        for (int i = 0; i < iq.size(); i++) {
            b.append(" *   ").append(i).append(" ").append(commentText(f.get(i))).append(": ")
                    .append(String.format(Locale.ROOT, "%.17g", iq.scale(i))).append(", ")
                    .append(iq.zeroPoint(i)).append(", ")
                    .append(String.format(Locale.ROOT, "%.17g", iq.scale(i) * (iq.min() - iq.zeroPoint(i))))
                    .append("\n");
        }
        b.append(" */\n");
    }

    private static String prelude(boolean needsRdbp, boolean needs64) {
        StringBuilder b = new StringBuilder();
        b.append("#include \"model.h\"\n\n");
        // C++98 (avr-g++'s default gnu++98, an Arduino build of model.c as C++) has INT32_C and friends only with
        // __STDC_CONSTANT_MACROS; the suffixes give the same types on every target Edgeloop builds for
        b.append("#ifndef INT32_C\n#define INT32_C(c) ((int32_t)(c ## L))\n#endif\n"
                + "#ifndef UINT32_C\n#define UINT32_C(c) ((uint32_t)(c ## UL))\n#endif\n"
                + "#ifndef INT64_C\n#define INT64_C(c) ((int64_t)(c ## LL))\n#endif\n\n");
        // Signed PROGMEM values are read as unsigned and mapped to their signed value arithmetically: a cast of an
        // out-of-range unsigned value to a signed type is implementation-defined (C99 6.3.1.3p3).
        b.append("#if defined(__AVR__)\n#include <avr/pgmspace.h>\n"
                + "/* Tables are read with near pgm_read_* (16-bit addresses): on parts with more than 64 KiB of flash\n"
                + "   they must be linked below 64 KiB. */\n#define EL_ROM PROGMEM\n"
                + "static inline int8_t el_i8(const int8_t *p)\n{\n    uint8_t u = pgm_read_byte(p);\n"
                + "    return (int8_t)(u < 128u ? (int16_t)u : (int16_t)((int16_t)u - 256));\n}\n"
                + "static inline int16_t el_i16(const int16_t *p)\n{\n    uint16_t u = pgm_read_word(p);\n"
                + "    return (int16_t)(u < 32768u ? (int32_t)u : (int32_t)u - INT32_C(65536));\n}\n"
                + "static inline int32_t el_i32(const int32_t *p)\n{\n    uint32_t u = pgm_read_dword(p);\n"
                + "    return u < UINT32_C(2147483648) ? (int32_t)u\n"
                + "            : (int32_t)(u - UINT32_C(2147483648)) - INT32_C(2147483647) - 1;\n}\n"
                + "#define EL_I8(p) el_i8(p)\n#define EL_U8(p) ((uint8_t)pgm_read_byte(p))\n"
                + "#define EL_I16(p) el_i16(p)\n#define EL_U16(p) ((uint16_t)pgm_read_word(p))\n"
                + "#define EL_I32(p) el_i32(p)\n"
                + (needs64 ? "static int64_t el_i64(const int64_t *p) { int64_t v; memcpy_P(&v, p, sizeof v); return v; }\n" : "")
                + "#else\n#define EL_ROM\n#define EL_I8(p) (*(p))\n#define EL_U8(p) (*(p))\n#define EL_I16(p) (*(p))\n"
                + "#define EL_U16(p) (*(p))\n#define EL_I32(p) (*(p))\n"
                + (needs64 ? "static int64_t el_i64(const int64_t *p) { return *p; }\n" : "") + "#endif\n\n");
        if (needsRdbp) {
            // Portable C99: a right shift of a negative value is implementation-defined (C99 6.5.7p5), so the floor
            // of a negative x / 2^n is computed from the non-negative -1 - x, and the remainder through uint64_t.
            b.append("/* x / 2^n rounded half away from zero (gemmlowp RoundingDivideByPOT on 64 bits), n in [0, 62];\n"
                    + "   no right shift of a negative value, no out-of-range conversion to a signed type. */\n");
            b.append("static int64_t el_rdbp64(int64_t x, uint8_t n)\n{\n"
                    + "    int64_t mask;\n    int64_t floor_q;\n    int64_t rem;\n    int64_t thr;\n"
                    + "    if (n == 0) {\n        return x;\n    }\n"
                    + "    mask = (int64_t)((INT64_C(1) << n) - INT64_C(1));\n"
                    + "    floor_q = x >= 0 ? x >> n : -INT64_C(1) - ((-INT64_C(1) - x) >> n);\n"
                    + "    rem = (int64_t)((uint64_t)x & (uint64_t)mask);\n"
                    + "    thr = (mask >> 1) + (x < 0 ? INT64_C(1) : INT64_C(0));\n"
                    + "    return floor_q + (rem > thr ? INT64_C(1) : INT64_C(0));\n}\n\n");
        }
        return b.toString();
    }

    private static String lit32(long v) {
        if (v == Integer.MIN_VALUE) {
            return "-INT32_C(2147483647) - 1";
        }
        return "INT32_C(" + v + ")";
    }

    private static String lit64(long v) {
        if (v == Long.MIN_VALUE) {
            return "-INT64_C(9223372036854775807) - 1";
        }
        return "INT64_C(" + v + ")";
    }

    private static String reader(String type) {
        switch (type) {
            case "int8_t":
                return "EL_I8";
            case "uint8_t":
                return "EL_U8";
            case "int16_t":
                return "EL_I16";
            case "uint16_t":
                return "EL_U16";
            case "int32_t":
                return "EL_I32";
            default:
                return "el_i64";
        }
    }

    private static void table(StringBuilder b, String type, String name, long[] values) {
        b.append("static const ").append(type).append(" ").append(name).append("[").append(values.length)
                .append("] EL_ROM = {");
        for (int i = 0; i < values.length; i++) {
            if (i % 12 == 0) {
                b.append("\n    ");
            }
            long v = values[i];
            switch (type) {
                case "int64_t":
                    b.append(lit64(v));
                    break;
                case "int32_t":
                    b.append(lit32(v));
                    break;
                default:
                    b.append(v);
            }
            if (i < values.length - 1) {
                b.append(", ");
            }
        }
        b.append("\n};\n");
    }

    private static String valueType(int bits) {
        return "int" + bits + "_t";
    }

    private String network(IntNetwork net) {
        StringBuilder b = new StringBuilder();
        b.append("/* Generated by Edgeloop sdk-quantize (scheme ").append(net.scheme())
                .append("). Requantisation: single rounding, half away from zero. Do not edit. */\n");
        List<IntLayer> layers = net.layers();
        boolean needs64 = false;
        boolean needsRdbp = false;
        for (IntLayer layer : layers) {
            needs64 |= !layer.biasFits32();
            needsRdbp |= layer.requantization() != Requantization.NONE;
        }
        b.append(prelude(needsRdbp, needs64));
        int valueBits = net.input().max() <= Byte.MAX_VALUE ? 8 : net.input().max() <= Short.MAX_VALUE ? 16 : 32;
        for (int l = 0; l < layers.size(); l++) {
            IntLayer layer = layers.get(l);
            long[] w = new long[layer.inputs() * layer.outputs()];
            long[] bias = new long[layer.outputs()];
            long[] mult = new long[layer.outputs()];
            long[] shift = new long[layer.outputs()];
            for (int o = 0; o < layer.outputs(); o++) {
                for (int i = 0; i < layer.inputs(); i++) {
                    w[o * layer.inputs() + i] = layer.weight(o, i);
                }
                bias[o] = layer.bias(o);
                if (layer.requantization() == Requantization.PER_CHANNEL) {
                    mult[o] = layer.multiplier(o);
                    shift[o] = layer.shift(o);
                }
            }
            b.append("\n/* Layer ").append(l).append(": ").append(layer.inputs()).append(" -> ").append(layer.outputs())
                    .append(", ").append(layer.activation()).append(", accumulator ").append(layer.accumulatorBits())
                    .append("-bit, |acc| <= ").append(layer.accumulatorBound()).append(" (proved), requantization ")
                    .append(layer.requantization().id()).append(" */\n");
            table(b, valueType(layer.weightBits()), "L" + l + "_W", w);
            table(b, biasType(layer), "L" + l + "_B", bias);
            if (layer.requantization() == Requantization.PER_CHANNEL) {
                table(b, "int32_t", "L" + l + "_M", mult);
                table(b, "uint8_t", "L" + l + "_S", shift);
            }
        }
        b.append("\nvoid ").append(prefix).append("_predict(const ").append(prefix)
                .append("_input_t *input, int32_t *output)\n{\n");
        String vt = valueType(valueBits);
        for (int l = 0; l < layers.size() - 1; l++) {
            b.append("    ").append(vt).append(" a").append(l).append("[").append(layers.get(l).outputs()).append("];\n");
        }
        b.append("    uint16_t o;\n    uint16_t i;\n");
        for (int l = 0; l < layers.size(); l++) {
            IntLayer layer = layers.get(l);
            String in = l == 0 ? "input" : "a" + (l - 1);
            String out = l == layers.size() - 1 ? "output" : "a" + l;
            String outCast = l == layers.size() - 1 ? "int32_t" : vt;
            String acc = layer.accumulatorBits() == 32 ? "int32_t" : "int64_t";
            String prod = layer.accumulatorBits() == 64 ? "int64_t"
                    : layer.weightBits() + valueBits <= 16 ? "int16_t" : "int32_t";
            String wt = valueType(layer.weightBits());
            b.append("    for (o = 0; o < ").append(layer.outputs()).append("u; o++) {\n");
            b.append("        ").append(acc).append(" acc = (").append(acc).append(")").append(reader(biasType(layer)))
                    .append("(&L").append(l).append("_B[o]);\n");
            b.append("        const ").append(wt).append(" *w = &L").append(l).append("_W[(uint32_t)o * ")
                    .append(layer.inputs()).append("u];\n");
            if (layer.requantization() != Requantization.NONE) {
                b.append("        int64_t v;\n");
            }
            b.append("        for (i = 0; i < ").append(layer.inputs()).append("u; i++) {\n");
            b.append("            acc += (").append(acc).append(")((").append(prod).append(")").append(reader(wt))
                    .append("(&w[i]) * (").append(prod).append(")").append(in).append("[i]);\n");
            b.append("        }\n");
            if (layer.requantization() == Requantization.NONE) {
                // The outputs are the accumulators, proved to fit 32 bits.
                b.append("        ").append(out).append("[o] = (int32_t)acc;\n    }\n");
                continue;
            }
            if (layer.requantization() == Requantization.PER_TENSOR) {
                b.append("        v = el_rdbp64((int64_t)acc * ").append(lit64(layer.multiplier(0))).append(", (uint8_t)")
                        .append(layer.shift(0)).append("u) + ").append(lit64(layer.zeroPoint())).append(";\n");
            } else {
                b.append("        v = el_rdbp64((int64_t)acc * (int64_t)EL_I32(&L").append(l).append("_M[o]), EL_U8(&L")
                        .append(l).append("_S[o])) + ").append(lit64(layer.zeroPoint())).append(";\n");
            }
            b.append("        if (v < ").append(lit64(layer.outputMin())).append(") {\n            v = ")
                    .append(lit64(layer.outputMin())).append(";\n        }\n");
            b.append("        if (v > ").append(lit64(layer.outputMax())).append(") {\n            v = ")
                    .append(lit64(layer.outputMax())).append(";\n        }\n");
            b.append("        ").append(out).append("[o] = (").append(outCast).append(")v;\n");
            b.append("    }\n");
        }
        b.append("}\n");
        return b.toString();
    }

    private static String biasType(IntLayer layer) {
        return layer.biasFits32() ? "int32_t" : "int64_t";
    }

    private String trees(IntTreeEnsemble t) {
        StringBuilder b = new StringBuilder();
        b.append("/* Generated by Edgeloop sdk-quantize (scheme ").append(t.scheme())
                .append("): decision trees; integer thresholds proved equal to the float splits. Do not edit. */\n");
        b.append(prelude(false, t.thresholdBytes() == 8));
        int n = t.nodes();
        if (n > 65535) {
            throw new IllegalArgumentException("Trees with " + n + " nodes exceed the generator's 65535-node limit");
        }
        long[] f = new long[n];
        long[] thr = new long[n];
        long[] left = new long[n];
        long[] right = new long[n];
        long[] val = new long[n];
        for (int i = 0; i < n; i++) {
            f[i] = t.feature(i);
            thr[i] = t.threshold(i);
            left[i] = t.left(i);
            right[i] = t.right(i);
            val[i] = t.value(i);
        }
        long[] roots = new long[t.trees()];
        for (int i = 0; i < roots.length; i++) {
            roots[i] = t.root(i);
        }
        String ft = t.inputSize() <= 127 ? "int8_t" : "int16_t";
        String tt = t.thresholdBytes() == 1 ? "int8_t" : t.thresholdBytes() == 2 ? "int16_t"
                : t.thresholdBytes() == 4 ? "int32_t" : "int64_t";
        boolean implicitLeft = t.implicitLeft();
        boolean regression = t.classNames().isEmpty();
        String vt = regression ? "int32_t" : "uint8_t";
        if (!regression && (t.classNames().size() > 255 || t.hasVotes())) {
            vt = "uint16_t";
        }
        table(b, ft, "T_F", f);
        table(b, tt, "T_T", thr);
        if (!implicitLeft) {
            table(b, "uint16_t", "T_L", left);
        }
        table(b, "uint16_t", "T_R", right);
        table(b, vt, "T_V", val);
        table(b, "uint16_t", "T_ROOT", roots);
        int k = t.outputSize();
        if (t.hasVotes()) {
            long[] votes = new long[t.voteRows() * k];
            for (int r = 0; r < t.voteRows(); r++) {
                for (int c = 0; c < k; c++) {
                    votes[r * k + c] = t.vote(r, c);
                }
            }
            b.append("/* Leaf vote vectors: row T_V[leaf], one int16 weight per class. */\n");
            table(b, "int16_t", "T_VOTES", votes);
        }
        b.append("\nvoid ").append(prefix).append("_predict(const ").append(prefix)
                .append("_input_t *input, int32_t *output)\n{\n");
        b.append("    uint16_t t;\n    uint16_t n;\n    ").append(ft).append(" f;\n");
        if (t.hasVotes()) {
            b.append("    uint32_t base;\n    uint16_t c;\n");
        }
        b.append("    for (t = 0; t < ").append(macro)
                .append("_MODEL_OUTPUTS; t++) {\n        output[t] = INT32_C(0);\n    }\n");
        b.append("    for (t = 0; t < ").append(roots.length).append("u; t++) {\n");
        b.append("        n = EL_U16(&T_ROOT[t]);\n");
        b.append("        while ((f = ").append(reader(ft)).append("(&T_F[n])) >= 0) {\n");
        b.append("            n = ((").append(tt).append(")input[f] > ").append(reader(tt))
                .append("(&T_T[n])) ? EL_U16(&T_R[n]) : ")
                .append(implicitLeft ? "(uint16_t)(n + 1u)" : "EL_U16(&T_L[n])").append(";\n");
        b.append("        }\n");
        if (t.hasVotes()) {
            b.append("        base = (uint32_t)EL_U16(&T_V[n]) * UINT32_C(").append(k).append(");\n");
            b.append("        for (c = 0; c < ").append(k).append("u; c++) {\n");
            b.append("            output[c] += (int32_t)EL_I16(&T_VOTES[base + c]);\n        }\n");
        } else if (regression) {
            b.append("        output[0] += ").append(reader(vt)).append("(&T_V[n]);\n");
        } else {
            b.append("        output[").append(reader(vt)).append("(&T_V[n])] += INT32_C(1);\n");
        }
        b.append("    }\n}\n");
        return b.toString();
    }

    /**
     * @param s a string
     * @return it as a C identifier fragment
     */
    static String ident(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }
}
