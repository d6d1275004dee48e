package io.edgeloop.labeling.lf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in labellers are found on the module path through {@code provides} in module-info (named modules
 * ignore META-INF/services): a child JVM puts this module's classes and its dependencies on the module path.
 */
class LabellerModulePathTest {
    @Test
    @DisplayName("every built-in provider is discoverable by name on the module path")
    void discoverableOnModulePath(@TempDir Path tmp) throws Exception {
        List<String> modulePath = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.endsWith("test-classes") || e.matches(".*(junit|opentest4j|apiguardian|sdk-tck|slf4j-simple).*")) {
                continue;
            }
            modulePath.add(e);
        }
        String mp = String.join(File.pathSeparator, modulePath);
        Path src = tmp.resolve("MpMain.java");
        Files.writeString(src, "import io.edgeloop.api.label.LabellerProvider;\n"
                + "import io.edgeloop.api.spi.ProviderLoader;\n"
                + "public class MpMain { public static void main(String[] a) { for (String n : a) {\n"
                + "  LabellerProvider p = ProviderLoader.of(LabellerProvider.class).select(n);\n"
                + "  System.out.println(n + \" \" + p.getClass().getModule().getName()); } } }\n");
        Path out = tmp.resolve("classes");
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(), "-p", mp,
                "--add-modules", "io.edgeloop.labeling", "-d", out.toString(), src.toString())
                .redirectErrorStream(true).start();
        String javacOut = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(javac.waitFor(120, TimeUnit.SECONDS), "javac timed out");
        assertEquals(0, javac.exitValue(), "compiling the probe: " + javacOut);
        List<String> names = List.of("threshold", "range", "duration", "rate-of-change", "sensor-health");
        List<String> cmd = new ArrayList<>(Arrays.asList(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-p", mp, "--add-modules", "io.edgeloop.labeling", "-cp", out.toString(), "MpMain"));
        cmd.addAll(names);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe timed out");
        assertEquals(0, p.exitValue(), output);
        for (String n : names) {
            assertTrue(output.lines().anyMatch(l -> l.equals(n + " io.edgeloop.labeling")), n + ": " + output);
        }
        assertEquals(names.size(), output.lines().filter(l -> l.endsWith(" io.edgeloop.labeling"))
                .collect(Collectors.toList()).size());
    }
}
