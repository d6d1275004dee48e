package io.edgeloop.labeling.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WrenchMemoryTest {
    private static final int ROWS = 200_000;
    private static final int LFS = 10;

    @TempDir
    Path dir;

    /** Reads a WRENCH directory and prints its train size; run in a child JVM with a small heap. */
    public static final class ReadMain {
        private ReadMain() {
        }

        /** @param args the directory */
        public static void main(String[] args) throws IOException {
            WrenchDataset d = WrenchDataset.read(Path.of(args[0]));
            System.out.println("rows=" + d.train().size() + " lfs=" + d.lfs());
        }
    }

    private void writeSplit(Path file, int rows) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write('{');
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < rows; i++) {
                b.setLength(0);
                b.append(i == 0 ? "" : ",\n").append('"').append(i).append("\": {\"label\": ").append(i % 2)
                        .append(", \"weak_labels\": [");
                for (int j = 0; j < LFS; j++) {
                    b.append(j == 0 ? "" : ", ").append((i + j) % 3 - 1);
                }
                b.append("], \"data\": {\"text\": \"a short message, like the SMS set's, row ").append(i)
                        .append("\", \"tokens\": [1, 2, 3]}}");
                w.write(b.toString());
            }
            w.write("}\n");
        }
    }

    @Test
    @DisplayName("a 30 MB train.json (200,000 rows, 10 LFs, text in data) reads in a JVM with a 48 MB heap: memory "
            + "is about the votes, not the JSON tree")
    void readsLargeSplitInSmallHeap() throws Exception {
        Files.writeString(dir.resolve("label.json"), "{\"0\": \"ham\", \"1\": \"spam\"}");
        writeSplit(dir.resolve("train.json"), ROWS);
        writeSplit(dir.resolve("test.json"), 10);
        assertTrue(Files.size(dir.resolve("train.json")) > 25_000_000, "file is large");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx48m", "-cp", System.getProperty("java.class.path"),
                ReadMain.class.getName(), dir.toString())).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("rows=" + ROWS + " lfs=" + LFS), output);
    }
}
