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
        return read(file, readBytes(file));
    }

    /**
     * Reads a model file's bytes, once, for a caller that also hashes them (a provenance check) and then parses them
     * with {@link #read(Path, byte[])}: reading the file again after the check would let a model replaced in between
     * be used under the checked digest.
     *
     * @param file the model file
     * @return its content
     * @throws IOException when the file is missing or unreadable
     */
    public static byte[] readBytes(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("Model file " + file + " is a directory; expected a model file written by "
                    + "'edgeloop train' or an ONNX file");
        }
        // any readable non-directory: the model is read once, so a pipe (--model <(...)) works too; isRegularFile
        // reported a pipe as missing (bad-input walk s23)
        if (!Files.exists(file)) {
            throw new IOException("Model file " + file + " does not exist");
        }
        return Files.readAllBytes(file);
    }

    /**
     * Parses a model from bytes already read; the file is not read again.
     *
     * @param file  the file the bytes came from (its name picks ONNX for {@code *.onnx}; it names the model in errors)
     * @param bytes the model file's content
     * @return the IR model
     * @throws IOException when the bytes are not a supported model
     */
    public static FloatModel read(Path file, byte[] bytes) throws IOException {
        java.util.Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0) {
            throw new IOException("Model file " + file + " is empty (0 bytes); expected a model written by "
                    + "'edgeloop train' or an ONNX file");
        }
        if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")) {
            return new OnnxImporter().read(file, bytes);
        }
        try {
            return new TribuoImporter().read(file, bytes);
        } catch (IllegalArgumentException e) {
            throw new IOException("Cannot import " + file + ": " + e.getMessage(), e);
        } catch (IOException tribuo) {
            try {
                return new OnnxImporter().read(file, bytes);
            } catch (OnnxImporter.NotOnnxException onnx) {
                // Tribuo's own words ("Protocol message tag had invalid wire type.") do not say what the file is
                // not; the cause is kept at the end, for a real Tribuo model that fails for another reason.
                String why = tribuo.getCause() == null ? tribuo.getMessage() : tribuo.getCause().getMessage();
                IOException neither = new IOException("Model file " + file + " (" + bytes.length + " bytes) "
                        + (looksLikeTribuo(bytes) ? "looks like a damaged model written by 'edgeloop train' (it "
                                + "starts as one but cannot be read: truncated or changed); write it again with "
                                + "'edgeloop train' or restore it from a copy" : "is neither a model written by "
                                + "'edgeloop train' nor an ONNX file" + textHint(bytes))
                        + "; read as a Tribuo model: " + why, tribuo);
                neither.addSuppressed(onnx);
                throw neither;
            } catch (IOException onnx) {
                tribuo.addSuppressed(onnx);
                throw tribuo;
            }
        }
    }

    /**
     * Whether a file starts as a model written by {@code edgeloop train} (or {@code EndModel.write}) does: a Tribuo
     * model's protobuf. Only the first bytes are read, so that a command about to replace the file can tell its own
     * earlier output from another file (a key, a bundle) cheaply; a damaged model that starts as one counts.
     *
     * @param file a file
     * @return whether it starts as a Tribuo model
     * @throws IOException when it cannot be read
     */
    public static boolean startsAsTribuoModel(Path file) throws IOException {
        byte[] head = new byte[2 + "org.tribuo.".length()];
        int len = 0;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            for (int k; len < head.length && (k = in.read(head, len, head.length - len)) > 0; ) {
                len += k;
            }
        }
        return len == head.length && looksLikeTribuo(head);
    }

    /**
     * Whether the bytes start as a Tribuo model's protobuf does: field 2 holding a Tribuo class name
     * ({@code 0x12, length, "org.tribuo."}), as every model {@code edgeloop train} writes.
     */
    private static boolean looksLikeTribuo(byte[] bytes) {
        byte[] prefix = "org.tribuo.".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (bytes.length < 2 + prefix.length || bytes[0] != 0x12) {
            return false;
        }
        return java.util.Arrays.equals(bytes, 2, 2 + prefix.length, prefix, 0, prefix.length);
    }

    /**
     * For bytes that are plain text (a CSV given as the model is the common mix-up), "(it is text: ...)" with its
     * first line, at most 60 characters; otherwise empty. Only printable ASCII is quoted.
     */
    private static String textHint(byte[] bytes) {
        int n = Math.min(bytes.length, 4096);
        int end = n;
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xFF;
            if (b == '\n' || b == '\r') {
                end = Math.min(end, i);
            } else if (b != '\t' && (b < 0x20 || b > 0x7E)) {
                return "";
            }
        }
        if (end == 0) {
            return "";
        }
        String first = new String(bytes, 0, Math.min(end, 60), java.nio.charset.StandardCharsets.US_ASCII);
        return " (it is text, starting '" + first + (end > 60 ? "...'" : "'") + ")";
    }
}
