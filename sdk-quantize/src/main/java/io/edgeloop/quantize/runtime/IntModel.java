package io.edgeloop.quantize.runtime;

import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.quantize.ir.FloatModel;
import java.util.List;
import java.util.Map;

/**
 * Edgeloop's reference integer runtime: the truth the generated C code is compared with bit for bit. Inputs are
 * validated against {@link InputQuantization#min()}/{@link InputQuantization#max()}.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public sealed interface IntModel extends IntegerModel permits IntNetwork, IntTreeEnsemble {
    /** @return how raw features become inputs */
    InputQuantization input();

    /** @return feature names in input order */
    List<String> featureNames();

    /** @return class names in output order, empty for regression */
    List<String> classNames();

    /** @return {@code network} or {@code tree-ensemble} */
    String kind();

    /** @return the scheme name ({@code int8}, {@code int16}, {@code int32}) */
    String scheme();

    /** @return the number of integer inputs: one per feature of {@link #input()} */
    @Override
    default int inputSize() {
        return input().size();
    }

    /**
     * @param q an output value
     * @param o its output index
     * @return the real value it stands for
     */
    double dequantizeOutput(int o, int q);

    /** @return bytes the parameters occupy on the device */
    long parameterBytes();

    /** @return bytes the same parameters take as float32 */
    long float32ParameterBytes();

    /**
     * The smallest {@code parameterBytes / float32ParameterBytes} any representation of this graph can reach
     * under the scheme's widths (documented in {@code docs/ARCHITECTURE.md}, "Size"): for networks, weights at
     * their width, one 4-byte bias per output, one multiplier and shift per hidden layer and none for the last
     * layer, against 4 bytes per weight and bias; for trees, the most compact layout (no child links) with
     * thresholds at the input width against float32 thresholds, feature indices and leaf values counted alike.
     *
     * @return the floor of the parameter ratio
     */
    double parameterRatioFloor();

    /** @return the JSON-ready map of the integer model (without envelope fields) */
    Map<String, Object> toMap();

    /**
     * The class decision, overriding {@link IntegerModel#predictClass}: a one-output two-class classifier decides
     * by the sign of the dequantized output (so an output offset such as a zero point is taken into account);
     * otherwise the largest output, lowest index on ties (so a one-output model with one class always predicts
     * class 0; the quantizer refuses to make such a model, but a model file may still hold one).
     *
     * @param input integer inputs
     * @return the predicted class
     */
    @Override
    default int predictClass(int[] input) {
        int[] out = predict(input);
        if (out.length == 1 && classNames().size() == 2) {
            return dequantizeOutput(0, out[0]) > 0 ? 1 : 0;
        }
        return FloatModel.argmax(out);
    }

    /**
     * Validates an input vector.
     *
     * @param input the input
     * @throws IllegalArgumentException when the length or a value is wrong
     */
    default void checkInput(int[] input) {
        InputQuantization iq = input();
        if (input.length != iq.size()) {
            throw new IllegalArgumentException("Expected " + iq.size() + " inputs, got " + input.length);
        }
        for (int i = 0; i < input.length; i++) {
            if (input[i] < iq.min() || input[i] > iq.max()) {
                throw new IllegalArgumentException("Input " + i + " is " + input[i] + ", outside [" + iq.min() + ", "
                        + iq.max() + "] of scheme " + scheme());
            }
        }
    }

    /**
     * Validates the array {@link #predict(int[], int[])} writes into.
     *
     * @param output the output array
     * @throws IllegalArgumentException when its length is not {@link #outputSize()}
     */
    default void checkOutput(int[] output) {
        if (output.length != outputSize()) {
            throw new IllegalArgumentException("Expected an output array of " + outputSize() + ", got "
                    + output.length);
        }
    }
}
