package io.edgeloop.api.runtime;

/**
 * An integer-only model as a device runs it: integer inputs in, integer outputs out, bit-exact with the C code
 * generated for the device. {@code sdk-ota} runs golden vectors through it before a device commits to a
 * model, without depending on {@code sdk-quantize}.
 *
 * <p>Implementations must be thread-safe for concurrent {@link #predict} calls (they hold no mutable state).
 */
public interface IntegerModel {
    /** @return the number of integer inputs */
    int inputSize();

    /** @return the number of integer outputs */
    int outputSize();

    /**
     * Runs the model.
     *
     * @param input  {@link #inputSize()} quantized inputs
     * @param output receives {@link #outputSize()} outputs
     * @throws IllegalArgumentException when an array has the wrong length or an input is outside the
     *                                  model's input type
     */
    void predict(int[] input, int[] output);

    /**
     * Runs the model and returns a new output array.
     *
     * @param input the quantized inputs
     * @return the outputs
     */
    default int[] predict(int[] input) {
        int[] out = new int[outputSize()];
        predict(input, out);
        return out;
    }

    /**
     * The class the model decides for an input, as the device acts on it. The default rule: with one output, a
     * binary decision by sign (class 1 when the output is above 0, else class 0); with several outputs, the index
     * of the largest output (the lowest index on ties). Runtimes whose outputs carry an offset (a zero point) or
     * another decision rule override this, so that comparing two models' decisions (for example a shadow run
     * beside the active model) compares what the device would do, not raw output positions.
     *
     * @param input the quantized inputs
     * @return the decided class index, 0 or 1 for one output, otherwise in {@code [0, outputSize())}
     * @throws IllegalArgumentException as {@link #predict(int[], int[])}
     */
    default int predictClass(int[] input) {
        int[] out = predict(input);
        if (out.length == 1) {
            return out[0] > 0 ? 1 : 0;
        }
        int best = 0;
        for (int i = 1; i < out.length; i++) {
            if (out[i] > out[best]) {
                best = i;
            }
        }
        return best;
    }
}
