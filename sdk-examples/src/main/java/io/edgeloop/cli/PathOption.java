package io.edgeloop.cli;

import java.nio.file.Path;

/**
 * The check every path option makes before it is used: an empty value ({@code --out=}, {@code --calib ""}) is
 * refused naming the option. Java reads an empty path as the working directory, so {@code quantize --out=} wrote
 * into it (bad-input walk s23).
 *
 * <p>Thread-safe: static methods.
 */
public final class PathOption {
    private PathOption() {
    }

    /**
     * Refuses an empty path.
     *
     * @param option the option as the user wrote it, for the message ({@code "--out"})
     * @param path   its value, or null when the option was not given (nothing to check)
     * @throws IllegalArgumentException naming the option when the value is empty
     */
    public static void requireNonEmpty(String option, Path path) {
        if (path != null && path.toString().isEmpty()) {
            throw new IllegalArgumentException(option + " is empty; give a path");
        }
    }
}
