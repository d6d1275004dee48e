package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contract tests for a {@link ModelRuntimeProvider} and the {@link ModelRuntime} and {@link IntegerModel} it makes:
 * a semantic version, loading of a valid artifact and a clear {@link IOException} for bytes that are not one,
 * deterministic and thread-safe predictions, argument checks, and {@link IntegerModel#predictClass(int[])}
 * following the runtime's decision rule.
 *
 * <p>The decision rule is {@link #decide(IntegerModel, int[])}: by default the rule
 * {@link IntegerModel#predictClass(int[])} documents (sign of a single output, else the first largest output). A
 * runtime whose outputs carry an offset (a zero point) or another rule overrides
 * {@link #decide(IntegerModel, int[])} with the rule the device applies to the outputs, and the kit checks that
 * {@code predictClass} applies it.
 *
 * <p>Thread safety: JUnit creates one instance per test method; instances are not shared between threads.
 */
public abstract class ModelRuntimeContractTest extends ProviderContractTest<ModelRuntimeProvider> {
    /**
     * Returns the runtime configuration.
     *
     * @return the configuration, empty by default
     */
    protected ComponentConfig config() {
        return ComponentConfig.empty();
    }

    /**
     * Returns the bytes of a model artifact this runtime executes.
     *
     * @return the artifact
     * @throws Exception when it cannot be built or read
     */
    protected abstract byte[] artifact() throws Exception;

    /**
     * Returns inputs valid for the model loaded from {@link #artifact()}: in range for its input type, with
     * {@link IntegerModel#inputSize()} values each; they should reach every class the model can decide.
     *
     * @param model the loaded model
     * @return the inputs
     */
    protected abstract List<int[]> inputs(IntegerModel model);

    /**
     * Returns the class the device decides from the model's outputs.
     *
     * @param model   the model that gave them (for its output scales or zero points)
     * @param outputs the outputs of one prediction
     * @return the class
     */
    protected int decide(IntegerModel model, int[] outputs) {
        if (outputs.length == 1) {
            return outputs[0] > 0 ? 1 : 0;
        }
        int best = 0;
        for (int i = 1; i < outputs.length; i++) {
            if (outputs[i] > outputs[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    protected final Object createAdding(Path workDir, String key, String value) throws Exception {
        return provider().create(config().toBuilder().put(key, value).build());
    }

    @Override
    protected final Class<ModelRuntimeProvider> providerType() {
        return ModelRuntimeProvider.class;
    }

    private IntegerModel load() throws Exception {
        return provider().create(config()).load(artifact());
    }

    @Test
    @DisplayName("reports a semantic version")
    void hasSemanticVersion() {
        String v = provider().create(config()).version();
        assertTrue(v != null && v.matches("\\d+\\.\\d+(\\.\\d+)?([-+][0-9A-Za-z.-]+)?"),
                "version() must be a semantic version such as 1.2.0, got '" + v + "'");
    }

    @Test
    @DisplayName("loads its artifact into a model with inputs and outputs")
    void loadsArtifact() throws Exception {
        IntegerModel m = load();
        assertTrue(m.inputSize() > 0, "inputSize() " + m.inputSize());
        assertTrue(m.outputSize() > 0, "outputSize() " + m.outputSize());
        assertTrue(!inputs(m).isEmpty(), "inputs() gave no input");
    }

    @Test
    @DisplayName("refuses bytes that are not a model with an IOException that says why")
    void refusesGarbage() {
        ModelRuntime r = provider().create(config());
        byte[] noise = new byte[512];
        new Random(7).nextBytes(noise);
        for (byte[] garbage : List.of(new byte[0], "not a model".getBytes(StandardCharsets.US_ASCII), noise)) {
            IOException e = assertThrows(IOException.class, () -> r.load(garbage),
                    "loading " + garbage.length + " bytes that are not a model");
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "the IOException must say why");
        }
    }

    @Test
    @DisplayName("refuses a truncated artifact with an IOException")
    void refusesTruncated() throws Exception {
        byte[] a = artifact();
        byte[] half = Arrays.copyOf(a, a.length / 2);
        assertThrows(IOException.class, () -> provider().create(config()).load(half));
    }

    @Test
    @DisplayName("predicts deterministically, through both predict methods alike")
    void isDeterministic() throws Exception {
        IntegerModel m = load();
        IntegerModel again = load();
        for (int[] in : inputs(m)) {
            int[] out = new int[m.outputSize()];
            m.predict(in, out);
            assertArrayEquals(out, m.predict(in));
            assertArrayEquals(out, again.predict(in), "a second load of the same artifact predicts differently");
        }
    }

    @Test
    @DisplayName("refuses arrays of the wrong length with IllegalArgumentException")
    void checksArguments() throws Exception {
        IntegerModel m = load();
        assertThrows(IllegalArgumentException.class, () -> m.predict(new int[m.inputSize() + 1]));
        assertThrows(IllegalArgumentException.class, () -> m.predict(new int[m.inputSize()],
                new int[m.outputSize() + 1]));
    }

    @Test
    @DisplayName("decides with predictClass what the runtime's decision rule gives for the outputs")
    void predictClassFollowsDecisionRule() throws Exception {
        IntegerModel m = load();
        int classes = m.outputSize() == 1 ? 2 : m.outputSize();
        Set<Integer> seen = new TreeSet<>();
        for (int[] in : inputs(m)) {
            int[] out = m.predict(in);
            int c = m.predictClass(in);
            assertTrue(c >= 0 && c < classes, "predictClass gave " + c + ", outside [0, " + classes + ")");
            assertEquals(decide(m, out), c, "predictClass disagrees with the decision rule for outputs "
                    + Arrays.toString(out));
            seen.add(c);
        }
        assertTrue(seen.size() > 1, "inputs() should reach more than one class to test the decision rule; all gave "
                + seen);
    }

    @Test
    @DisplayName("predicts every input's serial outputs when 8 threads predict at once, over many rounds")
    void isThreadSafe() throws Exception {
        IntegerModel m = load();
        List<int[]> ins = inputs(m);
        // Copies: a model that returns one internal array would otherwise be compared with itself.
        List<int[]> serial = ModelChecks.serialCopies(m, ins);
        ConcurrentRounds.assertSameAsSerial("predict", serial, 50, i -> m.predict(ins.get(i)));
    }

    @Test
    @DisplayName("returns from predict(int[]) an array of the caller's own, which later predictions leave unchanged")
    void predictReturnsOwnArrays() throws Exception {
        IntegerModel m = load();
        ModelChecks.assertOwnArrays(m, inputs(m));
    }
}
