package io.edgeloop.quantize;

import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.train.CsvData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** Test access to the shared UCI datasets (resolved as {@code <repo root>/../shared/datasets}). */
public final class Datasets {
    private Datasets() {
    }

    /** @return the datasets directory */
    public static Path root() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (p != null) {
            Path pom = p.resolve("pom.xml");
            try {
                if (Files.exists(pom) && Files.readString(pom).contains("<artifactId>edgeloop-parent</artifactId>")
                        && !Files.readString(pom).contains("<parent>")) {
                    // CI: <repo>/../shared/datasets; a git worktree may sit one level deeper.
                    for (Path a = p.getParent(); a != null; a = a.getParent()) {
                        if (Files.isDirectory(a.resolve("shared").resolve("datasets"))) {
                            return a.resolve("shared").resolve("datasets");
                        }
                    }
                    return p.resolveSibling("shared").resolve("datasets");
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            p = p.getParent();
        }
        throw new IllegalStateException("Repository root not found from " + System.getProperty("user.dir"));
    }

    /** @return occupancy training split */
    public static CsvData occupancyTrain() throws IOException {
        return CsvData.read(root().resolve("occupancy-detection-uci/datatraining.txt"), "Occupancy", Set.of("date"));
    }

    /** @return occupancy test split (both published test files) */
    public static CsvData occupancyTest() throws IOException {
        return CsvData.read(root().resolve("occupancy-detection-uci/datatest.txt"), "Occupancy", Set.of("date"))
                .concat(CsvData.read(root().resolve("occupancy-detection-uci/datatest2.txt"), "Occupancy", Set.of("date")));
    }

    /**
     * @param file {@code datatest.txt} or {@code datatest2.txt}
     * @return one published occupancy test file
     */
    public static CsvData occupancyTest(String file) throws IOException {
        return CsvData.read(root().resolve("occupancy-detection-uci").resolve(file), "Occupancy", Set.of("date"));
    }

    /** @return room occupancy, split 80/20 with seed 42: {train, test} */
    public static CsvData[] room() throws IOException {
        return CsvData.read(root().resolve("room-occupancy-estimation-uci/Occupancy_Estimation.csv"),
                "Room_Occupancy_Count", Set.of("Date", "Time")).split(0.8, 42);
    }

    /**
     * @param m the integer model
     * @param d labelled rows (columns matched to the model's inputs by name)
     * @return the model's accuracy on them in percent, inputs quantized as the device does
     */
    public static double accuracy(IntModel m, CsvData d) {
        double[][] x = d.rowsInOrder(m.featureNames());
        int ok = 0;
        for (int i = 0; i < x.length; i++) {
            if (m.classNames().get(m.predictClass(m.input().quantize(x[i]))).equals(d.labels().get(i))) {
                ok++;
            }
        }
        return 100.0 * ok / x.length;
    }
}
