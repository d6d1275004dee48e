package io.edgeloop.tck;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Proves that providers are discoverable on the module path (where {@code META-INF/services} is ignored and only
 * {@code provides ... with ...} in {@code module-info.java} counts): it starts a fresh JVM whose module path holds
 * the given entries, resolves a module, and asks {@link io.edgeloop.api.spi.ProviderLoader} which providers of each
 * SPI it finds and from which module.
 *
 * <pre>{@code
 * Map<String, Map<String, String>> found = ModulePathProbe.discover(
 *         ModulePathProbe.testModulePath(), "com.example.lora", TransportProvider.class);
 * assertEquals(Map.of("lora", "com.example.lora"), found.get(TransportProvider.class.getName()));
 * }</pre>
 *
 * <p>Thread-safe: stateless.
 */
public final class ModulePathProbe {
    private static final String[] TEST_ONLY = {"junit", "opentest4j", "apiguardian", "sdk-tck", "slf4j-simple",
            "surefire", "booter"};

    private ModulePathProbe() {
    }

    /**
     * Returns the running test JVM's class path and module path ({@code java.class.path} and
     * {@code jdk.module.path}) without test classes and test frameworks: the module's own classes and its run-time
     * dependencies, ready to be used as a module path. It works whether surefire runs the tests on the class path
     * ({@code useModulePath=false}) or, its default for a project with {@code module-info.java}, on the module path.
     *
     * @return the entries
     */
    public static List<String> testModulePath() {
        return testModulePath(e -> true);
    }

    /**
     * Returns {@link #testModulePath()} narrowed further by a filter, to prove a module works with only some
     * dependencies present.
     *
     * @param keep which entries to keep
     * @return the entries
     */
    public static List<String> testModulePath(Predicate<String> keep) {
        List<String> entries = new ArrayList<>();
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            for (String e : System.getProperty(property, "").split(File.pathSeparator)) {
                if (e.isEmpty() || e.endsWith("test-classes") || isTestOnly(Path.of(e).getFileName().toString())
                        || !keep.test(e) || entries.contains(e)) {
                    continue;
                }
                entries.add(e);
            }
        }
        return entries;
    }

    private static boolean isTestOnly(String fileName) {
        for (String t : TEST_ONLY) {
            if (fileName.contains(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs the probe in a fresh JVM.
     *
     * @param modulePath the module path entries
     * @param module     the module to resolve (the one whose providers are under test)
     * @param spis       the provider interfaces to look up
     * @return per SPI class name, the provider names found (sorted) and the module each came from
     * @throws IllegalArgumentException when {@code modulePath} is empty
     * @throws IOException          when the JVM cannot be started or the probe fails; the message has its output
     * @throws InterruptedException when interrupted while waiting
     */
    @SafeVarargs
    public static Map<String, Map<String, String>> discover(List<String> modulePath, String module,
            Class<? extends io.edgeloop.api.spi.NamedProvider>... spis) throws IOException, InterruptedException {
        if (modulePath.isEmpty()) {
            throw new IllegalArgumentException("ModulePathProbe.discover(" + module + "): the module path is empty;"
                    + " pass the module's classes and its dependencies (testModulePath() found none in java.class.path "
                    + "or jdk.module.path)");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", String.join(File.pathSeparator, modulePath), "--add-modules", module,
                "-cp", ownLocation(), ModulePathProbe.class.getName()));
        for (Class<?> spi : spis) {
            cmd.add(spi.getName());
        }
        // Output goes to a file, so waitFor's deadline holds even when the child hangs without closing its output.
        Path log = java.nio.file.Files.createTempFile("module-path-probe", ".log");
        String output;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done = p.waitFor(120, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            output = java.nio.file.Files.readString(log, StandardCharsets.UTF_8);
            if (!done) {
                throw new IOException("The module-path probe did not finish in 120 s: " + output);
            }
            if (p.exitValue() != 0) {
                throw new IOException("The module-path probe failed (exit " + p.exitValue() + ") with module path "
                        + modulePath + ":\n" + output);
            }
        } finally {
            java.nio.file.Files.deleteIfExists(log);
        }
        Map<String, Map<String, String>> found = new LinkedHashMap<>();
        for (Class<?> spi : spis) {
            found.put(spi.getName(), new TreeMap<>());
        }
        for (String line : output.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 4 && f[0].equals("provider") && found.containsKey(f[1])) {
                found.get(f[1]).put(f[2], f[3]);
            }
        }
        return found;
    }

    private static String ownLocation() throws IOException {
        try {
            return Path.of(ModulePathProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IOException("Cannot locate the sdk-tck classes", e);
        }
    }

    /**
     * The probe's entry point in the child JVM: prints {@code provider <spi> <name> <module>} for every provider
     * the loader finds for each SPI class named in {@code args}.
     *
     * @param args SPI class names
     * @throws ClassNotFoundException when an SPI class is not on the module path
     */
    public static void main(String[] args) throws ClassNotFoundException {
        for (String spiName : args) {
            Class<? extends io.edgeloop.api.spi.NamedProvider> spi =
                    Class.forName(spiName).asSubclass(io.edgeloop.api.spi.NamedProvider.class);
            for (io.edgeloop.api.spi.NamedProvider provider
                    : io.edgeloop.api.spi.ProviderLoader.of(spi).providers()) {
                System.out.println("provider " + spiName + " " + provider.name() + " "
                        + provider.getClass().getModule().getName());
            }
        }
    }
}
