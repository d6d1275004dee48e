package io.edgeloop.quantize.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staging directories of {@code quantize} ({@link QuantizedDirectory}'s, the workflow's model snapshot) are
 * {@link ScratchDirectory}s: gone after close, and after Ctrl-C of the process that made them.
 */
class ScratchDirectoryTest {
    @TempDir
    Path dir;

    /** Child JVM: makes args[0] a scratch directory with a file in it, says so, and waits to be stopped. */
    public static final class Holder {
        private Holder() {
        }

        /**
         * @param args the directory to make
         * @throws Exception when it cannot be made
         */
        public static void main(String[] args) throws Exception {
            ScratchDirectory s = ScratchDirectory.create(Path.of(args[0]));
            Files.writeString(s.path().resolve("model.json"), "partial");
            System.out.println("ready");
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(10));
        }
    }

    /**
     * {@code env --default-signal=INT} where coreutils has it (8.31 and later): a build started in the background by
     * a script ({@code nohup mvn ... &}) has SIGINT ignored, every child inherits that, and a JVM that starts with
     * SIGINT ignored installs no handler for it, so this test failed with "the child ends on SIGINT" when the
     * build itself was started that way (as BufferGatewayCommandTest found for {@code buffer ingest}).
     */
    static List<String> defaultSigint() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? List.of("env", "--default-signal=INT")
                    : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    @Test
    @DisplayName("close deletes the directory and what it holds; a directory moved away meanwhile is left alone")
    void closeDeletesIt() throws Exception {
        Path p;
        try (ScratchDirectory s = ScratchDirectory.create(dir.resolve("s"))) {
            p = s.path();
            Files.createDirectories(p.resolve("a/b"));
            Files.writeString(p.resolve("a/b/c"), "x");
        }
        assertFalse(Files.exists(p));
        try (ScratchDirectory s = ScratchDirectory.create(dir.resolve("t"))) {
            Files.move(s.path(), dir.resolve("placed"));
        }
        assertTrue(Files.isDirectory(dir.resolve("placed")), "a staging directory renamed into place stays");
    }

    @Test
    @DisplayName("Ctrl-C (SIGINT) of the process deletes its scratch directories: a finally block does not run then, "
            + "and every interrupted quantize left its model snapshot in /tmp")
    void sigintDeletesIt() throws Exception {
        Path scratch = dir.resolve(".q.tmp-1-ab");
        Path log = dir.resolve("child.log");
        List<String> cmd = new ArrayList<>(defaultSigint()); // env execs java: the same pid receives the signal
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Holder.class.getName(),
                scratch.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("ready")) {
                assertTrue(p.isAlive(), () -> "the child ended: " + log);
                assertTrue(System.nanoTime() < deadline, "waited 60 s for the child");
                Thread.sleep(5);
            }
            assertTrue(Files.exists(scratch.resolve("model.json")));
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ends on SIGINT");
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertFalse(Files.exists(scratch), "the scratch directory is gone after Ctrl-C");
    }
}
