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
