package io.edgeloop.api.quantize;

import java.io.IOException;

/**
 * Converts a float model into an integer model for a target. All float work happens here, at conversion time;
 * the product runs with integer arithmetic only.
 *
 * <p>Implementations must be thread-safe (stateless).
 */
public interface Quantizer {
    /** @return the scheme this quantizer produces, for example {@code int8} */
    String scheme();

    /**
     * Quantizes a model.
     *
     * @param request the model, calibration data, target and options
     * @return the quantized model
     * @throws IOException              when the model file cannot be read
     * @throws IllegalArgumentException when the model kind or target is not supported by the scheme, or the
     *                                  request names its calibration columns and one of the model's inputs has
     *                                  none ({@link QuantizationRequest#calibrationColumns()}: an implementation
     *                                  must take each input's calibration from the column of its name)
     */
    QuantizedModel quantize(QuantizationRequest request) throws IOException;
}
