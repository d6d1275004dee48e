package io.edgeloop.quantize.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quantizers and the runtime are found on the module path through {@code provides} in module-info (named
 * modules ignore META-INF/services): a child JVM puts this module's classes and its dependencies on the module
 * path and selects each provider by name. The class path is covered by every other test.
 */
class ProviderModulePathTest {
    @Test
    @DisplayName("int8, int16, int32 and edgeloop-int are discoverable by name on the module path")
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
        Files.writeString(src, "import io.edgeloop.api.quantize.QuantizerProvider;\n"
                + "import io.edgeloop.api.runtime.ModelRuntimeProvider;\n"
                + "import io.edgeloop.api.spi.ProviderLoader;\n"
                + "public class MpMain { public static void main(String[] a) {\n"
                + "  for (String n : new String[] {\"int8\", \"int16\", \"int32\"}) {\n"
                + "    QuantizerProvider p = ProviderLoader.of(QuantizerProvider.class).select(n);\n"
                + "    System.out.println(n + \" \" + p.getClass().getModule().getName()); }\n"
                + "  ModelRuntimeProvider r = ProviderLoader.of(ModelRuntimeProvider.class).select(\"edgeloop-int\");\n"
                + "  System.out.println(\"edgeloop-int \" + r.getClass().getModule().getName()); } }\n");
        Path out = tmp.resolve("classes");
        String bin = Path.of(System.getProperty("java.home"), "bin").toString();
        Process javac = new ProcessBuilder(Path.of(bin, "javac").toString(), "-p", mp, "--add-modules",
                "io.edgeloop.quantize", "-d", out.toString(), src.toString()).redirectErrorStream(true).start();
        String javacOut = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(javac.waitFor(120, TimeUnit.SECONDS), "javac timed out");
        assertEquals(0, javac.exitValue(), "compiling the probe: " + javacOut);
        Process p = new ProcessBuilder(Path.of(bin, "java").toString(), "-p", mp, "--add-modules", "io.edgeloop.quantize",
                "-cp", out.toString(), "MpMain").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe timed out");
        assertEquals(0, p.exitValue(), output);
        for (String n : new String[] {"int8", "int16", "int32", "edgeloop-int"}) {
            assertTrue(output.lines().anyMatch(l -> l.equals(n + " io.edgeloop.quantize")), n + ": " + output);
        }
    }
}
