package io.edgeloop.buffer.source.csv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the UCI occupancy files in {@code <repo root>/../shared/datasets/occupancy-detection-uci} (the same bytes
 * sdk-examples ships), so the source is tested on the real data without a second copy in this module. Thread-safe.
 */
final class OccupancyData {
    private OccupancyData() {
    }

    /**
     * @param name {@code datatraining.txt}, {@code datatest.txt} or {@code datatest2.txt}
     * @return the file
     */
    static Path file(String name) {
        Path root = repoRoot();
        for (Path p : new Path[] {root.resolve("../shared/datasets"), root.resolve("../../shared/datasets")}) {
            Path f = p.resolve("occupancy-detection-uci").resolve(name);
            if (Files.isRegularFile(f)) {
                return f.normalize();
            }
        }
        throw new IllegalStateException("shared/datasets/occupancy-detection-uci/" + name + " not found beside the "
                + "repository root " + root + "; clone the repository with shared/ next to it");
    }

    private static Path repoRoot() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            Path pom = q.resolve("pom.xml");
            try {
                if (Files.isRegularFile(pom)) {
                    String text = Files.readString(pom);
                    if (text.contains("<artifactId>edgeloop-parent</artifactId>") && !text.contains("<parent>")) {
                        return q;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + pom, e);
            }
        }
        throw new IllegalStateException("repository root (pom.xml of edgeloop-parent) not found above " + p);
    }
}
