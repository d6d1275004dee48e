package io.edgeloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's {@code --help}, found by walking the whole command tree, prints its usage with exit code 0 and no
 * picocli warning: picocli formats descriptions with {@code String.format}, so a bare {@code %} (as in "5 %)") made
 * {@code rollout simulate --help} print three {@code [picocli WARN]} lines (review s8 ota item 3). picocli writes
 * its warnings to {@code System.err}, not to the command line's error writer, so both are captured.
 */
class HelpTextTest {
    /** Every command's path below {@code edgeloop}, each command once (aliases are not walked twice). */
    static List<List<String>> commandPaths() {
        List<List<String>> out = new ArrayList<>();
        walk(Edgeloop.commandLine(), new ArrayList<>(), new IdentityHashMap<>(), out);
        return out;
    }

    private static void walk(CommandLine cl, List<String> path, Map<Object, Boolean> seen, List<List<String>> out) {
        if (seen.put(cl.getCommandSpec(), Boolean.TRUE) != null) {
            return;
        }
        out.add(List.copyOf(path));
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (!e.getKey().equals(e.getValue().getCommandName())) {
                continue; // an alias of a subcommand walked under its name
            }
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            walk(e.getValue(), p, seen, out);
        }
    }

    @Test
    @DisplayName("every command's --help prints usage, exits 0, and prints no [picocli WARN] line")
    void everyHelpIsClean() {
        List<List<String>> paths = commandPaths();
        assertTrue(paths.size() > 30, "the walk found the command tree: " + paths);
        assertTrue(paths.contains(List.of("rollout", "simulate")), paths.toString());
        PrintStream systemErr = System.err;
        List<String> problems = new ArrayList<>();
        for (List<String> path : paths) {
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            int code;
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                code = Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
            } finally {
                System.setErr(systemErr);
            }
            String stderr = captured.toString(StandardCharsets.UTF_8) + err;
            String name = String.join(" ", path);
            if (code != 0 || stderr.contains("[picocli WARN]") || !out.toString().startsWith("Usage: edgeloop")) {
                problems.add("edgeloop " + name + " --help: exit " + code + ", stderr: " + stderr.strip()
                        + (out.toString().startsWith("Usage: edgeloop") ? "" : ", stdout: " + out));
            }
        }
        assertEquals(List.of(), problems);
        assertFalse(paths.isEmpty());
    }

    @Test
    @DisplayName("rollout simulate --help prints its percent sign once, formatted")
    void percentSignPrinted() {
        StringWriter out = new StringWriter();
        assertEquals(0, Edgeloop.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "rollout",
                "simulate", "--help"));
        String help = out.toString().replaceAll("\\s+", " ");
        assertTrue(help.contains("a binomial test at 5 %); 1 compares every rate directly (default: 10)"), help);
    }
}
