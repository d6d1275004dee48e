package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.quantize.QuantizationRequest;
import io.edgeloop.api.quantize.QuantizedModel;
import io.edgeloop.api.quantize.Quantizer;
import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.api.config.ComponentConfig;
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
 * directory.
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
        List<int[]> serial = Stream.of(ins).map(m::predict).toList();
        ConcurrentRounds.assertSameAsSerial("predict", serial, 50, i -> m.predict(ins[i]));
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
