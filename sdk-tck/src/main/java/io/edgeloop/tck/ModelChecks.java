package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgeloop.api.runtime.IntegerModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks shared by the {@link ModelRuntimeContractTest} and {@link QuantizerContractTest} on an {@link IntegerModel}:
 * {@link IntegerModel#predict(int[])} must hand out an array of the caller's own, which later predictions leave
 * alone. A model that returns one internal array holds mutable state (it is documented to hold none): the caller's
 * first result changes under it, and threads predicting at once overwrite each other's results.
 *
 * <p>Thread safety: stateless.
 */
final class ModelChecks {
    private ModelChecks() {
    }

    /**
     * Copies what {@code predict(int[])} returned for each input, so a comparison made later never compares an array
     * that the model changed meanwhile with itself.
     */
    static List<int[]> serialCopies(IntegerModel m, List<int[]> inputs) {
        List<int[]> out = new ArrayList<>(inputs.size());
        for (int[] in : inputs) {
            out.add(m.predict(in).clone());
        }
        return out;
    }

    /**
     * Fails when two calls of {@code predict(int[])} return the same array, or when an array returned earlier
     * changed after later calls.
     */
    static void assertOwnArrays(IntegerModel m, List<int[]> inputs) {
        List<int[]> returned = new ArrayList<>();
        List<int[]> copies = new ArrayList<>();
        for (int[] in : inputs) {
            int[] r = m.predict(in);
            for (int k = 0; k < returned.size(); k++) {
                if (returned.get(k) == r) {
                    fail("predict(int[]) returned the same array object for input " + k + " and input "
                            + returned.size() + ": the model hands out internal state, which the next call overwrites "
                            + "(return a new array per call)");
                }
            }
            returned.add(r);
            copies.add(r.clone());
        }
        for (int k = 0; k < returned.size(); k++) {
            int i = k;
            assertArrayEquals(copies.get(k), returned.get(k), () -> "the array predict(int[]) returned for input " + i
                    + " changed after later predictions (was " + Arrays.toString(copies.get(i)) + "): the model "
                    + "writes into an array it handed out");
        }
    }
}
