package io.edgeloop.cli.bundle;

import io.edgeloop.ota.bundle.BundleLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bytes of a bundle named on the command line, read whole. A pipe ({@code <(cat b.bundle)}, {@code /dev/stdin})
 * cannot seek, and reading it as a file failed with "archive: not a readable bundle archive: Illegal seek" and
 * "(0 bytes)", blaming a good bundle; so the input is read into memory, at most the largest archive
 * {@link BundleLimits#DEFAULT} accepts, and its size is the bytes read.
 *
 * <p>Thread-safe: immutable.
 */
final class BundleInput {
    private final Path file;
    private final byte[] bytes;

    private BundleInput(Path file, byte[] bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /**
     * @param file the bundle file, FIFO or pipe
     * @return its bytes
     * @throws IllegalArgumentException when it holds more than a bundle may
     * @throws IOException              when it cannot be read (a directory: the caller refuses it first)
     */
    static BundleInput read(Path file) throws IOException {
        long max = BundleLimits.DEFAULT.maxArchiveBytes();
        byte[] b;
        try (InputStream in = Files.newInputStream(file)) {
            b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        }
        if (b.length > max) {
            throw new IllegalArgumentException("bundle " + file + " holds more than " + max + " bytes, above the "
                    + "largest bundle the limits accept (BundleLimits.DEFAULT)");
        }
        return new BundleInput(file, b);
    }

    /** @return the file as named */
    Path file() {
        return file;
    }

    /** @return the bytes (shared: do not modify) */
    byte[] bytes() {
        return bytes;
    }
}
