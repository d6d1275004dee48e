package io.edgeloop.quantize.runtime;

import io.edgeloop.quantize.codegen.GeneratedSources;
import io.edgeloop.quantize.codegen.Toolchain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code report.json} of a quantized-model directory: sizes measured with the target's compiler (flash includes
 * the compiler's run-time helpers that {@code model.o} links in, {@code helperFlashBytes}, beside {@code model.o}'s
 * own {@code modelFlashBytes}), the stack {@code edgeloop_predict} needs including the
 * compiler's run-time helpers ({@code stackBytes}, in {@code ramBytes}), the caller's input and output buffers (counted in
 * {@code fits}, see {@link #FITS_COUNTS}), parameter bytes against float32, and the per-layer accumulator proofs.
 *
 * <p>Without the target's compiler (or when it cannot build the model) nothing is measured, and no estimate is
 * written where a measurement belongs: {@code flashBytes}, {@code ramBytes}, {@code stackBytes} and
 * {@code ramBytesWithBuffers} are null, the estimates go to {@code estimatedFlashBytes} (the parameter bytes, a lower
 * bound: no code, no helpers) and {@code estimatedRamBytes}, and {@code fits} is false only when that lower bound
 * (or the caller's buffers alone) already exceeds the part, else null (unknown), with {@code fitsNote} saying why
 * and what to install.
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
        return of(a, src, true);
    }

    /**
     * @param a       the artifact
     * @param src     its generated sources
     * @param compile false to report as when the target's compiler is not installed (for tests: the report of an
     *                unmeasured model, whatever this machine has installed)
     * @return the report
     */
    static SizeReport of(QuantizedArtifact a, GeneratedSources src, boolean compile) {
        IntModel m = a.model();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target", a.target().id());
        r.put("targetProfile", a.target().toMap());
        r.put("scheme", m.scheme());
        r.put("kind", m.kind());
        r.put("inputSize", m.inputSize());
        r.put("outputSize", m.outputSize());
        Toolchain tc = Toolchain.forProfile(a.target());
        Optional<Toolchain.Measurement> measured = Optional.empty();
        // A table over the compiler's object limit (avr-gcc: 32 KiB) cannot be built for the target at all: the
        // model does not fit it, which is reported like any other too-large model instead of failing.
        Optional<String> tooLarge = tc.objectLimitProblem(src.source());
        if (tooLarge.isEmpty() && compile) {
            // A scratch directory: deleted when the compile ends or fails, and by the shutdown hook on Ctrl-C or
            // SIGTERM (a finally block does not run then: 3 of 8 interrupted quantize runs left edgeloop-size* in /tmp)
            try (ScratchDirectory tmp = ScratchDirectory.createTemp("edgeloop-size")) {
                Files.writeString(tmp.path().resolve("model.h"), src.header(), StandardCharsets.UTF_8);
                Files.writeString(tmp.path().resolve("model.c"), src.source(), StandardCharsets.UTF_8);
                measured = tc.measureDetailed(tmp.path());
            } catch (IOException e) {
                throw new UncheckedIOException("The generated C code did not compile for " + a.target().id() + ": "
                        + e.getMessage(), e);
            }
        }
        long params = m.parameterBytes();
        long inputBuffer = inputBufferBytes(m);
        long outputBuffer = outputBufferBytes(m);
        if (measured.isPresent()) {
            r.put("flashBytes", measured.get().flashBytes());
            r.put("modelFlashBytes", measured.get().modelFlashBytes());
            r.put("helperFlashBytes", measured.get().helperFlashBytes());
            r.put("ramBytes", measured.get().ramBytes());
            r.put("stackBytes", measured.get().stackBytes());
            r.put("stackSource", measured.get().stackSource());
            r.put("sizeSource", measured.get().sizeSource());
            r.put("inputBufferBytes", inputBuffer);
            r.put("outputBufferBytes", outputBuffer);
            long ram = measured.get().ramBytes() + inputBuffer + outputBuffer;
            r.put("ramBytesWithBuffers", ram);
            r.put("targetFlashBytes", a.target().flashBytes());
            r.put("targetRamBytes", a.target().ramBytes());
            r.put("fits", measured.get().flashBytes() <= a.target().flashBytes() && ram <= a.target().ramBytes());
        } else {
            // Not measured: a parameter count is not a flash size (no code, no helpers), so it is never written as
            // flashBytes, and fits is decided only where the lower bounds already exceed the part.
            long stack = estimatedActivations(m) + Toolchain.ESTIMATED_FRAME_OVERHEAD + tc.helperStackBound();
            String why = tooLarge.isPresent() ? tc.compiler() + " cannot build it" : tc.compiler() + " is not installed";
            r.put("flashBytes", null);
            r.put("estimatedFlashBytes", params);
            r.put("ramBytes", null);
            r.put("estimatedRamBytes", stack);
            r.put("stackBytes", null);
            r.put("stackSource", "not measured (" + why + "); estimatedRamBytes: hidden activation arrays "
                    + estimatedActivations(m) + " + locals and saved registers " + Toolchain.ESTIMATED_FRAME_OVERHEAD
                    + " + run-time helpers " + tc.helperStackBound() + " (documented bounds)");
            r.put("sizeSource", "not measured (" + why + "): flashBytes, ramBytes and stackBytes are null; "
                    + "estimatedFlashBytes counts the parameters only, not the code or the run-time helpers it links "
                    + "in, so it is a lower bound");
            r.put("inputBufferBytes", inputBuffer);
            r.put("outputBufferBytes", outputBuffer);
            r.put("ramBytesWithBuffers", null);
            r.put("targetFlashBytes", a.target().flashBytes());
            r.put("targetRamBytes", a.target().ramBytes());
            boolean over = params > a.target().flashBytes() || inputBuffer + outputBuffer > a.target().ramBytes();
            r.put("fits", tooLarge.isPresent() || over ? Boolean.FALSE : null);
            if (tooLarge.isEmpty()) {
                r.put("fitsNote", over ? "does not fit " + a.target().id() + ": its parameters alone ("
                        + params + " bytes of flash) or the caller's buffers (" + (inputBuffer + outputBuffer)
                        + " bytes of RAM) exceed the part; " + why + ", so nothing was measured"
                        : "unknown: " + why + ", so flash and RAM were not measured; install it "
                        + "(scripts/install-test-deps.sh) and quantize again");
            }
        }
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
            t.inputScaleFit().ifPresent(f -> {
                Map<String, Object> fm = new LinkedHashMap<>();
                fm.put("pairs", f.pairs());
                fm.put("decidedAsFloatCalibrated", f.decidedAsFloatCalibrated());
                fm.put("decidedAsFloatFitted", f.decidedAsFloatFitted());
                fm.put("featuresFitted", f.featuresFitted());
                fm.put("featuresKeptForBudget", f.featuresKeptForBudget());
                r.put("treeInputScaleFit", fm);
            });
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
     * {@link #FITS_COUNTS} for sources generated with another C prefix ({@code quantize --c-prefix}).
     *
     * @param cPrefix the C symbol prefix of the generated names
     * @return the text with {@code edgeloop_predict} and {@code edgeloop_input_t} named with that prefix
     */
    public static String fitsCounts(String cPrefix) {
        return FITS_COUNTS.replace("edgeloop_", cPrefix + "_");
    }

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
