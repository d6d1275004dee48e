package io.edgeloop.quantize.importer;

import io.edgeloop.quantize.ir.FloatModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a float model file of any supported kind: a Tribuo model written by {@code edgeloop train}
 * ({@code Model.serializeToFile}).
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
        try {
            return new TribuoImporter().read(file);
        } catch (IllegalArgumentException e) {
            throw new IOException("Cannot import " + file + ": " + e.getMessage(), e);
        }
    }
}
