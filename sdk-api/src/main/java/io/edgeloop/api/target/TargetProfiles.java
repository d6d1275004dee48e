package io.edgeloop.api.target;

import io.edgeloop.api.spi.ProviderFailure;
import io.edgeloop.api.spi.ProviderLoadException;
import io.edgeloop.api.spi.ProviderLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a target profile id to a built-in profile ({@link TargetProfile#builtIn()}) or to the profile of a
 * {@link TargetProfileProvider} found by a {@link ProviderLoader}. Diagnostics follow the loader's:
 * <ul>
 *   <li>an unknown id: {@link IllegalArgumentException} listing every known id, built-in and provided (and the
 *       providers skipped because they failed to load);</li>
 *   <li>a provider whose id is a built-in id, or two providers with one id: {@link ProviderLoadException}
 *       ({@link ProviderLoadException.Reason#DUPLICATE_NAME}) naming both classes, raised when that id is
 *       resolved (other ids stay usable);</li>
 *   <li>a provider whose {@code profile()} throws, returns null or a profile of another id:
 *       {@link IllegalStateException} naming its class.</li>
 * </ul>
 *
 * <p>Thread-safe: the loader discovers providers once, on first use.
 */
public final class TargetProfiles {
    private final ProviderLoader<TargetProfileProvider> loader;

    private TargetProfiles(ProviderLoader<TargetProfileProvider> loader) {
        this.loader = Objects.requireNonNull(loader, "loader");
    }

    /**
     * Built-in profiles and the providers visible to the thread context class loader (a jar next to Edgeloop's on
     * the class path) or on the module path.
     *
     * @return the lookup
     */
    public static TargetProfiles load() {
        return new TargetProfiles(ProviderLoader.of(TargetProfileProvider.class));
    }

    /**
     * @param classLoader where to look for {@code META-INF/services/io.edgeloop.api.target.TargetProfileProvider}
     * @return the lookup of built-in profiles and that loader's providers
     */
    public static TargetProfiles load(ClassLoader classLoader) {
        return new TargetProfiles(ProviderLoader.of(TargetProfileProvider.class, classLoader));
    }

    /**
     * @param layer the module layer whose modules provide {@link TargetProfileProvider}
     * @return the lookup of built-in profiles and that layer's providers
     */
    public static TargetProfiles load(ModuleLayer layer) {
        return new TargetProfiles(ProviderLoader.of(TargetProfileProvider.class, layer));
    }

    /**
     * @return every known id: the built-in ones in their order, then the provided ones sorted (an id that
     *         collides is listed once)
     */
    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (TargetProfile p : TargetProfile.builtIn()) {
            ids.add(p.id());
        }
        for (String n : new TreeSet<>(loader.names())) {
            if (!ids.contains(n)) {
                ids.add(n);
            }
        }
        return List.copyOf(ids);
    }

    /**
     * @param id a profile id, in any case
     * @return the built-in or provided profile with that id, if any
     * @throws ProviderLoadException when a provider's id collides with a built-in id or another provider's
     * @throws IllegalStateException when the provider of that id fails ({@code profile()} throws, returns null or
     *                               a profile with another id)
     */
    public Optional<TargetProfile> find(String id) {
        Objects.requireNonNull(id, "id");
        String k = id.trim().toLowerCase(Locale.ROOT);
        List<TargetProfileProvider> named = new ArrayList<>();
        for (TargetProfileProvider p : loader.providers()) {
            if (k.equals(p.name())) {
                named.add(p);
            }
        }
        Optional<TargetProfile> builtIn = TargetProfile.find(k);
        if (builtIn.isPresent() && !named.isEmpty()) {
            throw new ProviderLoadException(ProviderLoadException.Reason.DUPLICATE_NAME, "Target profile provider "
                    + named.get(0).getClass().getName() + " claims the id '" + k + "' of the built-in profile ("
                    + TargetProfile.class.getName() + "); give the board an id of its own (built-in ids: "
                    + builtInIds() + ") or remove the provider's jar", classes(named));
        }
        if (builtIn.isPresent()) {
            return builtIn;
        }
        if (named.isEmpty()) {
            return Optional.empty();
        }
        if (named.size() > 1) {
            List<String> classes = classes(named);
            throw new ProviderLoadException(ProviderLoadException.Reason.DUPLICATE_NAME,
                    "Two or more target profile providers have the id '" + k + "': " + String.join(" and ", classes)
                            + "; remove one of them from the class path or module path", classes);
        }
        TargetProfileProvider p = named.get(0);
        TargetProfile profile;
        try {
            profile = p.profile();
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("Target profile provider " + p.getClass().getName() + " (id '" + k
                    + "') failed: its profile() threw " + e, e);
        }
        if (profile == null) {
            throw new IllegalStateException("Target profile provider " + p.getClass().getName() + " (id '" + k
                    + "') returned no profile (null)");
        }
        if (!profile.id().equals(k)) {
            throw new IllegalStateException("Target profile provider " + p.getClass().getName() + " is named '" + k
                    + "' but its profile's id is '" + profile.id() + "'; name() must equal profile().id()");
        }
        return Optional.of(profile);
    }

    /**
     * @param id a profile id, in any case
     * @return the built-in or provided profile with that id
     * @throws IllegalArgumentException when no profile has that id (the message lists every known id and the
     *                                  providers that failed to load)
     * @throws ProviderLoadException    as {@link #find}
     * @throws IllegalStateException    as {@link #find}
     */
    public TargetProfile of(String id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("Unknown target profile '" + id
                + "'; known profiles: " + String.join(", ", ids()) + hint()));
    }

    /**
     * Why a board may be missing: a provider that is on the class path but failed to load (its jar is there, so
     * "put the jar on the class path" would mislead), else how to put one there.
     */
    private String hint() {
        List<ProviderFailure> failures = loader.failures();
        if (failures.isEmpty()) {
            return " (a board of your own needs its TargetProfileProvider jar on the class path: java -cp "
                    + "edgeloop.jar:board.jar io.edgeloop.cli.Edgeloop ...; java -jar ignores -cp and CLASSPATH)";
        }
        List<String> parts = new ArrayList<>();
        for (ProviderFailure f : failures) {
            Throwable root = f.cause();
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            parts.add(providerClass(f) + " (" + root + ")");
        }
        return "; " + (parts.size() == 1 ? "a TargetProfileProvider on the class path failed to load, so its board"
                + " is not known: " : "TargetProfileProviders on the class path failed to load, so their boards"
                + " are not known: ") + String.join("; ", parts);
    }

    /** The provider's class as the JDK's error names it ("Provider x.Y could not be instantiated"), else all of it. */
    private static String providerClass(ProviderFailure f) {
        Matcher m = PROVIDER.matcher(f.declaration());
        return m.find() ? m.group(1) : f.declaration();
    }

    private static final Pattern PROVIDER = Pattern.compile("Provider (\\S+) (could not be|not )");

    private static String builtInIds() {
        List<String> ids = new ArrayList<>();
        for (TargetProfile p : TargetProfile.builtIn()) {
            ids.add(p.id());
        }
        return String.join(", ", ids);
    }

    private static List<String> classes(List<TargetProfileProvider> providers) {
        List<String> classes = new ArrayList<>();
        for (TargetProfileProvider p : providers) {
            classes.add(p.getClass().getName());
        }
        return classes;
    }

    @Override
    public String toString() {
        return "TargetProfiles[" + loader + "]";
    }
}
