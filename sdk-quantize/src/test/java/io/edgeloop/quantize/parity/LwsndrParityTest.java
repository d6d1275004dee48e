package io.edgeloop.quantize.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.Lwsndr;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.SizeReport;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.scheme.TreeThresholds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bit-exact parity of the LWSNDR models ({@link Lwsndr}: logistic, CART and forest trained on motes 1 and 3, each in
 * int8, int16 and int32, and the forest with aligned thresholds too) on every parity target: 10,000 vectors per
 * model, scheme and target (edge values, then random inputs over the model's input range, which calibration on the
 * motes' readings set), plus every tree split's threshold sweep. A target whose compiler or simulator is missing is
 * skipped. On the ATmega328P it also reports flash, RAM (with the caller's buffers) and cycles per inference, and
 * checks that each model fits the part.
 */
class LwsndrParityTest {
    private static final int VECTORS = 10_000;
    private static final long SEED = 20261203L;
    /** One line per target and model, printed in order at the end. */
    private static final Map<String, String> TABLE = new ConcurrentSkipListMap<>();

    @ParameterizedTest
    @EnumSource(ParityTarget.class)
    @DisplayName("every LWSNDR model in every scheme is bit-exact on the target")
    void everyModelAndScheme(ParityTarget target) throws Exception {
        List<String> missing = ParityHarness.missingTools(target);
        Assumptions.assumeTrue(missing.isEmpty(), target.id() + " needs " + String.join(", ", missing));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            ParityHarness h = new ParityHarness();
            List<Future<?>> runs = new ArrayList<>();
            Map<String, IntModel> models = new LinkedHashMap<>();
            for (String algo : Lwsndr.ALGOS) {
                for (Scheme s : Lwsndr.SCHEMES) {
                    models.put(algo + " " + s.name(), Lwsndr.quantized(algo, s));
                }
            }
            // The forest with aligned thresholds, which on the fitted input grid move 3 (int8), 1 (int16) and 1
            // (int32) of its integer thresholds by one step (15 and 24 on the calibrated grid).
            for (Scheme s : Lwsndr.SCHEMES) {
                models.put("forest-aligned " + s.name(), Lwsndr.quantized("forest", s, TreeThresholds.ALIGNED));
            }
            for (Map.Entry<String, IntModel> e : models.entrySet()) {
                IntModel m = e.getValue();
                String name = target.id() + " " + e.getKey();
                runs.add(pool.submit(() -> {
                    ParityResult r = h.run(m, target, VECTORS, SEED);
                    TABLE.put(name, line(name, m, r));
                    System.out.println(name + ": " + r.toMap());
                    assertEquals(VECTORS, r.vectors(), name);
                    assertEquals(0, r.mismatches(), name + ": " + r);
                    assertEquals(r.javaHash(), r.deviceHash(), name);
                    assertTrue(r.samplesCompared() >= 32, name);
                    if (target == ParityTarget.AVR8) {
                        assertTrue(fitsAtmega328p(m, r), name + " fits the ATmega328P: " + r);
                        assertTrue(r.cyclesPerInference().isPresent(), name + " counts cycles: " + r);
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error) {
                        throw (Error) e.getCause();
                    }
                    throw (Exception) e.getCause();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The figures of one run; on AVR with flash, RAM and cycles against the ATmega328P. */
    private static String line(String name, IntModel m, ParityResult r) {
        String s = String.format(Locale.ROOT, "%s: %d vectors + %d threshold vectors, %d mismatches", name,
                r.vectors(), r.thresholdVectors(), r.mismatches());
        if (!r.target().equals(ParityTarget.AVR8.id())) {
            return s;
        }
        long ram = ramWithBuffers(m, r);
        TargetProfile p = TargetProfile.AVR8;
        return s + String.format(Locale.ROOT, "; flash %d B (%.1f %%), RAM %d B with buffers (%.1f %%), %s cycles per "
                + "inference, ran on %s; %s the ATmega328P", r.flashBytes(), 100.0 * r.flashBytes() / p.flashBytes(),
                ram, 100.0 * ram / p.ramBytes(), r.cyclesPerInference().isPresent()
                        ? String.valueOf(r.cyclesPerInference().getAsLong()) : "no", r.simulatedMcu(),
                fitsAtmega328p(m, r) ? "fits" : "does not fit");
    }

    /** RAM as {@code report.json}'s {@code ramBytesWithBuffers}: the model's, plus the caller's input and output. */
    private static long ramWithBuffers(IntModel m, ParityResult r) {
        return r.ramBytes() + SizeReport.inputBufferBytes(m) + SizeReport.outputBufferBytes(m);
    }

    /** {@code report.json}'s {@code fits} rule for the ATmega328P (32 KiB flash, 2 KiB RAM). */
    private static boolean fitsAtmega328p(IntModel m, ParityResult r) {
        return r.flashBytes() <= TargetProfile.AVR8.flashBytes()
                && ramWithBuffers(m, r) <= TargetProfile.AVR8.ramBytes();
    }

    @AfterAll
    static void printTable() {
        System.out.println("LWSNDR parity (seed " + SEED + "):");
        TABLE.values().forEach(System.out::println);
    }
}
