package io.edgeloop.examples.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * The demo's output directory: each step owns a subdirectory (see {@link #SUBDIRECTORIES}). A run holds the
 * directory's {@link DemoLock} and, before step 1, deletes every subdirectory and the earlier {@link #RESULTS}, so
 * neither a concurrent run nor an interrupted one leaves an earlier run's results beside its own: a directory
 * without {@code summary.json} holds an unfinished run.
 *
 * <p>Thread-safe: stateless.
 */
public final class DemoFiles {
    private DemoFiles() {
    }

    /**
     * Every subdirectory a run replaces, in the order the steps write them: the devices' buffers, the labelled
     * windows, the quantized models, the previous release's models, the signed bundles and the fleet's storage.
     * {@code report.html} and {@code summary.json} are replaced too. {@code DemoCommandTest} checks a run writes
     * exactly these.
     */
    public static final List<String> SUBDIRECTORIES = List.of("devices", "labels", "models", "models-previous",
            "release", "fleet");

    /** The files a run writes at its end, which readers take as its results. */
    public static final List<String> RESULTS = List.of("report.html", "summary.json");

    /** The marker file that says a directory is the demo's output, so the demo may clear its subdirectories. */
    public static final String MARKER = ".edgeloop-demo";

    /**
     * Claims an output directory for the demo: a new or empty directory gets the {@link #MARKER}; one that already
     * has it (an earlier run's output) is reused. Any other non-empty directory is refused, since each step clears
     * its subdirectory ({@link #SUBDIRECTORIES}) and would delete files of the same name there; the refusal lists
     * them all.
     *
     * @param out the output directory
     * @throws IOException when the directory holds other files or cannot be written
     */
    public static void claim(Path out) throws IOException {
        Files.createDirectories(out);
        if (Files.exists(out.resolve(MARKER))) {
            return;
        }
        try (var s = Files.list(out)) {
            if (s.findAny().isPresent()) {
                throw new IOException(out + " is not empty and was not written by `edgeloop demo` (no " + MARKER
                        + "); the demo replaces its subdirectories (" + String.join(", ", SUBDIRECTORIES)
                        + ") and report.html and summary.json, so choose a new or empty --out directory");
            }
        }
        Files.writeString(out.resolve(MARKER), "output of edgeloop demo; its subdirectories are replaced on each run\n");
    }

    /**
     * Deletes an earlier run's {@link #RESULTS} and {@link #SUBDIRECTORIES} from a claimed output directory whose
     * {@link DemoLock} the caller holds, results first: interrupted at any point, the directory holds no results that
     * are not this run's.
     *
     * @param out the output directory
     * @throws IOException when something cannot be deleted
     */
    public static void clearEarlierRun(Path out) throws IOException {
        for (String f : RESULTS) {
            Files.deleteIfExists(out.resolve(f));
        }
        for (String d : SUBDIRECTORIES) {
            delete(out.resolve(d));
        }
    }

    /**
     * Deletes a directory tree if it exists and creates it empty.
     *
     * @param dir the directory
     * @return the directory
     * @throws IOException when it cannot be cleared
     */
    public static Path fresh(Path dir) throws IOException {
        delete(dir);
        return Files.createDirectories(dir);
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
