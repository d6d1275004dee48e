package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.spi.NamedProvider;
import io.edgeloop.api.spi.ProviderFailure;
import io.edgeloop.api.spi.ProviderLoadException;
import io.edgeloop.api.spi.ProviderLoader;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract every provider meets, whatever its SPI: a lower-kebab name, discoverable through
 * {@link ProviderLoader} under that name, cheap to construct (100 instances start no thread and hold no file or
 * socket open; what a constructor does briefly and releases cannot be seen without instrumenting it, so only what
 * stays is checked), and registered both ways: listed in
 * {@code META-INF/services/<spi>} of its own jar or classes directory (read directly, so the check holds whether
 * surefire runs the tests on the class path or on the module path, where that file is ignored) and, when its
 * artifact has a {@code module-info.class}, declared there with {@code provides ... with ...}; and its
 * {@code create} refuses a configuration key it does not read ({@value #UNKNOWN_KEY}) with an
 * {@link IllegalArgumentException} (such as {@link io.edgeloop.api.config.ConfigException}) naming the key, so a
 * misspelt setting is not silently left at its default: {@link io.edgeloop.api.config.ComponentConfig#requireKnownKeys}
 * does it. A provider that must accept keys it does not know (it passes them on to a library that reads them)
 * opts out by overriding {@link #acceptsUnknownKeysBecause()} with the reason, which the kit reports.
 *
 * <p>Extend it through the SPI-specific contract tests; they call {@link #provider()} and
 * {@link #providerType()}.
 *
 *
 * <p>Thread safety: JUnit creates one instance per test method; instances are not shared between threads.
 *
 * @param <P> the provider interface
 */
@ExtendWith(ProviderNameOnFailure.class)
public abstract class ProviderContractTest<P extends NamedProvider> {
    /**
     * Returns a provider instance to test.
     *
     * @return the provider
     */
    protected abstract P provider();

    /**
     * Returns the SPI the provider implements.
     *
     * @return the provider interface
     */
    protected abstract Class<P> providerType();

    /** {@link NamedProvider}'s rule for names, which {@link ProviderLoader} enforces. */
    private static final String LOWER_KEBAB = "[a-z0-9]+(-[a-z0-9]+)*";

    /** The key {@link #refusesUnknownKey} adds to a working configuration: no provider reads it. */
    public static final String UNKNOWN_KEY = "edgeloop-tck-no-such-key";

    /**
     * Says why the provider accepts configuration keys it does not read, to skip the unknown-key check with that
     * reason (shown as the check's abort message). For example: "passes every key on to the vendor client, which
     * reads keys of plug-ins we cannot list".
     *
     * @return empty (the default) to run the check, or the reason it does not apply; never blank
     */
    protected Optional<String> acceptsUnknownKeysBecause() {
        return Optional.empty();
    }

    /**
     * Creates a component through {@link #provider()} from the kit's working configuration with one key added.
     * The SPI kits implement it; the default aborts the unknown-key check (an SPI without a configuration).
     *
     * @param workDir a fresh directory, for kits whose configuration names storage
     * @param key     the key to add
     * @param value   its value
     * @return the created component; closed by the caller when it is {@link AutoCloseable}
     * @throws Exception when the configuration cannot be built or the component not created
     */
    protected Object createAdding(Path workDir, String key, String value) throws Exception {
        Assumptions.abort(getClass().getName() + " does not say how to create a " + providerType().getSimpleName()
                + "'s component, so the unknown-key check cannot run");
        return null;
    }

    @Test
    @DisplayName("has a lower-kebab-case name")
    void hasLowerKebabName() {
        String name = provider().name();
        assertNotNull(name, "name()");
        assertTrue(name.matches(LOWER_KEBAB), "provider name must be lower-kebab-case: '" + name + "'");
    }

    @Test
    @DisplayName("is registered for ServiceLoader and selectable by its name")
    void isDiscoverableByName() {
        P p = provider();
        ProviderLoader<P> loader = ProviderLoader.of(providerType());
        P found;
        try {
            found = loader.select(p.name());
        } catch (ProviderLoadException e) {
            // the loader's own message lists what it found; the fix is the kit's to give
            found = org.junit.jupiter.api.Assertions.fail("ProviderLoader.select(\"" + p.name() + "\") failed: "
                    + e.getMessage() + "; " + discoveryFix(p, loader, e), e);
        }
        assertSame(p.getClass(), found.getClass(),
                "ProviderLoader.select(\"" + p.name() + "\") found " + found.getClass().getName()
                        + "; " + discoveryFix(p, loader, null));
    }

    /** The fix for a provider the loader does not select by its name, matching the cause. */
    private String discoveryFix(P p, ProviderLoader<P> loader, ProviderLoadException e) {
        String impl = p.getClass().getName();
        String name = p.name();
        if (e != null && e.reason() == ProviderLoadException.Reason.DUPLICATE_NAME) {
            return "two providers share the name '" + name + "' (" + String.join(" and ", e.available())
                    + "): give " + impl + " a name of its own";
        }
        boolean kebab = name.matches(LOWER_KEBAB);
        for (ProviderFailure f : loader.failures()) {
            if (f.declaration().equals(impl) || f.declaration().contains("Provider " + impl + " ")) {
                // registered, but skipped: the loader's reason (a refused name comes with the name to use instead)
                return kebab ? "it is registered but failed to load: " + f.cause() + "; fix that"
                        : "it is registered, but ProviderLoader skipped it: " + f.cause().getMessage();
            }
        }
        String register = "register " + impl + " in META-INF/services/" + providerType().getName()
                + " and in module-info.java";
        if (!kebab) {
            return "rename it to lower-kebab-case (the loader refuses other names), then " + register;
        }
        if (e == null) {
            return "that provider has the name '" + name + "' and " + impl + " is not registered: give it a name of "
                    + "its own and " + register;
        }
        return register;
    }

    @Test
    @DisplayName("is listed in META-INF/services of its own jar or classes directory, whatever path the tests use")
    void isRegisteredInMetaInfServices() throws Exception {
        Class<?> impl = provider().getClass();
        String file = "META-INF/services/" + providerType().getName();
        Path root = codeSource(impl);
        List<String> lines = readEntry(root, file);
        assertTrue(lines != null, "no " + file + " in " + root + ": class-path users of " + impl.getName()
                + " will not find it; add that file listing " + impl.getName());
        List<String> listed = new ArrayList<>();
        for (String line : lines) {
            int hash = line.indexOf('#');
            String entry = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (!entry.isEmpty()) {
                listed.add(entry);
            }
        }
        assertTrue(listed.contains(impl.getName()), file + " in " + root + " lists " + listed + " but not "
                + impl.getName() + ": class-path users will not find it; add the line " + impl.getName());
    }

    @Test
    @DisplayName("is declared with 'provides' in module-info.java when its module has one")
    void isDeclaredInModuleInfo() throws Exception {
        Class<?> impl = provider().getClass();
        Module module = impl.getModule();
        ModuleDescriptor d = module.isNamed() ? module.getDescriptor() : null;
        Path root = codeSource(impl);
        if (d == null || d.isAutomatic()) {
            try (InputStream in = open(root, "module-info.class")) {
                Assumptions.assumeTrue(in != null, "no module-info.class in " + root + ": a class-path-only artifact");
                d = ModuleDescriptor.read(in);
            }
        }
        boolean declared = false;
        for (ModuleDescriptor.Provides p : d.provides()) {
            declared |= p.service().equals(providerType().getName()) && p.providers().contains(impl.getName());
        }
        assertTrue(declared, "module " + d.name() + " (" + root + ") does not declare 'provides "
                + providerType().getName() + " with " + impl.getName() + "': module-path users will not find it");
    }

    private static Path codeSource(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** The lines of an entry of a jar or classes directory, or null when it has no such entry. */
    private static List<String> readEntry(Path root, String entry) throws IOException {
        try (InputStream in = open(root, entry)) {
            if (in == null) {
                return null;
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static InputStream open(Path root, String entry) throws IOException {
        if (Files.isDirectory(root)) {
            Path f = root.resolve(entry);
            return Files.isRegularFile(f) ? Files.newInputStream(f) : null;
        }
        JarFile jar = new JarFile(root.toFile());
        JarEntry e = jar.getJarEntry(entry);
        if (e == null) {
            jar.close();
            return null;
        }
        InputStream in = jar.getInputStream(e);
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    jar.close();
                }
            }
        };
    }

    /** How many providers {@link #isCheapToConstruct()} constructs. */
    private static final int CONSTRUCTIONS = 100;

    /**
     * Finds the {@link ServiceLoader.Provider} that {@link ServiceLoader} uses to construct {@code impl}: its public
     * no-argument constructor, or on the module path its public static {@code provider()} method, invoked with the
     * access that {@code provides ... with ...} grants. The kit cannot call that constructor by reflection itself: on
     * the module path the provider's package is not exported (house style: provider packages stay unexported), and
     * surefire's default module path puts the kit in the unnamed module, which may not reach it.
     *
     * <p>This is the one place the kit asks {@link ServiceLoader} directly: {@link ProviderLoader} hands out one
     * instance per provider, and the check needs a fresh one per construction, made exactly as users' loaders make it.
     *
     * @return the factory, or null when ServiceLoader does not list {@code impl} (the registration checks say so)
     */
    private ServiceLoader.Provider<P> serviceLoaderFactory(Class<?> impl) {
        Module self = ProviderContractTest.class.getModule();
        if (self.isNamed() && !self.canUse(providerType())) {
            self.addUses(providerType());
        }
        // impl's own loader: it sees the module (or class-path entry, or module layer) that declares impl
        ClassLoader loader = impl.getClassLoader() != null ? impl.getClassLoader() : ClassLoader.getSystemClassLoader();
        Iterator<ServiceLoader.Provider<P>> it = ServiceLoader.load(providerType(), loader).stream().iterator();
        for (int guard = 0; guard < 10_000; guard++) {
            try {
                if (!it.hasNext()) {
                    return null;
                }
                ServiceLoader.Provider<P> p = it.next();
                if (p.type() == impl) {
                    return p;
                }
            } catch (ServiceConfigurationError e) {
                // another declared provider that does not load: not this check's subject; ProviderLoader reports it
            }
        }
        return null;
    }

    /**
     * Constructs the provider as {@link ServiceLoader} does ({@code factory}), or through {@link #provider()} when
     * ServiceLoader does not list its class or lists it through a {@code provider()} method of another class.
     */
    private Object construct(ServiceLoader.Provider<P> factory) {
        return factory != null ? factory.get() : provider();
    }

    @Test
    @DisplayName("is cheap to construct: 100 instances start no thread and hold no file or socket open")
    void isCheapToConstruct() throws Exception {
        Class<?> impl = provider().getClass();
        ServiceLoader.Provider<P> factory = serviceLoaderFactory(impl);
        construct(factory); // classes loaded and jars opened once stay out of the count
        Resources.Snapshot before = Resources.snapshot();
        List<Object> kept = new ArrayList<>(); // kept reachable, so no GC closes what a constructor opened
        for (int i = 0; i < CONSTRUCTIONS; i++) {
            kept.add(construct(factory));
        }
        // Threads a constructor started are not ended by a close(): the check waits a moment for short-lived ones,
        // then fails for any non-daemon thread, or for daemon threads or descriptors growing with the instances.
        Resources.assertReleased(before, CONSTRUCTIONS / 2, java.time.Duration.ofSeconds(1), t -> false,
                "after constructing " + impl.getName() + " " + kept.size() + " times (a provider is a cheap factory: "
                        + "its constructor does no I/O and starts nothing; the component it creates does)");
    }

    @Test
    @DisplayName("refuses a configuration key it does not read, naming the key")
    void refusesUnknownKey(@TempDir Path workDir) throws Exception {
        Optional<String> reason = acceptsUnknownKeysBecause();
        if (reason.isPresent()) {
            assertFalse(reason.get().isBlank(), "acceptsUnknownKeysBecause() must state why the check does not apply");
            Assumptions.abort("accepts keys it does not read: " + reason.get());
        }
        IllegalArgumentException refused = null;
        Object created = null;
        try {
            created = createAdding(workDir, UNKNOWN_KEY, "1");
        } catch (IllegalArgumentException e) {
            refused = e;
        } finally {
            if (created instanceof AutoCloseable c) {
                c.close();
            }
        }
        String name = provider().name();
        assertNotNull(refused, name + ".create accepted the unknown key '" + UNKNOWN_KEY + "': a misspelt setting"
                + " would be silently left at its default. Refuse keys the provider does not read (ComponentConfig"
                + ".requireKnownKeys), or override acceptsUnknownKeysBecause() with the reason it must accept them");
        assertTrue(String.valueOf(refused.getMessage()).contains(UNKNOWN_KEY), name + ".create refused the unknown"
                + " key but its message does not name it: " + refused);
    }

    @Test
    @DisplayName("returns the same name on every call")
    void nameIsStable() {
        assertEquals(provider().name(), provider().name());
    }
}
