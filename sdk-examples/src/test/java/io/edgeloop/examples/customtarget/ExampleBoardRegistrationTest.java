package io.edgeloop.examples.customtarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfileProvider;
import io.edgeloop.cli.Edgeloop;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example board is not a feature of the shipped tool: {@code edgeloop.jar} (this module's classes and its
 * run-time dependencies, shaded) neither holds nor registers {@code stm32l031}, so a team's own {@code stm32l031}
 * meets no duplicate; the README's way to try the example (built with its services file into a directory beside the
 * jar) makes it known.
 */
@DisplayName("The example board in the shipped tool")
class ExampleBoardRegistrationTest {
    private static final String SERVICES = "META-INF/services/" + TargetProfileProvider.class.getName();

    @TempDir
    Path dir;

    /** What edgeloop.jar merges: the test's class path without this module's test classes. */
    private static List<String> applicationClassPath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path name = Path.of(e).getFileName();
            if (name == null || !name.toString().equals("test-classes")) {
                out.add(e);
            }
        }
        return out;
    }

    /** sdk-examples itself: this test class lies in its target/test-classes. */
    private static Path moduleDir() throws Exception {
        return Path.of(ExampleBoardRegistrationTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent().getParent();
    }

    @Test
    @DisplayName("the application class path neither holds the example provider nor names it in a services file")
    void applicationHoldsNoExampleBoard() throws IOException {
        List<URL> urls = new ArrayList<>();
        for (String e : applicationClassPath()) {
            urls.add(Path.of(e).toUri().toURL());
        }
        List<String> found = new ArrayList<>();
        try (URLClassLoader app = new URLClassLoader(urls.toArray(new URL[0]), null)) {
            URL type = app.getResource(Stm32l031ProfileProvider.class.getName().replace('.', '/') + ".class");
            if (type != null) {
                found.add(type.toString());
            }
            Enumeration<URL> files = app.getResources(SERVICES);
            while (files.hasMoreElements()) {
                URL f = files.nextElement();
                try (InputStream in = f.openStream()) {
                    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    if (text.contains(Stm32l031ProfileProvider.class.getName())) {
                        found.add(f.toString());
                    }
                }
            }
        }
        assertEquals(List.of(), found, "the shipped jar would hold or register the example board (files left in "
                + "target/classes by an earlier build? mvn clean removes them)");
    }

    @Test
    @DisplayName("the tool does not know stm32l031; registered beside the jar as the README shows, it does")
    void exampleIsKnownOnlyWhenRegistered() throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("not-a-bundle"));
        String[] verify = {"bundle", "verify", bundle.toString(), "--trust", dir.resolve("trust.json").toString(),
            "--profile", "stm32l031"};
        List<String> app = applicationClassPath();
        String out = run(app, verify);
        assertTrue(out.contains("edgeloop: --profile stm32l031: Unknown target profile 'stm32l031'; known profiles: "
                + "avr8, cortex-m0, cortex-m3, cortex-m4f, jvm (a board of your own needs its TargetProfileProvider "
                + "jar on the class path: java -cp edgeloop.jar:board.jar io.edgeloop.cli.Edgeloop ...; java -jar "
                + "ignores -cp and CLASSPATH)"), out);

        // README: the provider compiled against the jar into a directory with its services file, beside the jar
        Path board = dir.resolve("example-board");
        Files.createDirectories(board.resolve("META-INF/services"));
        Path module = moduleDir();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path source = module.resolve("src/test/java/" + Stm32l031ProfileProvider.class.getName().replace('.', '/')
                + ".java");
        assertEquals(0, javac.run(null, null, null, "-proc:none", "-cp", String.join(File.pathSeparator, app), "-d",
                board.toString(), source.toString()));
        Files.copy(module.resolve("src/test/resources/" + SERVICES), board.resolve(SERVICES));
        List<String> registered = new ArrayList<>(app);
        registered.add(board.toString());
        out = run(registered, verify);
        // the profile resolved: the command went on to the bundle file
        assertTrue(out.contains("edgeloop: bundle " + bundle + " is a directory, not a bundle file"), out);
    }

    @Test
    @DisplayName("a board whose provider throws while constructing: one WARN line, an error that names it, and "
            + "the stack trace only with --verbose")
    void failingBoardIsReportedInOneLine() throws Exception {
        Path board = dir.resolve("broken-board");
        Path source = Files.createDirectories(dir.resolve("src/com/example/board")).resolve("BrokenBoard.java");
        Files.writeString(source, "package com.example.board;\n"
                + "public final class BrokenBoard implements io.edgeloop.api.target.TargetProfileProvider {\n"
                + "  public BrokenBoard() { throw new IllegalStateException(\"no calibration table\"); }\n"
                + "  public String name() { return \"broken-board\"; }\n"
                + "  public io.edgeloop.api.target.TargetProfile profile() { return null; }\n"
                + "}\n");
        List<String> app = applicationClassPath();
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-proc:none", "-cp",
                String.join(File.pathSeparator, app), "-d", board.toString(), source.toString()));
        Files.createDirectories(board.resolve("META-INF/services"));
        Files.writeString(board.resolve(SERVICES), "com.example.board.BrokenBoard\n");
        List<String> classPath = new ArrayList<>(app);
        classPath.add(board.toString());
        Path bundle = Files.createDirectories(dir.resolve("not-a-bundle"));
        String[] verify = {"bundle", "verify", bundle.toString(), "--trust", dir.resolve("trust.json").toString(),
            "--profile", "broken-board"};

        String out = run(classPath, verify);
        List<String> lines = out.lines().toList();
        assertEquals(2, lines.size(), "one WARN line, one error line: " + out);
        assertTrue(lines.get(0).contains("WARN") && lines.get(0).contains("com.example.board.BrokenBoard")
                && lines.get(0).contains("IllegalStateException: no calibration table"), out);
        assertTrue(lines.get(1).endsWith("; a TargetProfileProvider on the class path failed to load, so its board "
                + "is not known: com.example.board.BrokenBoard (java.lang.IllegalStateException: no calibration "
                + "table)"), out);

        List<String> verbose = new ArrayList<>(List.of(verify));
        verbose.add("--verbose");
        out = run(classPath, verbose.toArray(new String[0]));
        assertTrue(out.contains("DEBUG") && out.contains("\tat com.example.board.BrokenBoard.<init>"), out);
    }

    /** Runs {@code java -cp CLASSPATH io.edgeloop.cli.Edgeloop ARGS} and returns its output; it must exit 1. */
    private String run(List<String> classPath, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", String.join(File.pathSeparator, classPath), Edgeloop.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(1, p.exitValue(), out);
        return out;
    }
}
