package io.edgeloop.cli.buffer;

import io.edgeloop.cli.Edgeloop;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code edgeloop} tool in this JVM and keeps its exit code and output, for the buffer group's tests. */
record CliRun(int code, String out, String err) {
    static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
