package io.edgeloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.EdgeloopVersion;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The edgeloop command")
class EdgeloopTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    @DisplayName("prints the SDK version")
    void printsVersion() {
        assertEquals(0, run("--version"));
        assertTrue(out.toString().startsWith("edgeloop " + EdgeloopVersion.get()), out.toString());
        assertFalse(EdgeloopVersion.get().contains("${"), "version must be filtered in at build time");
    }

    @Test
    @DisplayName("lists every subcommand group in its help")
    void helpListsGroups() {
        assertEquals(0, run("--help"));
        for (String g : new String[] {"buffer", "label", "train", "quantize", "bundle", "rollout", "bench", "demo"}) {
            assertTrue(out.toString().contains(g), "help should list " + g + ":\n" + out);
        }
    }

    @Test
    @DisplayName("'edgeloop help' prints the tool's usage and 'edgeloop help COMMAND' the command's, exit 0")
    void helpSubcommand() {
        assertEquals(0, run("help"), err.toString());
        assertTrue(out.toString().startsWith("Usage: edgeloop "), out.toString());
        assertTrue(out.toString().contains("quantize"), out.toString());
        assertEquals("", err.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, run("help", "train"), err.toString());
        assertTrue(out.toString().startsWith("Usage: edgeloop train "), out.toString());
        assertEquals(2, run("help", "frob"));
        assertTrue(err.toString().contains("frob"), err.toString());
    }

    @Test
    @DisplayName("'edgeloop help buffer drain' prints drain's usage (it printed buffer's); an unknown one is named")
    void helpNestedSubcommand() {
        assertEquals(0, run("help", "buffer", "drain"), err.toString());
        assertTrue(out.toString().startsWith("Usage: edgeloop buffer drain "), out.toString());
        assertTrue(out.toString().contains("--cursor"), out.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, run("help", "buffer"), err.toString());
        assertTrue(out.toString().startsWith("Usage: edgeloop buffer "), out.toString());
        assertEquals(2, run("help", "buffer", "frob"));
        assertTrue(err.toString().startsWith("edgeloop: Unknown command 'frob' in 'edgeloop buffer frob'"),
                err.toString());
    }

    @Test
    @DisplayName("a usage error prints one 'edgeloop:' prefix, without picocli's own 'Error:' after it")
    void usageErrorHasOnePrefix() {
        // label query's --queue, --prompt and --oracle are a required group: picocli says "Error: Missing ..."
        assertEquals(2, run("label", "query", "--wrench", ".", "--budget", "3"));
        assertTrue(err.toString().startsWith("edgeloop: Missing required argument (specify one of these): "
                + "(--queue=DIR | --prompt | --oracle)"), err.toString());
        assertFalse(err.toString().contains("Error:"), err.toString());
    }

    @Test
    @DisplayName("reports an unknown option in one line with exit code 2 and no stack trace")
    void unknownOptionIsOneLine() {
        assertEquals(Edgeloop.EXIT_USAGE, run("--no-such-option"));
        assertTrue(err.toString().startsWith("edgeloop: "), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
    }

    @Test
    @DisplayName("formats nested causes on one line")
    void oneLineIncludesRootCause() {
        Exception e = new RuntimeException("cannot open buffer", new java.io.IOException("disk full"));
        assertEquals("cannot open buffer: disk full", Edgeloop.oneLine(e));
    }

    /** A command that runs out of memory, as a label fit on a set too big for the heap does. */
    @picocli.CommandLine.Command(name = "exhaust")
    static final class Exhaust implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    @DisplayName("an OutOfMemoryError in a command is one line naming the heap and -Xmx, exit code 1, no stack trace")
    void outOfMemoryIsOneLine() {
        picocli.CommandLine cl = Edgeloop.commandLine();
        cl.addSubcommand("exhaust", new Exhaust());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(Edgeloop.EXIT_FAILURE, Edgeloop.execute(cl, "exhaust"));
        String e = err.toString();
        assertTrue(e.startsWith("edgeloop: out of memory (Java heap space)") && e.contains("-Xmx"), e);
        assertEquals(1, e.strip().lines().count(), e);
    }
}
