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
}
