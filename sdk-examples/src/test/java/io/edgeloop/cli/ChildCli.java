package io.edgeloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code edgeloop} in a child JVM with extra environment variables (such as {@code SOURCE_DATE_EPOCH}, which
 * the CLI reads from the environment and a test cannot set in its own JVM), on the test's class path.
 * Thread-safe: stateless.
 */
public final class ChildCli {
    private ChildCli() {
    }

    /**
     * {@code env --default-signal=INT} where coreutils has it (8.31 and later): a process started in the background
     * by a script (or under {@code nohup ... &}) has SIGINT ignored, every child inherits that, and a JVM then never
     * sees SIGINT, so a test sending SIGINT failed with "child did not stop" when the build itself was started that
     * way.
     */
    private static final List<String> DEFAULT_SIGINT = defaultSigint();

    private static List<String> defaultSigint() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? List.of("env", "--default-signal=INT")
                    : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /**
     * Returns the command line that runs {@code edgeloop <args>} in a child JVM on the test's class path with SIGINT
     * at its default action ({@link #DEFAULT_SIGINT}), for a test that signals the child: {@code env} execs java, so
     * the process's pid is the JVM's.
     *
     * @param args the {@code edgeloop} arguments
     * @return the command line
     */
    public static List<String> signallable(String... args) {
        List<String> cmd = new ArrayList<>(DEFAULT_SIGINT);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Edgeloop.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Runs the command, waits up to 120 s and asserts exit 0.
     *
     * @param env  variables added to the child's environment
     * @param args the {@code edgeloop} arguments
     * @return the child's stdout and stderr, interleaved
     * @throws IOException          when the child cannot be started
     * @throws InterruptedException when interrupted while waiting
     */
    public static String runOk(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Edgeloop.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, p.exitValue(), output);
        return output;
    }
}
