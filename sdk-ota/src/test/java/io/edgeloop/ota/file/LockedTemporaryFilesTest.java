package io.edgeloop.ota.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cleaning temporary files by pid alone judged liveness in the cleaner's PID namespace (review s14): a writer in
 * another namespace sharing the directory (a blue-green switch of update servers on one volume, two CI containers
 * writing to one bind mount) looked dead and lost its in-flight file, and a process that always has the same pid
 * (a container's PID 1) kept its predecessors' leftovers for good. A writer now holds an OS lock on its temporary
 * file until the file is renamed or deleted, and cleaning deletes only files whose lock it can take.
 */
class LockedTemporaryFilesTest {
    private static final Pattern PID_IN_NAME = Pattern.compile("\\..+\\.(\\d+)\\.\\d+\\.tmp");

    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    static List<String> java(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Reads a child's lines up to {@code ready}, failing with what it printed when it ends first. */
    static List<Path> awaitReady(Process child, BufferedReader out) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String line = out.readLine(); !"ready".equals(line); line = out.readLine()) {
            if (line == null) {
                fail("the writer ended before it was ready: exit " + waitQuietly(child));
            }
            files.add(Path.of(line));
        }
        return files;
    }

    static String waitQuietly(Process p) {
        try {
            return p.waitFor(60, TimeUnit.SECONDS) ? String.valueOf(p.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    static long pidInName(Path f) {
        Matcher m = PID_IN_NAME.matcher(f.getFileName().toString());
        assertTrue(m.matches(), f.toString());
        return Long.parseLong(m.group(1));
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    @DisplayName("a live writer's temporary files named by a pid that is dead here are kept while it holds them; "
            + "its rename then succeeds, and once it is killed the file it left is deleted")
    void keepsALiveWritersFilesWhateverItsPid(@TempDir Path dir) throws Exception {
        long foreign = deadPid(); // its pid in its own namespace: nobody here
        Process child = new ProcessBuilder(java(LockingWriterChild.class, dir.toString(), String.valueOf(foreign),
                "model.bundle", "other.bundle")).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Path left;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8)); Writer in = new java.io.OutputStreamWriter(child.getOutputStream(),
                StandardCharsets.UTF_8)) {
            List<Path> files = awaitReady(child, out);
            assertEquals(2, files.size(), files.toString());
            assertEquals(foreign, pidInName(files.get(0)));
            left = files.get(1);
            assertFalse(alive(foreign), "the name's pid must be dead here for this test to mean anything");

            // old code: both deleted (the pid is not alive here), and the writer's rename failed
            assertEquals(0, AtomicFiles.deleteStaleTemporaryFiles(dir));
            assertEquals(0, AtomicFiles.deleteStaleTemporaryFilesOf(dir.resolve("model.bundle")));
            assertTrue(Files.exists(files.get(0)) && Files.exists(files.get(1)), "a live writer's files are kept");

            in.write("commit model.bundle\n");
            in.flush();
            assertEquals("committed model.bundle", out.readLine(), "exit " + (child.isAlive() ? "-" : child.exitValue()));
            assertEquals("written by " + child.pid(), Files.readString(dir.resolve("model.bundle")));

            child.destroyForcibly(); // SIGKILL: it leaves other.bundle's temporary file, and the OS drops its lock
            assertEquals(137, child.waitFor(), "killed by SIGKILL");
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
        assertEquals(List.of(left, dir.resolve("model.bundle")), list(dir));
        assertEquals(1, AtomicFiles.deleteStaleTemporaryFiles(dir), "the killed writer's leftover");
        assertFalse(Files.exists(left));
        assertEquals(List.of(dir.resolve("model.bundle")), list(dir));
    }

    @Test
    @DisplayName("a file named by this process's pid that it does not have in use but that was written since it "
            + "started is kept: a same-pid writer elsewhere (two containers' PID 1, an SDK that does not lock; "
            + "review s15), not a predecessor's leftover")
    void samePidWriterElsewhereIsKept(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve(".upload." + ProcessHandle.current().pid() + ".7.tmp"),
                "an upload under way");
        assertEquals(0, AtomicFiles.deleteStaleTemporaryFiles(dir)); // was 1
        assertTrue(Files.exists(f));
        Predecessors.backdate(f);
        assertEquals(1, AtomicFiles.deleteStaleTemporaryFiles(dir), "once it is older than this process");
    }

    @Test
    @DisplayName("a leftover named by this process's own pid that nothing here has in use is deleted (a container's "
            + "PID 1 deletes its predecessors'), while this process's file in use stays, still locked")
    void deletesSamePidPredecessorsLeftovers(@TempDir Path dir) throws Exception {
        long own = ProcessHandle.current().pid();
        Path predecessors = Predecessors.backdate(Files.writeString(dir.resolve(".model.bundle." + own + ".1.tmp"),
                "left by a kill"));
        try (TemporaryFile mine = AtomicFiles.createTemporary(dir.resolve("model.bundle"))) {
            try (OutputStream o = mine.output()) {
                o.write("in flight".getBytes(StandardCharsets.UTF_8));
            }
            // old code: 0, the predecessor's file stayed for good (its pid is this process's)
            assertEquals(1, AtomicFiles.deleteStaleTemporaryFilesOf(dir.resolve("model.bundle")));
            assertFalse(Files.exists(predecessors));
            assertEquals(0, AtomicFiles.deleteStaleTemporaryFiles(dir));
            assertTrue(Files.exists(mine.path()), "this process's file in use is kept");
            // the cleaning never opened it: closing a descriptor of it would have dropped this process's lock
            assertEquals("held", probe(mine.path()), "another process still sees the file locked");
            mine.replace(dir.resolve("model.bundle"));
        }
        assertEquals("in flight", Files.readString(dir.resolve("model.bundle")));
        assertEquals(List.of(dir.resolve("model.bundle")), list(dir));
    }

    @Test
    @DisplayName("a writer JVM in a new PID namespace (unshare) keeps its temporary file while it runs, though its pid "
            + "is dead here; once it is killed the file is deleted")
    void writerInAnotherPidNamespace(@TempDir Path dir) throws Exception {
        unsharePermitted();
        long nsPid = deadPid(); // the writer gets this pid in its namespace, which is nobody's here
        List<String> cmd = new ArrayList<>(List.of("unshare", "-pf", "--mount-proc", "--kill-child", "sh", "-c",
                "echo \"$1\" > /proc/sys/kernel/ns_last_pid && shift && \"$@\"; exit", "sh",
                String.valueOf(nsPid - 1)));
        cmd.addAll(java(LockingWriterChild.class, dir.toString(), "own", "model.bundle"));
        Process unshare = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(unshare.getInputStream(),
                StandardCharsets.UTF_8))) {
            Path file = awaitReady(unshare, out).get(0);
            long pid = pidInName(file);
            assertFalse(alive(pid), "the writer's pid in its namespace (" + pid + ") must be dead here");
            // old code: deleted (a writer in another namespace looked dead), and its write failed
            assertEquals(0, AtomicFiles.deleteStaleTemporaryFiles(dir));
            assertTrue(Files.exists(file), "the writer in another namespace keeps its file");

            ProcessHandle writer = unshare.descendants()
                    .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                    .findFirst().orElseThrow();
            writer.destroyForcibly();
            writer.onExit().get(60, TimeUnit.SECONDS);
            assertTrue(unshare.waitFor(60, TimeUnit.SECONDS), "the namespace ends with its writer");
            assertEquals(1, AtomicFiles.deleteStaleTemporaryFiles(dir), "the killed writer's leftover");
            assertFalse(Files.exists(file));
        } finally {
            unshare.destroyForcibly();
            unshare.waitFor();
        }
    }

    /** Skips unless this machine lets the test start a process in a new PID namespace and set its next pid. */
    static void unsharePermitted() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("unshare", "-pf", "--mount-proc", "--kill-child", "sh", "-c",
                    "echo 1000 > /proc/sys/kernel/ns_last_pid").redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no unshare(1) here: " + e.getMessage());
            return;
        }
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0,
                "unshare -pf --mount-proc is not permitted here (it needs root or CAP_SYS_ADMIN): " + said);
    }

    static String probe(Path f) throws Exception {
        Process p = new ProcessBuilder(java(LockProbeChild.class, f.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), said);
        return said;
    }

    static List<Path> list(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
