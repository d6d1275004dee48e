package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The providers are found on the module path through {@code module-info.java} (the other tests use the class
 * path and META-INF/services): a consumer module is compiled and run in a fresh JVM on the module path.
 */
class ModulePathDiscoveryTest {
    @Test
    @DisplayName("finds the directory and http deployers and the filesystem registry on the module path")
    void modulePath(@TempDir Path dir) throws Exception {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String n = Path.of(e).getFileName().toString();
            if (e.endsWith("test-classes") || n.startsWith("junit") || n.startsWith("opentest4j")
                    || n.startsWith("apiguardian") || n.startsWith("sdk-tck") || n.startsWith("slf4j-simple")
                    || n.startsWith("surefire") || n.contains("booter")) {
                continue;
            }
            entries.add(e);
        }
        String mp = String.join(File.pathSeparator, entries);
        Path src = Files.createDirectories(dir.resolve("src/mpcheck"));
        Files.writeString(dir.resolve("src/module-info.java"),
                "module mpcheck { requires io.edgeloop.ota; uses io.edgeloop.api.deploy.DeployerProvider; }");
        Files.writeString(src.resolve("Main.java"), "package mpcheck; public class Main { public static void main(String[] a) {"
                + " System.out.println(io.edgeloop.api.spi.ProviderLoader.of(io.edgeloop.api.deploy.DeployerProvider.class).names());"
                + " System.out.println(io.edgeloop.api.spi.ProviderLoader.of(io.edgeloop.ota.registry.ModelRegistryProvider.class).names());"
                + " } }");
        Path out = dir.resolve("out");
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "--module-path", mp, "-d", out.toString(), dir.resolve("src/module-info.java").toString(),
                src.resolve("Main.java").toString()).redirectErrorStream(true).start();
        String log;
        try (var in = javac.getInputStream()) {
            log = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(javac.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, javac.exitValue(), "consumer module compiles against io.edgeloop.ota: " + log);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", mp + File.pathSeparator + out, "-m", "mpcheck/mpcheck.Main").redirectErrorStream(true)
                .start();
        String text;
        try (var in = p.getInputStream()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), text);
        List<String> lines = text.lines().filter(l -> l.startsWith("[")).collect(Collectors.toList());
        assertEquals(List.of("[directory, http]", "[filesystem]"), lines, text);
    }
}
