package io.edgeloop.labeling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code <repo root>/../shared/datasets} for tests. Thread-safe. */
public final class TestData {
    private TestData() {
    }

    /**
     * @return the shared datasets directory
     */
    public static Path datasets() {
        Path root = repoRoot();
        for (Path p : new Path[] {root.resolve("../shared/datasets"), root.resolve("../../shared/datasets")}) {
            if (Files.isDirectory(p.resolve("wrench"))) {
                return p.normalize();
            }
        }
        throw new IllegalStateException("shared/datasets not found beside the repository root " + root
                + "; clone the repository with shared/ next to it");
    }

    /**
     * @param name youtube, sms or tennis
     * @return the WRENCH set directory
     */
    public static Path wrench(String name) {
        return datasets().resolve("wrench").resolve(name);
    }

    private static Path repoRoot() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            Path pom = q.resolve("pom.xml");
            try {
                if (Files.isRegularFile(pom) && Files.readString(pom).contains("<artifactId>edgeloop-parent</artifactId>")
                        && !Files.readString(pom).contains("<parent>")) {
                    return q;
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + pom, e);
            }
        }
        throw new IllegalStateException("repository root (pom.xml of edgeloop-parent) not found above " + p);
    }
}
