package io.edgeloop.quantize.runtime;

import io.edgeloop.quantize.codegen.GeneratedSources;
import io.edgeloop.quantize.codegen.Toolchain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code report.json} of a quantized-model directory: sizes measured with the target's compiler when it is
 * installed (flash then includes the compiler's run-time helpers that {@code model.o} links in,
 * {@code helperFlashBytes}, beside {@code model.o}'s own {@code modelFlashBytes}; else estimated from the parameter
 * bytes), the stack {@code edgeloop_predict} needs including the
 * compiler's run-time helpers ({@code stackBytes}, in {@code ramBytes}), the caller's input and output buffers (counted in
 * {@code fits}, see {@link #FITS_COUNTS}), parameter bytes against float32, and the per-layer accumulator proofs.
 *
 * <p>Thread-safe: immutable.
 *
 * @param values the report fields
 */
public record SizeReport(Map<String, Object> values) {
    /**
     * @param a   the artifact
     * @param src its generated sources
     * @return the report
     * @throws UncheckedIOException when the target compiler rejects the generated code
     */
    public static SizeReport of(QuantizedArtifact a, GeneratedSources src) {
        IntModel m = a.model();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target", a.target().id());
        r.put("scheme", m.scheme());
        r.put("kind", m.kind());
        r.put("inputSize", m.inputSize());
        r.put("outputSize", m.outputSize());
        Toolchain tc = Toolchain.forTarget(a.target().id());
        Optional<Toolchain.Measurement> measured = Optional.empty();
        // A table over the compiler's object limit (avr-gcc: 32 KiB) cannot be built for the target at all: the
        // model does not fit it, which is reported like any other too-large model instead of failing.
        Optional<String> tooLarge = tc.objectLimitProblem(src.source());
        Path tmp = null;
        if (tooLarge.isEmpty()) {
            try {
                tmp = Files.createTempDirectory("edgeloop-size");
                Files.writeString(tmp.resolve("model.h"), src.header(), StandardCharsets.UTF_8);
                Files.writeString(tmp.resolve("model.c"), src.source(), StandardCharsets.UTF_8);
                measured = tc.measureDetailed(tmp);
            } catch (IOException e) {
                throw new UncheckedIOException("The generated C code did not compile for " + a.target().id() + ": "
                        + e.getMessage(), e);
            } finally {
                if (tmp != null) {
                    Toolchain.deleteQuietly(tmp);
                }
            }
        }
        long params = m.parameterBytes();
        if (measured.isPresent()) {
            r.put("flashBytes", measured.get().flashBytes());
            r.put("modelFlashBytes", measured.get().modelFlashBytes());
            r.put("helperFlashBytes", measured.get().helperFlashBytes());
            r.put("ramBytes", measured.get().ramBytes());
            r.put("stackBytes", measured.get().stackBytes());
            r.put("stackSource", measured.get().stackSource());
            r.put("sizeSource", measured.get().sizeSource());
        } else {
            long stack = estimatedActivations(m) + Toolchain.ESTIMATED_FRAME_OVERHEAD + tc.helperStackBound();
            r.put("flashBytes", params);
            r.put("ramBytes", stack);
            r.put("stackBytes", stack);
            r.put("stackSource", "estimate: hidden activation arrays " + estimatedActivations(m) + " + locals and "
                    + "saved registers " + Toolchain.ESTIMATED_FRAME_OVERHEAD + " + run-time helpers "
                    + tc.helperStackBound() + " (documented bounds; " + tc.compiler() + " did not build it)");
            r.put("sizeSource", (tooLarge.isPresent()
                    ? "estimate (parameter bytes; hidden activations; " + tc.compiler() + " cannot build it)"
                    : "estimate (parameter bytes; hidden activations; " + tc.compiler() + " not installed)")
                    + ": flash counts the parameters only, not the code or the run-time helpers it links in");
        }
        long inputBuffer = inputBufferBytes(m);
        long outputBuffer = outputBufferBytes(m);
        long flash = ((Number) r.get("flashBytes")).longValue();
        long ram = ((Number) r.get("ramBytes")).longValue() + inputBuffer + outputBuffer;
        r.put("inputBufferBytes", inputBuffer);
        r.put("outputBufferBytes", outputBuffer);
        r.put("ramBytesWithBuffers", ram);
        r.put("targetFlashBytes", a.target().flashBytes());
        r.put("targetRamBytes", a.target().ramBytes());
        r.put("fits", tooLarge.isEmpty() && flash <= a.target().flashBytes() && ram <= a.target().ramBytes());
        r.put("fitsCounts", FITS_COUNTS);
        tooLarge.ifPresent(reason -> r.put("fitsNote", "does not fit " + a.target().id() + ": " + reason));
        r.put("parameterBytes", params);
        r.put("float32ParameterBytes", m.float32ParameterBytes());
        r.put("parameterRatio", (double) params / m.float32ParameterBytes());
        r.put("parameterRatioFloor", m.parameterRatioFloor());
        r.put("float32Baseline", m instanceof IntNetwork
                ? "4 bytes per weight and bias of the same graph (standardisation folded into the first layer, "
                        + "two-class heads reduced to one logit, as in the integer model); input conversion not counted"
                : "the same tree layout with float32 thresholds (and float32 regression leaves and leaf vote weights); "
                        + "feature indices, child links and class indices keep their integer types");
        if (m instanceof IntNetwork) {
            List<Object> layers = new ArrayList<>();
            for (IntLayer l : ((IntNetwork) m).layers()) {
                Map<String, Object> lm = new LinkedHashMap<>();
                lm.put("inputs", l.inputs());
                lm.put("outputs", l.outputs());
                lm.put("weightBits", l.weightBits());
                lm.put("requantization", l.requantization().id());
                lm.put("parameterBytes", l.parameterBytes());
                lm.put("accumulatorBits", l.accumulatorBits());
                lm.put("accumulatorBound", l.accumulatorBound());
                layers.add(lm);
            }
            r.put("layers", layers);
        } else {
            IntTreeEnsemble t = (IntTreeEnsemble) m;
            r.put("trees", t.trees());
            r.put("nodes", t.nodes());
            r.put("splits", t.splits());
            t.droppedSplits().ifPresent(d -> r.put("droppedSplits", d));
        }
        return new SizeReport(r);
    }

    /** What {@code fits} compares, as written into the report ({@code fitsCounts}). */
    public static final String FITS_COUNTS = "flashBytes <= targetFlashBytes and ramBytesWithBuffers <= targetRamBytes, "
            + "where flashBytes = modelFlashBytes (model.o's text and data) + helperFlashBytes (the compiler's run-time "
            + "helpers linking model.o pulls in) and ramBytesWithBuffers = ramBytes (model.c's data and bss, and stackBytes: the stack edgeloop_predict "
            + "needs, model.c's frames plus the compiler's run-time helpers it calls) + inputBufferBytes + outputBufferBytes "
            + "(the caller's edgeloop_input_t input[inputSize] and int32_t output[outputSize] that edgeloop_predict "
            + "reads and writes)";

    /**
     * @param m a model
     * @return bytes of the caller's input array: {@code inputSize} values of {@code edgeloop_input_t} (the input
     *         type's width: 1, 2 or 4 bytes)
     */
    public static long inputBufferBytes(IntModel m) {
        int max = m.input().max();
        long width = max <= Byte.MAX_VALUE ? 1 : max <= Short.MAX_VALUE ? 2 : 4;
        return width * m.inputSize();
    }

    /**
     * @param m a model
     * @return bytes of the caller's output array: {@code outputSize} values of {@code int32_t}
     */
    public static long outputBufferBytes(IntModel m) {
        return 4L * m.outputSize();
    }

    /** Without the compiler: a network's hidden activation arrays (stack); trees need a few locals only. */
    private static long estimatedActivations(IntModel m) {
        if (!(m instanceof IntNetwork)) {
            return 0;
        }
        IntNetwork n = (IntNetwork) m;
        long bytes = 0;
        List<IntLayer> layers = n.layers();
        for (int l = 0; l < layers.size() - 1; l++) {
            bytes += (long) layers.get(l).outputs() * (n.valueBits() / 8);
        }
        return bytes;
    }

    /** @return the fields, in order */
    public Map<String, Object> toMap() {
        return values;
    }
}
