package io.edgeloop.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs {@code edgeloop} in this JVM through {@link Edgeloop#run}, capturing what it prints: the tests' one way to
 * call a command and look at its exit code, stdout and stderr. {@link ChildCli} runs it in a child JVM instead, for
 * what must differ per process (environment variables). Thread-safe: stateless; each call has its own writers.
 */
public final class InProcessCli {
    private InProcessCli() {
    }

    /**
     * What one run printed and returned.
     *
     * <p>Thread-safe: immutable.
     *
     * @param code the exit code
     * @param out  everything printed on stdout
     * @param err  everything printed on stderr
     */
    public record Result(int code, String out, String err) {
    }

    /**
     * Runs one command line.
     *
     * @param args the {@code edgeloop} arguments
     * @return its exit code and output
     */
    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }
}
