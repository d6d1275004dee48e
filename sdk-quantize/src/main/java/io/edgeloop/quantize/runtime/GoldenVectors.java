package io.edgeloop.quantize.runtime;

import io.edgeloop.quantize.parity.TestVectors;

/**
 * Golden vectors for {@code golden.json}: edge values first, then seeded pseudo-random inputs.
 *
 * <p>Thread-safe: stateless.
 */
public final class GoldenVectors {
    private GoldenVectors() {
    }

    /**
     * @param model the model
     * @param count how many vectors
     * @param seed  the seed
     * @return the input vectors
     */
    public static int[][] inputs(IntModel model, int count, long seed) {
        return TestVectors.all(model, count, seed);
    }
}
