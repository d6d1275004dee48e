package io.edgeloop.cli.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.ChildCli;
import io.edgeloop.ota.bundle.BundleArchive;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edgeloop demo} under {@code SOURCE_DATE_EPOCH}: the artifacts it writes record that time and are
 * byte-identical between runs. (Without it they record the clock: {@code DemoCommandTest.recordsTheClock}.)
 */
@DisplayName("edgeloop demo with SOURCE_DATE_EPOCH")
class DemoReproducibilityTest {
    private static final String EPOCH = "1700000000";
    private static final String RECORDED = "2023-11-14T22:13:20Z";
    /**
     * What must be byte-identical: models, labels, quantized models, the release (key, trust file, bundles), the
     * devices' agent state, the summary. Not compared: {@code report.html} (names the output directory),
     * {@code devices/} (the simulated devices' sensor buffers, holding their own ids, process ids and append
     * times) and the {@code .edgeloop-demo} lock marker (the pid).
     */
    private static final List<String> COMPARED = List.of("models", "models-previous", "labels", "release", "fleet",
            "summary.json");

    @TempDir
    Path dir;

    @Test
    @DisplayName("two runs with one SOURCE_DATE_EPOCH write byte-identical models, quantized models, bundles, trust "
            + "file and device state, recording that time")
    void twoRunsWriteIdenticalArtifacts() throws Exception {
        // The two runs are independent child JVMs writing to their own directories: run them side by side.
        CompletableFuture<Map<String, byte[]>> other = CompletableFuture.supplyAsync(() -> {
            try {
                return run(dir.resolve("b"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, r -> new Thread(r, "second-demo-run").start());
        Map<String, byte[]> first;
        try {
            first = run(dir.resolve("a"));
        } finally {
            // it writes into the directory JUnit deletes after the test: let it end first
            try {
                other.get();
            } catch (ExecutionException ignored) {
                // reported below, unless the first run's failure is on its way
            }
        }
        Map<String, byte[]> second;
        try {
            second = other.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e.getCause() instanceof Exception c ? c : e;
        }
        assertEquals(first.keySet(), second.keySet());
        for (String must : List.of("models/avr8/model.json", "models/avr8/report.json", "models/jvm/model.json",
                "models-previous/cortex-m3/model.json", "models/occupancy.tribuo", "release/occupancy-1.tar.gz",
                "release/occupancy-2.tar.gz", "release/trust.json", "labels/weak-labels.csv.provenance.json",
                "summary.json")) {
            assertTrue(first.containsKey(must), must + " among " + first.keySet());
        }
        assertTrue(first.keySet().stream().anyMatch(f -> f.startsWith("fleet/") && f.endsWith("slot.json")),
                "device state written");
        for (String f : first.keySet()) {
            assertArrayEquals(first.get(f), second.get(f), f + " differs between two runs with one SOURCE_DATE_EPOCH");
        }

        Path a = dir.resolve("a");
        ObjectMapper json = new ObjectMapper();
        for (String v : List.of("avr8", "cortex-m3", "jvm")) {
            assertEquals(RECORDED, json.readTree(a.resolve("models/" + v + "/model.json").toFile())
                    .path("provenance").path("createdAt").asText(), v + " model.json provenance");
        }
        assertEquals(RECORDED, json.readTree(a.resolve("release/trust.json").toFile()).path("signed")
                .path("createdAt").asText(), "trust.json");
        for (String bundle : List.of("occupancy-1.tar.gz", "occupancy-2.tar.gz")) {
            Path b = a.resolve("release").resolve(bundle);
            try (InputStream in = Files.newInputStream(b)) {
                assertEquals(RECORDED, BundleVerifier.parseManifest(BundleArchive.read(in, BundleLimits.DEFAULT)
                        .entries().get("manifest.json")).createdAt().toString(), bundle + " manifest");
            }
            try (InputStream in = Files.newInputStream(b);
                    TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in))) {
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    assertEquals(Long.parseLong(EPOCH) * 1000, e.getModTime().getTime(), bundle + " " + e.getName());
                }
            }
        }
    }

    /** Runs the demo in a child JVM (the time comes from its environment) and reads every compared file. */
    private static Map<String, byte[]> run(Path out) throws IOException, InterruptedException {
        ChildCli.runOk(Map.of("SOURCE_DATE_EPOCH", EPOCH), "demo", "--out", out.toString(), "--devices", "3",
                "--seed", "5");
        Map<String, byte[]> files = new TreeMap<>();
        for (String c : COMPARED) {
            try (Stream<Path> s = Files.walk(out.resolve(c))) {
                for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                    files.put(out.relativize(p).toString(), Files.readAllBytes(p));
                }
            }
        }
        return files;
    }
}
