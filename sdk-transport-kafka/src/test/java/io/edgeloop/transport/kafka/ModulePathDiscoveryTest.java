package io.edgeloop.transport.kafka;

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
 * The kafka providers are found on the module path through {@code module-info.java} (the other tests use the
 * class path and META-INF/services): a consumer module is compiled and run in a fresh JVM whose module path holds
 * only sdk-api, this module, kafka-clients and slf4j-api.
 */
class ModulePathDiscoveryTest {
    @Test
    @DisplayName("finds the kafka transport and the kafka sensor source on the module path")
    void modulePath(@TempDir Path dir) throws Exception {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            String n = p.getFileName().toString();
            boolean ours = n.equals("classes") && (e.contains("sdk-api") || e.contains("sdk-transport-kafka"));
            if (ours || n.startsWith("sdk-api") || n.startsWith("kafka-clients") || n.startsWith("slf4j-api")) {
                entries.add(e);
            }
        }
        String mp = String.join(File.pathSeparator, entries);
        Path src = Files.createDirectories(dir.resolve("src/mpcheck"));
        Files.writeString(dir.resolve("src/module-info.java"), "module mpcheck { requires io.edgeloop.api;"
                + " uses io.edgeloop.api.transport.TransportProvider; uses io.edgeloop.api.source.SensorSourceProvider; }");
        Files.writeString(src.resolve("Main.java"), "package mpcheck; public class Main { public static void main(String[] a) {"
                + " System.out.println(io.edgeloop.api.spi.ProviderLoader.of(io.edgeloop.api.transport.TransportProvider.class).names());"
                + " System.out.println(io.edgeloop.api.spi.ProviderLoader.of(io.edgeloop.api.source.SensorSourceProvider.class).names());"
                + " } }");
        Path out = dir.resolve("out");
        String bin = Path.of(System.getProperty("java.home"), "bin").toString();
        String log = run(new ProcessBuilder(Path.of(bin, "javac").toString(), "--module-path", mp, "-d",
                out.toString(), dir.resolve("src/module-info.java").toString(), src.resolve("Main.java").toString()));
        assertTrue(Files.exists(out.resolve("mpcheck/Main.class")), "consumer module compiles: " + log);
        String text = run(new ProcessBuilder(Path.of(bin, "java").toString(), "--module-path",
                mp + File.pathSeparator + out, "--add-modules", "io.edgeloop.transport.kafka", "-m",
                "mpcheck/mpcheck.Main"));
        List<String> lines = text.lines().filter(l -> l.startsWith("[")).collect(Collectors.toList());
        assertEquals(List.of("[kafka]", "[kafka]"), lines, "module path " + mp + ": " + text);
    }

    private static String run(ProcessBuilder pb) throws Exception {
        Process p = pb.redirectErrorStream(true).start();
        String text;
        try (var in = p.getInputStream()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), text);
        assertEquals(0, p.exitValue(), text);
        return text;
    }
}
