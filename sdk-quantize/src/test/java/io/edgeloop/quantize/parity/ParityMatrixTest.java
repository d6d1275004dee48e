package io.edgeloop.quantize.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.codegen.GeneratedSources;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.IntNetwork;
import io.edgeloop.quantize.runtime.ModelFormat;
import io.edgeloop.quantize.runtime.Requantization;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.scheme.WeightScales;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bit-exact parity of the generated C code with the Java runtime: every model kind, every scheme, on the host,
 * an ATmega328P (simavr), a Cortex-M3, a Cortex-M0 and a Cortex-M4F (qemu), 10,000 vectors each; every
 * requantisation mode (per-channel, per-tensor, raw accumulators); plus models over 128 features spanning five
 * orders of magnitude.
 */
class ParityMatrixTest {
    private static final int VECTORS = 10_000;
    private static final Scheme[] SCHEMES = {Scheme.INT8, Scheme.INT16, Scheme.INT16_W8, Scheme.INT32};

    private static List<String> run(ParityTarget target, Map<String, Object[]> models, Scheme[] schemes,
            List<String> skip) throws Exception {
        Map<String, IntModel> quantized = new LinkedHashMap<>();
        for (Map.Entry<String, Object[]> e : models.entrySet()) {
            for (Scheme s : schemes) {
                String name = e.getKey() + " " + s.name() + "/w" + s.weightBits();
                if (!skip.contains(name)) {
                    quantized.put(name, new ModelQuantizer(s, Calibration.MIN_MAX).quantize((FloatModel) e.getValue()[0],
                            (double[][]) e.getValue()[1]));
                }
            }
        }
        return run(target, quantized);
    }

    /**
     * Results by target and generated C. With {@link WeightScales#AUTO} the quantizer picks per-tensor scales for
     * the 6-feature networks, so some of {@link #everyRequantizationMode}'s models are, byte for byte in C, models
     * {@link #everyKindAndScheme} runs too: the test that comes second takes the result of the same 10,000 vectors
     * instead of simulating them again. The key holds the integer model as {@code model.json} stores it (everything
     * the Java runtime computes with, and the input range the vectors are drawn from) beside the C, so a result is
     * reused only when both sides of the comparison are the same: a Java runtime that used something the C leaves
     * out would get a run of its own, not a borrowed pass.
     */
    private static final Map<String, Run> RUNS = new ConcurrentHashMap<>();

    /** One model's parity run on one target, under the name of the test case that started it. */
    private record Run(String name, CompletableFuture<ParityResult> result) {
    }

    private static ParityResult runOnce(ParityHarness h, ParityTarget target, String name, IntModel m)
            throws Exception {
        GeneratedSources c = new CCodeGenerator().generate(m, TargetProfile.JVM);
        Run mine = new Run(name, new CompletableFuture<>());
        String javaSide = new String(ModelFormat.json(List.of(m.toMap(), m.input().min(), m.input().max(),
                m.inputSize())), java.nio.charset.StandardCharsets.UTF_8);
        Run first = RUNS.putIfAbsent(target.id() + "\n" + javaSide + "\n" + c.header() + "\n" + c.source(), mine);
        if (first != null) {
            try {
                ParityResult r = first.result().get();
                System.out.println(target.id() + " " + name + ": the same C as " + first.name() + ", its result:");
                return r;
            } catch (ExecutionException e) {
                throw new AssertionError(name + " is the same C as " + first.name() + ", whose run failed",
                        e.getCause());
            }
        }
        try {
            ParityResult r = h.run(m, target, VECTORS, 20261129L);
            mine.result().complete(r);
            return r;
        } catch (Exception | Error e) {
            mine.result().completeExceptionally(e);
            throw e;
        }
    }

    private static List<String> run(ParityTarget target, Map<String, IntModel> models) throws Exception {
        // Simulators are single-threaded: two runs at a time halve the wall time on a multi-core runner.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> runs = new ArrayList<>();
            ParityHarness h = new ParityHarness();
            for (Map.Entry<String, IntModel> e : models.entrySet()) {
                String name = e.getKey();
                IntModel m = e.getValue();
                runs.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    ParityResult r = runOnce(h, target, name, m);
                    String line = target.id() + " " + m.inputSize() + " features " + name + ": " + r.toMap() + " ("
                            + (System.nanoTime() - t0) / 1_000_000 + " ms)";
                    System.out.println(line);
                    assertEquals(VECTORS, r.vectors(), line);
                    assertEquals(0, r.mismatches(), line);
                    assertEquals(r.javaHash(), r.deviceHash(), line);
                    assertTrue(r.samplesCompared() >= 32, line);
                    return line;
                }));
            }
            List<String> lines = new ArrayList<>();
            for (Future<String> f : runs) {
                try {
                    lines.add(f.get());
                } catch (ExecutionException ex) {
                    if (ex.getCause() instanceof Error) {
                        throw (Error) ex.getCause();
                    }
                    throw (Exception) ex.getCause();
                }
            }
            return lines;
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(ParityTarget.class)
    @DisplayName("every model kind and scheme over 6 features is bit-exact on the target")
    void everyKindAndScheme(ParityTarget target) throws Exception {
        // simavr runs about 30 M AVR cycles/s: the int16-with-int8-weights variant (same code path as int16 with
        // narrower tables) runs on the host and the Cortex-M targets only, to keep the suite within minutes.
        run(target, TestModels.all(6), target == ParityTarget.AVR8
                ? new Scheme[] {Scheme.INT8, Scheme.INT16, Scheme.INT32} : SCHEMES, List.of());
    }

    @ParameterizedTest
    @EnumSource(ParityTarget.class)
    @DisplayName("per-channel, per-tensor and raw-accumulator layers are bit-exact on the target")
    void everyRequantizationMode(ParityTarget target) throws Exception {
        Map<String, Object[]> all = TestModels.all(6);
        Map<String, IntModel> models = new LinkedHashMap<>();
        Set<Requantization> modes = EnumSet.noneOf(Requantization.class);
        // simavr is the slow one: int8 only there; int16 with int8 weights elsewhere (32-bit accumulators).
        Scheme[] schemes = target == ParityTarget.AVR8 ? new Scheme[] {Scheme.INT8}
                : new Scheme[] {Scheme.INT8, Scheme.INT16_W8};
        for (String kind : List.of("mlp", "logistic", "logistic-binary")) {
            for (WeightScales ws : List.of(WeightScales.PER_CHANNEL, WeightScales.PER_TENSOR)) {
                for (Scheme s : schemes) {
                    IntNetwork m = (IntNetwork) new ModelQuantizer(s, Calibration.MIN_MAX, ws)
                            .quantize((FloatModel) all.get(kind)[0], (double[][]) all.get(kind)[1]);
                    m.layers().forEach(l -> modes.add(l.requantization()));
                    models.put(kind + " " + ws.id() + " " + s.name() + "/w" + s.weightBits(), m);
                }
            }
        }
        assertEquals(EnumSet.allOf(Requantization.class), modes, "every requantisation mode is exercised");
        run(target, models);
    }

    @ParameterizedTest
    @EnumSource(ParityTarget.class)
    @DisplayName("models over 128 features spanning five orders of magnitude are bit-exact on the target")
    void wideFeatures(ParityTarget target) throws Exception {
        Map<String, Object[]> all = TestModels.all(128);
        all.remove("linear-regression");
        all.remove("cart");
        all.remove("regression-forest");
        all.remove("logistic-binary");
        // On simavr the 128-input dense models cost 30-100 k cycles per inference: run the forest
        // (int8 and int32) and the logistic regression in int8 there; every model and scheme runs on the other targets.
        List<String> skip = target == ParityTarget.AVR8 ? List.of("mlp int8/w8", "mlp int16/w16", "mlp int32/w32",
                "logistic int16/w16", "logistic int32/w32", "forest int16/w16") : List.of();
        run(target, all, new Scheme[] {Scheme.INT8, Scheme.INT16, Scheme.INT32}, skip);
    }
}
