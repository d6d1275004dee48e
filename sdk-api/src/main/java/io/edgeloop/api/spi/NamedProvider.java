package io.edgeloop.api.spi;

/**
 * Common shape of every Edgeloop provider: a cheap, named factory found by {@link ProviderLoader}.
 *
 * <p>Providers must have a public no-argument constructor (or a public static {@code provider()} method on the
 * module path) that does no I/O; all work happens in the component the provider creates. Names are
 * lower-kebab-case ({@code file-drop}, {@code int8}) and unique per SPI.
 *
 * <p>Implementations must be thread-safe: a provider instance is shared by every caller of the loader.
 */
public interface NamedProvider {
    /**
     * Returns the name users select this provider by, lower-kebab-case.
     *
     * @return the provider name
     */
    String name();

    /**
     * Returns a one-line description shown in diagnostics and {@code --help} output.
     *
     * @return the description, by default the class name
     */
    default String description() {
        return getClass().getName();
    }
}
