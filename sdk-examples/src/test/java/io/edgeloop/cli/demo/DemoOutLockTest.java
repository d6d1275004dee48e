package io.edgeloop.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.Edgeloop;
import io.edgeloop.examples.demo.DemoFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edgeloop demo} in a child JVM on an output directory holding an earlier run's results: while it runs, a
 * second run on the same {@code --out} is refused, and once it is interrupted (SIGTERM) no earlier run's results are
 * left. The in-process case (two runs in one JVM, the first finishing unaffected) is in {@link DemoCommandTest}.
 */
@DisplayName("edgeloop demo --out, locked and cleared for the run")
class DemoOutLockTest {
    @Test
    @DisplayName("a second process is refused while a run holds --out, and an interrupted run leaves no old summary")
    void lockedAndClearedWhileRunning(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("demo-out");
        // what an earlier run left (its own marker included): a later reader would take these as this run's
        Files.createDirectories(out.resolve("release"));
        Files.writeString(out.resolve(DemoFiles.MARKER), "output of edgeloop demo\n");
        Files.writeString(out.resolve("summary.json"), "{\"seed\": 42}\n");
        Files.writeString(out.resolve("report.html"), "<html>seed 42</html>\n");
        Files.writeString(out.resolve("release").resolve("occupancy-2.bundle"), "seed 42 bundle");

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Edgeloop.class.getName(), "demo", "--out", out.toString(), "--devices", "3", "--seed", "5"));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder childOut = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (childOut) {
                        childOut.append(line).append('\n');
                        childOut.notifyAll();
                    }
                }
            } catch (java.io.IOException ignored) {
                // the child was killed
            }
        });
        reader.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            synchronized (childOut) {
                while (!childOut.toString().contains("/6]") && System.nanoTime() < deadline && child.isAlive()) {
                    childOut.wait(200);
                }
            }
            assertTrue(child.isAlive() && childOut.toString().contains("/6]"), "the child demo started step 1:\n"
                    + childOut);

            // cleared before step 1: nothing of the earlier run is left to be read as this run's
            assertFalse(Files.exists(out.resolve("summary.json")), "the earlier summary.json is gone");
            assertFalse(Files.exists(out.resolve("report.html")), "the earlier report.html is gone");
            assertFalse(Files.exists(out.resolve("release").resolve("occupancy-2.bundle")),
                    "the earlier release is gone");

            StringWriter o = new StringWriter();
            StringWriter e = new StringWriter();
            int code = Edgeloop.run(new PrintWriter(o, true), new PrintWriter(e, true), "demo", "--out",
                    out.toString(), "--devices", "3");
            assertEquals(1, code, o + "\n" + e);
            String err = e.toString().strip();
            assertFalse(err.contains("\n"), "one line: " + err);
            assertTrue(err.startsWith("edgeloop: " + out.toAbsolutePath().normalize() + " is in use by another "
                    + "`edgeloop demo` run (pid " + child.pid() + " since "), err);
            assertEquals("", o.toString(), "the refused run printed nothing else");
            assertTrue(child.isAlive(), "the first run is unaffected");

            List<ProcessHandle> descendants = child.descendants().toList();
            child.destroy();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child demo ends on SIGTERM");
            descendants.forEach(ProcessHandle::destroyForcibly);
            assertFalse(Files.exists(out.resolve("summary.json")), "the interrupted run leaves no summary.json");
            assertFalse(Files.exists(out.resolve("report.html")), "the interrupted run leaves no report.html");
        } finally {
            List<ProcessHandle> descendants = child.descendants().toList();
            child.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
            child.waitFor(30, TimeUnit.SECONDS);
            reader.join(10_000);
        }

        // the OS dropped the dead run's lock: the next run may take it
        try (FileChannel ch = FileChannel.open(out.resolve(DemoFiles.MARKER), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock(Long.MAX_VALUE - 1, 1, false);
            assertNotNull(l, "the interrupted run's lock is gone");
            l.release();
        }
    }
}
