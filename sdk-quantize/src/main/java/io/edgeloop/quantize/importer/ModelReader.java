package io.edgeloop.quantize.importer;

import io.edgeloop.quantize.ir.FloatModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a float model file of any supported kind: a Tribuo model written by {@code edgeloop train}
 * ({@code Model.serializeToFile}) or an ONNX model ({@link OnnxImporter}); files named {@code *.onnx} are read as
 * ONNX, others as Tribuo first and ONNX second.
 *
 * <p>Thread-safe: stateless.
 */
public final class ModelReader {
    private ModelReader() {
    }

    /**
     * @param file the model file
     * @return the IR model
     * @throws IOException when the file is missing or not a supported model
     */
    public static FloatModel read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("Model file " + file + " does not exist");
        }
        if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")) {
            return new OnnxImporter().read(file);
        }
        try {
            return new TribuoImporter().read(file);
        } catch (IllegalArgumentException e) {
            throw new IOException("Cannot import " + file + ": " + e.getMessage(), e);
        } catch (IOException tribuo) {
            try {
                return new OnnxImporter().read(file);
            } catch (IOException onnx) {
                tribuo.addSuppressed(onnx);
                throw tribuo;
            }
        }
    }
}
