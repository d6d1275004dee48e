package io.edgeloop.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the loader's diagnostics on the module path: compiles small provider modules ({@code provides ...
 * with ...}) and an application module, then runs a JVM with only {@code --module-path} (no class path) for
 * each case: zero, one and two providers, and a failing one.
 */
@DisplayName("ProviderLoader on the module path")
class ProviderLoaderModulePathTest {
    @TempDir
    static Path work;
    static Path apiModule;
    static Path slf4j;

    private static final String SPI = "io.edgeloop.api.transport.TransportProvider";

    @BeforeAll
    static void compileModules() throws Exception {
        apiModule = Paths.get("target/classes").toAbsolutePath();
        assertTrue(Files.exists(apiModule.resolve("module-info.class")), "sdk-api must be compiled as a module");
        slf4j = null;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.contains("slf4j-api")) {
                slf4j = Paths.get(e);
            }
        }
        assertTrue(slf4j != null, "slf4j-api on the test class path");
        provider("test.alpha", "AlphaProvider", "alpha", "");
        provider("test.twin", "TwinProvider", "alpha", "");
        provider("test.beta", "BetaProvider", "beta", "");
        provider("test.failing", "FailingProvider", "failing",
                "public FailingProvider() { throw new IllegalStateException(\"no sensor bus\"); }");
        module("test.app", "module test.app { requires io.edgeloop.api; }",
                "test/app/Main.java",
                "package test.app;\n"
                        + "import io.edgeloop.api.spi.*; import io.edgeloop.api.transport.TransportProvider;\n"
                        + "public class Main { public static void main(String[] a) {\n"
                        + "  try { System.out.println(\"OK \" + ProviderLoader.of(TransportProvider.class).select(a[0]).getClass().getName()); }\n"
                        + "  catch (ProviderLoadException e) { System.out.println(\"ERR \" + e.reason() + \" \" + e.getMessage()); } } }\n");
    }

    private static void provider(String module, String cls, String name, String ctor) throws Exception {
        String pkg = module;
        module(module, "module " + module + " { requires io.edgeloop.api; provides " + SPI + " with " + pkg + "." + cls + "; }",
                pkg.replace('.', '/') + "/" + cls + ".java",
                "package " + pkg + ";\n"
                        + "import io.edgeloop.api.config.ComponentConfig; import io.edgeloop.api.transport.*;\n"
                        + "public class " + cls + " implements TransportProvider {\n" + ctor + "\n"
                        + "  public String name() { return \"" + name + "\"; }\n"
                        + "  public Transport create(ComponentConfig c) { throw new UnsupportedOperationException(); } }\n");
    }

    private static void module(String name, String moduleInfo, String file, String source) throws Exception {
        Path src = work.resolve("src").resolve(name);
        Files.createDirectories(src.resolve(file).getParent());
        Files.writeString(src.resolve("module-info.java"), moduleInfo);
        Files.writeString(src.resolve(file), source);
        Path out = work.resolve("mods").resolve(name);
        Process javac = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "javac").toString(),
                "-d", out.toString(), "--module-path", apiModule + File.pathSeparator + slf4j,
                src.resolve("module-info.java").toString(), src.resolve(file).toString())
                .redirectErrorStream(true).start();
        String log = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(javac.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, javac.exitValue(), "javac " + name + ": " + log);
    }

    private static String run(String selectName, String... providerModules) throws Exception {
        List<String> mp = new ArrayList<>(List.of(apiModule.toString(), slf4j.toString(),
                work.resolve("mods/test.app").toString()));
        for (String m : providerModules) {
            mp.add(work.resolve("mods").resolve(m).toString());
        }
        String javaBin = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "--module-path", String.join(File.pathSeparator, mp),
                "--add-modules", "ALL-MODULE-PATH", "-m", "test.app/test.app.Main", selectName)
                .redirectErrorStream(false).start();
        p.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out;
    }

    @Test
    @DisplayName("with no provider module, names the artifact to add")
    void zero() throws Exception {
        String out = run("http");
        assertTrue(out.startsWith("ERR NONE_FOUND"), out);
        assertTrue(out.contains("io.edgeloop:sdk-buffer"), out);
    }

    @Test
    @DisplayName("with one provider module, selects it")
    void one() throws Exception {
        assertEquals("OK test.alpha.AlphaProvider", run("alpha", "test.alpha"));
    }

    @Test
    @DisplayName("with an unknown name, lists the names available")
    void unknown() throws Exception {
        String out = run("mqtt", "test.alpha", "test.beta");
        assertTrue(out.startsWith("ERR UNKNOWN_NAME"), out);
        assertTrue(out.contains("available: alpha, beta"), out);
    }

    @Test
    @DisplayName("with two provider modules of one name, names both classes")
    void two() throws Exception {
        String out = run("alpha", "test.alpha", "test.twin");
        assertTrue(out.startsWith("ERR DUPLICATE_NAME"), out);
        assertTrue(out.contains("test.alpha.AlphaProvider") && out.contains("test.twin.TwinProvider"), out);
    }

    @Test
    @DisplayName("reports and skips a provider module that fails to construct")
    void failing() throws Exception {
        assertEquals("OK test.beta.BetaProvider", run("beta", "test.failing", "test.beta"));
        String out = run("failing", "test.failing", "test.beta");
        assertTrue(out.startsWith("ERR UNKNOWN_NAME"), out);
        assertTrue(out.contains("no sensor bus"), "the failure should be reported: " + out);
    }
}
