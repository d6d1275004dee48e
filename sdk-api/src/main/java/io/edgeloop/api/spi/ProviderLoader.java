package io.edgeloop.api.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way Edgeloop finds providers. Code never calls {@link ServiceLoader} directly.
 *
 * <p>Discovery works on the class path ({@code META-INF/services/<interface>}) and on the module path
 * ({@code provides <interface> with <class>}). Diagnostics are explicit:
 * <ul>
 *   <li>no provider at all: {@link ProviderLoadException.Reason#NONE_FOUND}, naming the artifact to add
 *       (taken from the SPI's {@link Spi} annotation);</li>
 *   <li>an unknown name: {@link ProviderLoadException.Reason#UNKNOWN_NAME}, listing the names available and
 *       suggesting a near one ("did you mean"), or, when none is near, how to register a provider of one's own;</li>
 *   <li>two providers with the requested name: {@link ProviderLoadException.Reason#DUPLICATE_NAME}, naming both
 *       classes;</li>
 *   <li>a provider that fails to load or construct, or whose name is blank or not lower-kebab-case (the
 *       {@link NamedProvider} rule; it is "refused", with the lower-kebab form suggested), is logged, recorded in
 *       {@link #failures()} and skipped.</li>
 * </ul>
 *
 * <p>Providers are discovered once, on first use, and cached. Thread-safe.
 *
 * @param <P> the provider interface
 */
public final class ProviderLoader<P extends NamedProvider> {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderLoader.class);
    /** {@link NamedProvider}'s lower-kebab-case rule, the same the sdk-tck checks. */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private final Class<P> type;
    private final ClassLoader classLoader;
    private final ModuleLayer layer;
    private final Object lock = new Object();
    private List<P> providers;
    private List<ProviderFailure> failures;
    /** A ServiceLoader parse error: {@code <spi>: <file url>:<line>: Illegal ...}. */
    private static final Pattern SYNTAX = Pattern.compile("[^ ]+: (.+):(\\d+): (Illegal .*)");

    private ProviderLoader(Class<P> type, ClassLoader classLoader, ModuleLayer layer) {
        this.type = Objects.requireNonNull(type, "type");
        this.classLoader = classLoader;
        this.layer = layer;
    }

    /**
     * Returns a loader that searches the thread context class loader (falling back to the SPI's own loader),
     * and, on the module path, the modules visible to it.
     *
     * @param type the provider interface
     * @param <P>  the provider interface
     * @return the loader
     */
    public static <P extends NamedProvider> ProviderLoader<P> of(Class<P> type) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return new ProviderLoader<>(type, cl != null ? cl : type.getClassLoader(), null);
    }

    /**
     * Returns a loader that searches the given class loader.
     *
     * @param type        the provider interface
     * @param classLoader where to look for {@code META-INF/services} and module providers
     * @param <P>         the provider interface
     * @return the loader
     */
    public static <P extends NamedProvider> ProviderLoader<P> of(Class<P> type, ClassLoader classLoader) {
        return new ProviderLoader<>(type, Objects.requireNonNull(classLoader, "classLoader"), null);
    }

    /**
     * Returns a loader that searches a module layer and its parents.
     *
     * @param type  the provider interface
     * @param layer the module layer
     * @param <P>   the provider interface
     * @return the loader
     */
    public static <P extends NamedProvider> ProviderLoader<P> of(Class<P> type, ModuleLayer layer) {
        return new ProviderLoader<>(type, null, Objects.requireNonNull(layer, "layer"));
    }

    /**
     * Returns the SPI this loader finds.
     *
     * @return the provider interface
     */
    public Class<P> type() {
        return type;
    }

    /**
     * Returns every provider that loaded, in discovery order (duplicates by name included).
     *
     * @return the providers, possibly empty
     */
    public List<P> providers() {
        load();
        return providers;
    }

    /**
     * Returns the providers that were declared but failed to load or construct.
     *
     * @return the failures, possibly empty
     */
    public List<ProviderFailure> failures() {
        load();
        return failures;
    }

    /**
     * Returns the sorted names of the providers available.
     *
     * @return the names
     */
    public List<String> names() {
        TreeSet<String> names = new TreeSet<>();
        for (P p : providers()) {
            names.add(p.name());
        }
        return List.copyOf(names);
    }

    /**
     * Returns the provider with the given name.
     *
     * @param name the configured provider name
     * @return the provider
     * @throws ProviderLoadException when none is found, the name is unknown, or two providers share it
     */
    public P select(String name) {
        Objects.requireNonNull(name, "name");
        List<P> all = providers();
        if (all.isEmpty()) {
            throw noneFound();
        }
        List<P> matching = new ArrayList<>();
        for (P p : all) {
            if (name.equals(p.name())) {
                matching.add(p);
            }
        }
        if (matching.isEmpty()) {
            List<String> names = names();
            // a provider refused for this very name is explained by the suffix; otherwise a near name is most likely
            // a typo, and no near name most likely a provider of the user's own that is not registered
            String fix = refusedNamed(name) ? "" : io.edgeloop.api.config.ComponentConfig.closestName(name, names)
                    .map(near -> "; did you mean '" + near + "'?")
                    .orElse("; if '" + name + "' is a provider of your own, " + registration("it"));
            throw new ProviderLoadException(ProviderLoadException.Reason.UNKNOWN_NAME,
                    "No " + type.getSimpleName() + " named '" + name + "'; available: "
                            + String.join(", ", names) + fix + failureSuffix(), names);
        }
        if (matching.size() > 1) {
            List<String> classes = new ArrayList<>();
            for (P p : matching) {
                classes.add(p.getClass().getName());
            }
            throw new ProviderLoadException(ProviderLoadException.Reason.DUPLICATE_NAME,
                    "Two or more " + type.getSimpleName() + " providers are named '" + name + "': "
                            + String.join(" and ", classes)
                            + "; remove one of them from the class path or module path", classes);
        }
        return matching.get(0);
    }

    /**
     * Returns the only provider present, for SPIs where exactly one is expected.
     *
     * @return the provider
     * @throws ProviderLoadException when there is none or more than one
     */
    public P single() {
        List<P> all = providers();
        if (all.isEmpty()) {
            throw noneFound();
        }
        if (all.size() > 1) {
            List<String> desc = new ArrayList<>();
            for (P p : all) {
                desc.add(p.name() + " (" + p.getClass().getName() + ")");
            }
            throw new ProviderLoadException(ProviderLoadException.Reason.AMBIGUOUS,
                    "Expected one " + type.getSimpleName() + " but found " + all.size() + ": "
                            + String.join(", ", desc) + "; select one by name", desc);
        }
        return all.get(0);
    }

    /**
     * Returns providers keyed by name, first wins, for listing.
     *
     * @return an ordered map of name to provider
     */
    public Map<String, P> byName() {
        Map<String, P> m = new LinkedHashMap<>();
        for (P p : providers()) {
            m.putIfAbsent(p.name(), p);
        }
        return Collections.unmodifiableMap(m);
    }

    private ProviderLoadException noneFound() {
        Spi spi = type.getAnnotation(Spi.class);
        String hint = spi != null ? spi.artifacts() : "an artifact that provides " + type.getName();
        return new ProviderLoadException(ProviderLoadException.Reason.NONE_FOUND,
                "No " + type.getSimpleName() + " found on the class path or module path; add " + hint
                        + ", or " + registration("your own") + failureSuffix(), List.of());
    }

    private boolean refusedNamed(String name) {
        for (ProviderFailure f : failures) {
            if (f.cause() instanceof RefusedName r && r.name.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** How to register a provider of this SPI, for the class path and for the module path. */
    private String registration(String provider) {
        return "register " + provider + " in META-INF/services/" + type.getName() + " or with 'provides "
                + type.getName() + " with ...' in module-info.java";
    }

    private String failureSuffix() {
        if (failures.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (skipped: ");
        for (int i = 0; i < failures.size(); i++) {
            if (i > 0) {
                sb.append("; ");
            }
            ProviderFailure f = failures.get(i);
            String declaration = oneLine(f.declaration());
            sb.append(declaration);
            if (f.cause() instanceof RefusedName refused) {
                sb.append(": ").append(refused.getMessage());
                continue;
            }
            sb.append(" failed to load");
            String root = rootMessage(f.cause());
            if (root != null && !declaration.contains(root)) {
                sb.append(": ").append(root);
            }
        }
        return sb.append(')').toString();
    }

    /** The deepest cause's type and message, or null when the failure has no cause beyond itself. */
    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        if (r == t && t instanceof ServiceConfigurationError) {
            return null; // its message is the declaration already
        }
        return r.getClass().getSimpleName() + (r.getMessage() == null ? "" : ": " + oneLine(r.getMessage()));
    }

    /** A provider's text with its line breaks turned into "; ", so the diagnostic stays one line. */
    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*(\\r\\n|\\r|\\n)\\s*", "; ");
    }

    private void load() {
        synchronized (lock) {
            if (providers != null) {
                return;
            }
            // On the module path this module must declare 'uses'; add it for SPIs defined elsewhere.
            Module self = ProviderLoader.class.getModule();
            if (self.isNamed() && !self.canUse(type)) {
                self.addUses(type);
            }
            ServiceLoader<P> sl = layer != null ? ServiceLoader.load(layer, type) : ServiceLoader.load(type, classLoader);
            List<P> found = new ArrayList<>();
            List<ProviderFailure> failed = new ArrayList<>();
            Iterator<P> it = sl.iterator();
            int guard = 0;
            while (guard++ < 10_000) {
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    P p = it.next();
                    String name;
                    try {
                        name = p.name();
                    } catch (RuntimeException | LinkageError e) {
                        // Name the class: the exception's message alone does not say which provider failed.
                        LOG.warn("Skipping {} {}: its name() threw {}", type.getSimpleName(), p.getClass().getName(),
                                rootMessage(e));
                        LOG.debug("{} {}: name() threw", type.getSimpleName(), p.getClass().getName(), e);
                        failed.add(new ProviderFailure(p.getClass().getName(), e));
                        continue;
                    }
                    if (name == null || name.isBlank()) {
                        LOG.warn("Skipping {} {}: it returned a blank name", type.getSimpleName(),
                                p.getClass().getName());
                        failed.add(new ProviderFailure(p.getClass().getName(),
                                new IllegalStateException("provider returned a blank name")));
                        continue;
                    }
                    if (!NAME.matcher(name).matches()) {
                        // NamedProvider's rule, enforced here so that a provider no kit checked cannot be selected by
                        // a name users could not type in a configuration file or on a command line as documented
                        RefusedName refused = new RefusedName(name);
                        LOG.warn("Skipping {} {}: {}", type.getSimpleName(), p.getClass().getName(),
                                refused.getMessage());
                        failed.add(new ProviderFailure(p.getClass().getName(), refused));
                        continue;
                    }
                    found.add(p);
                } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                    String decl = describe(e);
                    // one line: the skipped provider may not be the one the user selects; the trace is at DEBUG
                    String root = rootMessage(e);
                    LOG.warn("Skipping a {} that failed to load: {}{}", type.getSimpleName(), oneLine(decl),
                            root == null || decl.contains(root) ? "" : ": " + root);
                    LOG.debug("{} that failed to load: {}", type.getSimpleName(), decl, e);
                    failed.add(new ProviderFailure(decl, e));
                }
            }
            providers = List.copyOf(found);
            failures = List.copyOf(failed);
        }
    }

    /**
     * Why a provider that loaded was refused: its name breaks {@link NamedProvider}'s lower-kebab-case rule. The
     * message says so ("refused: name ...") and suggests the lower-kebab form, so it is not read as a load failure.
     */
    private static final class RefusedName extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final String name;

        RefusedName(String name) {
            super("refused: name '" + name + "' is not lower-kebab-case (a-z, 0-9, single hyphens between, as "
                    + "NamedProvider requires)" + lowerKebab(name).map(k -> "; rename it, e.g. '" + k + "'").orElse(""));
            this.name = name;
        }
    }

    /** The lower-kebab form of a name ("AcmeTcp", "acme_tcp", "Acme TCP": "acme-tcp"), if it has letters or digits. */
    static java.util.Optional<String> lowerKebab(String name) {
        String words = name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replaceAll("([A-Z]+)([A-Z][a-z])", "$1-$2");
        String k = words.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return k.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(k);
    }

    private static String describe(Throwable e) {
        String msg = e.getMessage();
        if (msg == null) {
            return e.getClass().getName();
        }
        Matcher m = SYNTAX.matcher(msg);
        if (e instanceof ServiceConfigurationError && m.matches()) {
            // The JDK parses a whole services file before loading any of it: one bad line drops every provider
            // the file lists, the valid ones too. Say so, naming the file and line.
            return "services file " + m.group(1) + " line " + m.group(2) + ": " + m.group(3)
                    + "; the whole file was skipped, with every provider it lists";
        }
        return msg;
    }

    @Override
    public String toString() {
        return "ProviderLoader[" + type.getName() + "]";
    }
}
