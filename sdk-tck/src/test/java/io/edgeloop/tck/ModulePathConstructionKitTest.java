package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.TransportProvider;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the provider kit the way surefire runs it by default for a project with {@code module-info.java}: the
 * provider in a named module on the module path, its package not exported, and the kit in the unnamed module on the
 * class path. Edgeloop's own build runs tests on the class path ({@code useModulePath=false}), so only a JVM started
 * here sees that arrangement: the test compiles a one-class module into a temporary directory, starts a JVM with it
 * on the module path, and runs {@link Sealed} there through the JUnit engine.
 */
@DisplayName("The provider kit on the module path")
class ModulePathConstructionKitTest {
    private static final String MODULE = "com.example.sealed";
    private static final String PROVIDER = "com.example.sealed.tcp.SealedTransportProvider";
    private static final String NAME = "sealed-tcp";

    /** The kit against the module's provider; run only in the child JVM, where the module is on the module path. */
    static class Sealed extends ProviderContractTest<TransportProvider> {
        @Override
        protected TransportProvider provider() {
            // the test cannot name a class of a package its module does not export; users' loaders find it this way
            return ProviderLoader.of(TransportProvider.class).select(NAME);
        }

        @Override
        protected Class<TransportProvider> providerType() {
            return TransportProvider.class;
        }
    }

    @Test
    @DisplayName("constructs a provider whose module does not export its package, as ServiceLoader does")
    void constructsProviderOfUnexportedPackage(@TempDir Path dir) throws Exception {
        Path api = location(TransportProvider.class);
        Path slf4j = location(org.slf4j.LoggerFactory.class);
        Path module = compileModule(dir, api, slf4j);
        List<String> classPath = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty() && !Path.of(e).equals(api) && !Path.of(e).equals(slf4j)) {
                classPath.add(e);
            }
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", String.join(File.pathSeparator, module.toString(), api.toString(), slf4j.toString()),
                "--add-modules", MODULE, "-cp", String.join(File.pathSeparator, classPath),
                ModulePathConstructionKitTest.class.getName());
        Path log = dir.resolve("child.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(done, "the child JVM did not finish in 120 s: " + output);
        assertEquals(0, p.exitValue(), output);
        Set<String> succeeded = new TreeSet<>();
        Set<String> failed = new TreeSet<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("succeeded ")) {
                succeeded.add(line.substring("succeeded ".length()).trim());
            } else if (line.startsWith("failed ")) {
                failed.add(line.substring("failed ".length()).trim());
            }
        }
        assertEquals(Set.of(), failed, output);
        assertTrue(succeeded.contains("isCheapToConstruct"), output);
        // the child really had the arrangement under test: a named module that keeps its package to itself
        assertTrue(output.contains("provider " + PROVIDER + " in module " + MODULE + ", package exported: false"),
                output);
    }

    /** The child JVM's entry point: runs {@link Sealed} and prints one line per test and outcome. */
    public static void main(String[] args) {
        Class<?> impl = ProviderLoader.of(TransportProvider.class).select(NAME).getClass();
        System.out.println("provider " + impl.getName() + " in module " + impl.getModule().getName()
                + ", package exported: " + impl.getModule().isExported(impl.getPackageName()));
        KitResults r = KitResults.run(Sealed.class);
        for (String t : r.succeeded()) {
            System.out.println("succeeded " + t);
        }
        for (String t : r.failed()) {
            System.out.println("failed " + t);
        }
        System.out.println(r.describeFailures());
    }

    private static Path location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Compiles the module {@value #MODULE}: one provider in a package it does not export, registered both ways. */
    private static Path compileModule(Path dir, Path api, Path slf4j) throws Exception {
        Path src = dir.resolve("src");
        Path pkg = src.resolve("com/example/sealed/tcp");
        Files.createDirectories(pkg);
        Files.writeString(src.resolve("module-info.java"), """
                module com.example.sealed {
                    requires io.edgeloop.api;
                    provides io.edgeloop.api.transport.TransportProvider
                            with com.example.sealed.tcp.SealedTransportProvider;
                }
                """);
        Files.writeString(pkg.resolve("SealedTransportProvider.java"), """
                package com.example.sealed.tcp;

                import io.edgeloop.api.config.ComponentConfig;
                import io.edgeloop.api.transport.Transport;
                import io.edgeloop.api.transport.TransportProvider;

                public final class SealedTransportProvider implements TransportProvider {
                    @Override
                    public String name() {
                        return "sealed-tcp";
                    }

                    @Override
                    public Transport create(ComponentConfig config) {
                        throw new UnsupportedOperationException("the module-path kit test creates no transport");
                    }
                }
                """);
        Path out = dir.resolve("com.example.sealed");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", out.toString(), "--module-path",
                api + File.pathSeparator + slf4j, src.resolve("module-info.java").toString(),
                pkg.resolve("SealedTransportProvider.java").toString());
        assertEquals(0, rc, "javac of the test module failed (its messages are on stderr)");
        Path services = out.resolve("META-INF/services/" + TransportProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, PROVIDER + "\n");
        return out;
    }
}
