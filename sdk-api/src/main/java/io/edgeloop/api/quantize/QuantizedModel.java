package io.edgeloop.api.quantize;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.target.TargetProfile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The product of a {@link Quantizer}: an integer model for one target and scheme, with provenance, that can
 * write itself as the quantized-model directory (model file, C sources, report) documented in
 * {@code docs/formats/quantized-model.md}.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface QuantizedModel extends IntegerModel {
    /** @return the scheme name, for example {@code int8} */
    String scheme();

    /** @return the target profile it was quantized for */
    TargetProfile target();

    /** @return the provenance, including the float model's and the calibration data's digests */
    Provenance provenance();

    /**
     * Writes the quantized-model directory.
     *
     * @param dir the directory, created if absent
     * @throws IOException when writing fails
     */
    void writeTo(Path dir) throws IOException;
}
