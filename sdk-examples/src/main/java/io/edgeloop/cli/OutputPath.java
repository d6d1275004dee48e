package io.edgeloop.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checks a command makes on the path it writes before it reads or writes anything, so that a slip of the
 * keyboard never destroys a user's file: the output must not be one of the command's inputs (the same file under
 * any name, through a symbolic or hard link) nor lie inside an input directory (bad-input sweep s16: {@code bundle
 * create --out K/a/private.pem} replaced the signing key with a tar, {@code train --out} equal to {@code --csv}
 * replaced the training data).
 *
 * <p>Thread-safe: static methods.
 */
public final class OutputPath {
    private OutputPath() {
    }

    /**
     * Refuses an output that is an input or lies inside an input directory.
     *
     * @param outOption the output's option as the user wrote it, for the message ({@code "--out"})
     * @param out       the output path
     * @param inOption  the input's option ({@code "--key"})
     * @param in        the input path (null or missing: nothing to compare)
     * @throws IllegalArgumentException naming both options and paths
     * @throws IOException              when the paths cannot be compared
     */
    public static void refuseInput(String outOption, Path out, String inOption, Path in) throws IOException {
        if (in == null || !Files.exists(in)) {
            return;
        }
        if (Files.exists(out) && Files.isSameFile(out, in)) {
            throw new IllegalArgumentException(outOption + " " + out + " is the same file as " + inOption + " " + in
                    + ": writing it would destroy that input; choose another " + outOption + " path");
        }
        if (Files.isDirectory(in) && real(out).startsWith(in.toRealPath())) {
            throw new IllegalArgumentException(outOption + " " + out + " lies inside " + inOption + " " + in
                    + ": writing it would change that input; choose a " + outOption + " path outside it");
        }
    }

    /**
     * Refuses an input that lies inside (or is) an output directory the command replaces whole.
     *
     * @param outOption the output's option ({@code "--out"})
     * @param outDir    the output directory
     * @param inOption  the input's option ({@code "--calib"})
     * @param in        the input path (null or missing: nothing to compare)
     * @throws IllegalArgumentException naming both options and paths
     * @throws IOException              when the paths cannot be compared
     */
    public static void refuseInputInside(String outOption, Path outDir, String inOption, Path in) throws IOException {
        // A pipe or device (--calib <(...)) is no file the output could hold, and its real path ("pipe:[123]")
        // cannot be resolved: comparing it failed "no such file" (bad-input walk s23).
        if (in != null && (Files.isRegularFile(in) || Files.isDirectory(in)) && real(in).startsWith(real(outDir))) {
            throw new IllegalArgumentException(inOption + " " + in + " lies inside " + outOption + " " + outDir
                    + ", which this command replaces: writing it would destroy that input; choose another "
                    + outOption + " directory");
        }
    }

    /**
     * The path with its longest existing part resolved (symbolic links, {@code ..}) and the rest appended, so that
     * a file not written yet compares by where it would be.
     */
    private static Path real(Path p) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing == null ? abs : existing.toRealPath().resolve(existing.relativize(abs));
    }
}
