package io.edgeloop.quantize.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The size report compiles in a temporary directory ({@code edgeloop-size*}) and every command's output goes to a
 * temporary log ({@code edgeloop-cmd*}): neither is left behind when the compiler fails or when the process gets
 * Ctrl-C (SIGINT) while the compiler runs. A child JVM runs {@link SizeReport#of} with its own {@code java.io.tmpdir}
 * and a {@code PATH} holding only a stand-in {@code gcc} (and {@code size}) that fails, or says it started and waits.
 */
class SizeReportCleanupTest {
    @TempDir
    Path dir;

    /** Child JVM: the size report of a small model for the host (gcc); prints what happened. */
    public static final class Child {
        private Child() {
        }

        /**
         * @param args none
         */
        public static void main(String[] args) {
            double[][] rows = TestModels.wideRows(6, 300, 2);
            IntModel m = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(TestModels.logistic(6, 3, rows,
                    2), rows);
            QuantizedArtifact a = new QuantizedArtifact(m, TargetProfile.JVM, "min-max",
                    Provenance.capture("quantized-model", Child.class).build());
            try {
                SizeReport.of(a, new CCodeGenerator().generate(m, a.target()));
                System.out.println("measured");
            } catch (UncheckedIOException e) {
                System.out.println("failed: " + e.getMessage());
            }
        }
    }

    /**
     * Starts the child with a stand-in gcc whose body is {@code gccBody}, with SIGINT at its default disposition even
     * when the build runs with it ignored ({@link ScratchDirectoryTest#defaultSigint}).
     */
    private Process child(String gccBody, Path tmp, Path log) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        script(bin.resolve("gcc"), gccBody);
        script(bin.resolve("size"), "exit 1");
        List<String> cmd = new ArrayList<>(ScratchDirectoryTest.defaultSigint()); // env execs java: one pid
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                Child.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("MARKER", dir.resolve("gcc.pid").toString());
        return pb.start();
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static List<String> edgeloopEntries(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("edgeloop-")).sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    @DisplayName("a compiler that fails leaves no compile directory and no log")
    void failedCompileLeavesNothing() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path log = dir.resolve("child.log");
        Process p = child("echo 'model.c:1:1: error: stand-in compiler refuses'; exit 1", tmp, log);
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child ends");
        } finally {
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(log);
        assertTrue(out.contains("failed: The generated C code did not compile for jvm: gcc ") && out.contains(
                "stand-in compiler refuses"), out);
        assertEquals(List.of(), edgeloopEntries(tmp));
    }

    @Test
    @DisplayName("Ctrl-C (SIGINT) while the compiler runs leaves no compile directory and no log (a finally block "
            + "does not run then: edgeloop-size* and edgeloop-cmd*.log stayed in /tmp)")
    void sigintDuringCompileLeavesNothing() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path log = dir.resolve("child.log");
        Path marker = dir.resolve("gcc.pid");
        // says it runs (its pid, written whole by a rename), then waits as a slow compile would
        Process p = child("echo $$ > \"$MARKER.tmp\" && /bin/mv \"$MARKER.tmp\" \"$MARKER\"; exec /bin/sleep 300",
                tmp, log);
        long gcc = -1;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(marker)) {
                assertTrue(p.isAlive(), () -> "the child ended: " + read(log));
                assertTrue(System.nanoTime() < deadline, "waited 120 s for the stand-in gcc to start");
                Thread.sleep(10);
            }
            gcc = Long.parseLong(Files.readString(marker).trim());
            List<String> during = edgeloopEntries(tmp);
            assertTrue(during.stream().anyMatch(n -> n.startsWith("edgeloop-size"))
                    && during.stream().anyMatch(n -> n.startsWith("edgeloop-cmd")), "the premise: " + during);
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ends on SIGINT");
        } finally {
            p.destroyForcibly().waitFor();
            if (gcc > 0) {
                ProcessHandle.of(gcc).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        assertEquals(List.of(), edgeloopEntries(tmp), "after Ctrl-C");
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
