package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.quantize.QuantizationRequest;
import io.edgeloop.api.quantize.QuantizedModel;
import io.edgeloop.api.quantize.Quantizer;
import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.api.config.ComponentConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract tests for {@link Quantizer} implementations: the product matches the request, is deterministic
 * (byte-identical output for a request with a fixed {@link QuantizationRequest#createdAt() createdAt}),
 * thread-safe, carries provenance (with the request's {@link QuantizationRequest#parents() parents}) and writes its
 * directory. The quantizer itself is checked as its SPI states it: stateless (one instance quantizing
 * {@link #request()} and {@link #secondRequest()} in turn, and from 8 threads at once, gives what fresh instances
 * give), its {@link Quantizer#scheme() scheme()} is the provider's name, and a missing model file is an
 * {@link IOException}. Models must return from {@code predict(int[])} an array of the caller's own.
 *
 * <p>Thread safety: JUnit creates one instance per test method; instances are not shared between threads.
 */
public abstract class QuantizerContractTest extends ProviderContractTest<QuantizerProvider> {
    /**
     * @return a request the quantizer supports
     * @throws Exception when the model file cannot be prepared
     */
    protected abstract QuantizationRequest request() throws Exception;

    /**
     * Returns integer inputs valid for the quantized model.
     *
     * @param model the model
     * @param count how many rows
     * @param seed  the random seed
     * @return the rows
     */
    protected abstract int[][] validInputs(QuantizedModel model, int count, long seed);

    @Override
    protected final Object createAdding(Path workDir, String key, String value) throws Exception {
        return provider().create(ComponentConfig.empty().toBuilder().put(key, value).build());
    }

    @Override
    protected final Class<QuantizerProvider> providerType() {
        return QuantizerProvider.class;
    }

    private QuantizedModel quantize() throws Exception {
        Quantizer q = provider().create(ComponentConfig.empty());
        return q.quantize(request());
    }

    @Test
    @DisplayName("produces a model of its scheme for the requested target")
    void producesScheme() throws Exception {
        QuantizationRequest r = request();
        QuantizedModel m = provider().create(ComponentConfig.empty()).quantize(r);
        assertEquals(provider().name(), m.scheme());
        assertEquals(r.target(), m.target());
        assertTrue(m.inputSize() > 0 && m.outputSize() > 0);
        assertEquals("quantized-model", m.provenance().kind());
        assertFalse(m.provenance().inputs().isEmpty() && m.provenance().parents().isEmpty(),
                "provenance must name what the model was made from (inputs with digests, or parent artifacts): "
                        + m.provenance());
    }

    @Test
    @DisplayName("is deterministic: quantizing twice gives the same outputs")
    void isDeterministic() throws Exception {
        QuantizedModel a = quantize();
        QuantizedModel b = quantize();
        for (int[] in : validInputs(a, 200, 7)) {
            assertArrayEquals(a.predict(in), b.predict(in));
        }
    }

    @Test
    @DisplayName("is reproducible: with a fixed creation time, quantizing twice writes byte-identical directories, "
            + "and provenance records that time")
    void isReproducible(@TempDir Path dir) throws Exception {
        Instant when = Instant.parse("2020-01-02T03:04:05Z");
        QuantizationRequest r = request().toBuilder().createdAt(when).build();
        Quantizer q = provider().create(ComponentConfig.empty());
        QuantizedModel a = q.quantize(r);
        QuantizedModel b = provider().create(ComponentConfig.empty()).quantize(r);
        assertEquals(Optional.of(when), a.provenance().createdAt(),
                "provenance must record the request's createdAt");
        a.writeTo(dir.resolve("a"));
        b.writeTo(dir.resolve("b"));
        Map<String, byte[]> fa = files(dir.resolve("a"));
        Map<String, byte[]> fb = files(dir.resolve("b"));
        assertEquals(fa.keySet(), fb.keySet(), "both runs must write the same files");
        for (String name : fa.keySet()) {
            assertArrayEquals(fa.get(name), fb.get(name), name + " differs between two identical requests");
        }
    }

    @Test
    @DisplayName("records the request's parent provenance (the float model's) among the product's parents")
    void recordsParents() throws Exception {
        Provenance endModel = Provenance.builder().kind("end-model").producer("io.edgeloop.tck.Example")
                .setting("expertAnswers", 16).build();
        QuantizedModel m = provider().create(ComponentConfig.empty()).quantize(request().toBuilder().parent(endModel)
                .build());
        assertTrue(m.provenance().parents().contains(endModel), "the request's parent must be among the product's "
                + "provenance parents: " + m.provenance());
    }

    private static Map<String, byte[]> files(Path root) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                out.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    @DisplayName("predicts every input's serial outputs when 8 threads predict at once, over many rounds")
    void isThreadSafe() throws Exception {
        QuantizedModel m = quantize();
        int[][] ins = validInputs(m, 500, 11);
        // Copies: a model that returns one internal array would otherwise be compared with itself.
        List<int[]> serial = ModelChecks.serialCopies(m, List.of(ins));
        ConcurrentRounds.assertSameAsSerial("predict", serial, 50, i -> m.predict(ins[i]));
    }

    @Test
    @DisplayName("returns from predict(int[]) an array of the caller's own, which later predictions leave unchanged")
    void predictReturnsOwnArrays() throws Exception {
        QuantizedModel m = quantize();
        ModelChecks.assertOwnArrays(m, List.of(validInputs(m, 100, 13)));
    }

    @Test
    @DisplayName("reports as its scheme() the provider's name, the scheme its models carry")
    void schemeIsProviderName() throws Exception {
        Quantizer q = provider().create(ComponentConfig.empty());
        assertEquals(provider().name(), q.scheme(), "Quantizer.scheme() of provider '" + provider().name() + "'");
        assertEquals(q.scheme(), q.quantize(request()).scheme(), "the scheme of the model quantize() made");
    }

    @Test
    @DisplayName("refuses a missing model file with an IOException that names it")
    void refusesMissingModelFile(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing-model.bin");
        QuantizationRequest r = request().toBuilder().modelFile(missing).build();
        Quantizer q = provider().create(ComponentConfig.empty());
        IOException e = assertThrows(IOException.class, () -> q.quantize(r),
                "quantize() of a model file that does not exist must throw IOException (the Quantizer contract), "
                        + "not return a model");
        assertTrue(e.getMessage() != null && e.getMessage().contains(missing.getFileName().toString()),
                "the IOException must name the missing file " + missing + ": " + e);
    }

    /**
     * Returns a second request the quantizer supports that differs from {@link #request()} in what the product
     * depends on. The kit quantizes both with one quantizer instance, in turn and from several threads, and expects
     * what fresh instances give, so a quantizer that keeps anything from one request for the next fails. The
     * default is {@link #request()} with every calibration value doubled (other input ranges); override it when
     * that is not a valid request for the quantizer.
     *
     * @return the second request
     * @throws Exception when it cannot be prepared
     */
    protected QuantizationRequest secondRequest() throws Exception {
        QuantizationRequest r = request();
        double[][] c = r.calibration();
        double[][] doubled = new double[c.length][];
        for (int i = 0; i < c.length; i++) {
            doubled[i] = new double[c[i].length];
            for (int j = 0; j < c[i].length; j++) {
                doubled[i][j] = c[i][j] * 2;
            }
        }
        QuantizationRequest.Builder b = r.toBuilder();
        return (r.calibrationColumns().isPresent() ? b.calibration(r.calibrationColumns().get(), doubled)
                : b.calibration(doubled)).build();
    }

    private static final Instant FIXED = Instant.parse("2020-01-02T03:04:05Z");

    /** What the kit compares of two models: predictions on seeded valid inputs, and the files written. */
    private Object[] fingerprint(QuantizedModel m, Path dir) throws Exception {
        int[][] ins = validInputs(m, 50, 5);
        int[][] outs = new int[ins.length][];
        for (int i = 0; i < ins.length; i++) {
            outs[i] = m.predict(ins[i]).clone();
        }
        if (dir == null) {
            return new Object[] {m.scheme(), m.inputSize(), m.outputSize(), outs};
        }
        m.writeTo(dir);
        Map<String, byte[]> f = files(dir);
        return new Object[] {m.scheme(), m.inputSize(), m.outputSize(), outs, f.keySet().toArray(),
            f.values().toArray(new byte[0][])};
    }

    @Test
    @DisplayName("is stateless: one instance quantizing requests A, B, A gives what fresh instances give")
    void reusesOneInstance(@TempDir Path dir) throws Exception {
        QuantizationRequest a = request().toBuilder().createdAt(FIXED).build();
        QuantizationRequest b = secondRequest().toBuilder().createdAt(FIXED).build();
        Quantizer shared = provider().create(ComponentConfig.empty());
        List<QuantizationRequest> order = List.of(a, b, a);
        List<String> names = List.of("A", "B", "A again");
        for (int i = 0; i < order.size(); i++) {
            Object[] fresh = fingerprint(provider().create(ComponentConfig.empty()).quantize(order.get(i)),
                    dir.resolve("fresh-" + i));
            Object[] reused = fingerprint(shared.quantize(order.get(i)), dir.resolve("reused-" + i));
            assertTrue(java.util.Arrays.deepEquals(fresh, reused), "request " + names.get(i) + " quantized by an "
                    + "instance that quantized " + names.subList(0, i) + " before gives another model (predictions "
                    + "or files) than a fresh instance: the quantizer keeps state between requests (it must be "
                    + "stateless)");
        }
    }

    @Test
    @DisplayName("quantizes on 8 threads at once with one instance what it quantizes serially")
    void quantizesConcurrently() throws Exception {
        List<QuantizationRequest> rs = List.of(request().toBuilder().createdAt(FIXED).build(),
                secondRequest().toBuilder().createdAt(FIXED).build());
        List<Object[]> serial = new java.util.ArrayList<>();
        for (QuantizationRequest r : rs) {
            serial.add(fingerprint(provider().create(ComponentConfig.empty()).quantize(r), null));
        }
        Quantizer shared = provider().create(ComponentConfig.empty());
        ConcurrentRounds.assertSameAsSerial("the model quantize() made", serial, 3, i -> {
            try {
                return fingerprint(shared.quantize(rs.get(i)), null);
            } catch (Exception e) {
                throw new IllegalStateException("quantize() failed: " + e, e);
            }
        });
    }

    @Test
    @DisplayName("writes a non-empty quantized-model directory")
    void writesDirectory(@TempDir Path dir) throws Exception {
        quantize().writeTo(dir);
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.findAny().isEmpty(), "writeTo wrote nothing into " + dir);
        }
    }

    /**
     * @param seed a seed
     * @return a seeded random for subclasses building inputs
     */
    protected static Random random(long seed) {
        return new Random(seed);
    }
}
